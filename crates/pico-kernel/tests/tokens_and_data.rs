//! Personal API tokens, the download of one's own data and the deletion of the account.

use pico_kernel::Registry;
use pico_kernel::audit::{self, Verdict};
use pico_kernel::identity::{self, Role, model::api_token};
use pico_kernel::test_support::{PASSWORD, TestApp, field_value, texts};
use reqwest::StatusCode;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait};

async fn create_token(app: &TestApp, name: &str, scope: &str, days: &str) -> reqwest::Response {
    let csrf = app.csrf("/profilo/token").await;
    app.post_form(
        "/profilo/token",
        &[
            ("csrf", &csrf),
            ("name", name),
            ("scope", scope),
            ("days", days),
        ],
    )
    .await
}

async fn me_with(app: &TestApp, token: &str) -> reqwest::Response {
    app.client
        .get(app.url("/api/v1/me"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_token_is_shown_once_works_for_the_api_and_stops_when_revoked() {
    let app = TestApp::spawn(Registry::default()).await;
    app.person_with_role("dev@example.it", Role::Editor, Some("treviso"))
        .await;
    app.login("dev@example.it", PASSWORD).await;

    let refused = create_token(&app, "", "read", "90").await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("Dai al token un nome")
    );
    let too_long = create_token(&app, "script", "read", "400").await;
    assert!(
        too_long
            .text()
            .await
            .unwrap()
            .contains("La durata va da 1 a 365 giorni.")
    );

    let created = create_token(&app, "Script notturno", "read", "30").await;
    assert_eq!(created.status(), StatusCode::OK);
    let page = scraper::Html::parse_document(&created.text().await.unwrap());
    let token = texts(&page, "#new-token")
        .pop()
        .expect("the token is shown");
    assert!(token.starts_with("pico_"));
    let list = app.get("/profilo/token").await.text().await.unwrap();
    assert!(!list.contains(&token), "shown once only");
    assert!(list.contains("Script notturno"));

    let me = me_with(&app, &token).await;
    assert_eq!(me.status(), StatusCode::OK);
    let me: serde_json::Value = me.json().await.unwrap();
    assert_eq!(me["email"], "dev@example.it");
    assert_eq!(me["roles"][0]["role"], "editor");
    // The API without a token, or with a wrong one, answers with a problem document.
    let anonymous = app.browser().get("/api/v1/me").await;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let wrong = me_with(&app, "pico_nonvalido").await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.headers()["content-type"], "application/problem+json");
    // A token is no cookie: it does not open the HTML pages.
    let page = app
        .browser()
        .client
        .get(app.url("/profilo"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::SEE_OTHER);

    let list = app.page("/profilo/token", StatusCode::OK).await;
    let csrf = field_value(&list, "csrf");
    let id = field_value(&list, "id");
    let revoked = app
        .post_form("/profilo/token/revoca", &[("csrf", &csrf), ("id", &id)])
        .await;
    assert_eq!(revoked.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        me_with(&app, &token).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn an_expired_token_is_refused() {
    let app = TestApp::spawn(Registry::default()).await;
    let person = identity::create_person(&app.state.db, "old@example.it", "Old", PASSWORD, false)
        .await
        .unwrap();
    let token = identity::api_tokens::create(
        &app.state.db,
        person.id,
        "vecchio",
        false,
        chrono::Duration::days(1),
    )
    .await
    .unwrap();
    assert_eq!(me_with(&app, &token).await.status(), StatusCode::OK);
    let row = api_token::Entity::find()
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    let mut row: api_token::ActiveModel = row.into();
    row.expires_at = Set(chrono::Utc::now() - chrono::Duration::seconds(1));
    row.update(&app.state.db).await.unwrap();
    assert_eq!(
        me_with(&app, &token).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a_person_downloads_their_data_then_deletes_the_account() {
    let app = TestApp::spawn(Registry::default()).await;
    app.person_with_role("maria@example.it", Role::Editor, Some("treviso"))
        .await;
    app.login("maria@example.it", PASSWORD).await;
    let csrf = app.csrf("/profilo").await;
    app.post_form(
        "/profilo",
        &[
            ("csrf", &csrf),
            ("name", "Maria Bruni"),
            ("fiscal_code", "RSSMRA80A01L219M"),
            ("phone", ""),
        ],
    )
    .await;

    let export = app.get("/profilo/dati/esporta").await;
    assert_eq!(export.status(), StatusCode::OK);
    assert!(
        export.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("attachment")
    );
    let data: serde_json::Value = export.json().await.unwrap();
    assert_eq!(data["person"]["email"], "maria@example.it");
    assert_eq!(data["person"]["fiscal_code"], "RSSMRA80A01L219M");
    assert_eq!(data["roles"][0]["role"], "editor");
    assert_eq!(data["sessions"].as_array().unwrap().len(), 1);

    let page = app.page("/profilo/dati", StatusCode::OK).await;
    let csrf = field_value(&page, "csrf");
    let unconfirmed = app
        .post_form(
            "/profilo/elimina",
            &[("csrf", &csrf), ("current", PASSWORD)],
        )
        .await;
    assert_eq!(unconfirmed.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let wrong = app
        .post_form(
            "/profilo/elimina",
            &[("csrf", &csrf), ("current", "sbagliata"), ("confirm", "1")],
        )
        .await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        identity::find_by_email(&app.state.db, "maria@example.it")
            .await
            .unwrap()
            .is_some()
    );

    let deleted = app
        .post_form(
            "/profilo/elimina",
            &[("csrf", &csrf), ("current", PASSWORD), ("confirm", "1")],
        )
        .await;
    assert_eq!(deleted.status(), StatusCode::OK);
    assert_eq!(
        app.get("/profilo").await.status(),
        StatusCode::SEE_OTHER,
        "signed out"
    );
    assert!(
        identity::find_by_email(&app.state.db, "maria@example.it")
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        app.login("maria@example.it", PASSWORD).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );

    // The row stays, pseudonymised, and the log keeps what happened.
    let people = identity::model::person::Entity::find()
        .all(&app.state.db)
        .await
        .unwrap();
    let forgotten = people
        .iter()
        .find(|p| p.deleted_at.is_some())
        .expect("kept");
    assert_eq!(forgotten.display_name, "Utente eliminato");
    assert_eq!(forgotten.fiscal_code, None);
    assert!(
        identity::grants_of(&app.state.db, forgotten.id)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        audit::verify(&app.state.db).await.unwrap(),
        Verdict::Intact(1)
    );
}
