//! Self-service accounts: registration with a confirmed address, password recovery, profile,
//! e-mail change and sessions. Messages are read from the mailbox the platform really sent
//! them to (a real SMTP server in the full test run).

use pico_kernel::Registry;
use pico_kernel::identity::{self, model::account_link};
use pico_kernel::test_support::{Browser, PASSWORD, TestApp, field_value, texts};
use reqwest::StatusCode;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait};

const NEW_PASSWORD: &str = "una frase lunga e nuova";

async fn register(browser: &Browser, name: &str, email: &str, password: &str) -> reqwest::Response {
    let csrf = browser.csrf("/registrati").await;
    browser
        .post_form(
            "/registrati",
            &[
                ("csrf", &csrf),
                ("name", name),
                ("email", email),
                ("password", password),
                ("password2", password),
                ("privacy", "1"),
            ],
        )
        .await
}

/// Follows a confirmation link as a person would: opens it, then presses the button.
async fn confirm(browser: &Browser, path: &str) -> reqwest::Response {
    let page = browser.page(path, StatusCode::OK).await;
    let csrf = field_value(&page, "csrf");
    browser.post_form(path, &[("csrf", &csrf)]).await
}

async fn body(response: reqwest::Response) -> scraper::Html {
    scraper::Html::parse_document(&response.text().await.unwrap())
}

#[tokio::test]
async fn a_visitor_registers_confirms_the_address_and_signs_in() {
    let app = TestApp::spawn(Registry::default()).await;
    let response = register(
        &app,
        "Giulia Verdi",
        "Giulia.Verdi@Comune.example.it",
        PASSWORD,
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let page = body(response).await;
    assert_eq!(texts(&page, "h1"), ["Controlla la tua posta"]);

    // Before confirming, signing in is refused and the link is sent again.
    let refused = app.login("giulia.verdi@comune.example.it", PASSWORD).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body(refused)
            .await
            .html()
            .contains("non è ancora confermato")
    );
    let mails = app.mails_to("giulia.verdi@comune.example.it").await;
    assert_eq!(mails.len(), 2, "first message and the one sent again");
    assert_eq!(
        mails[0].subject,
        "Conferma il tuo indirizzo e-mail su Pi.Co."
    );

    let link = mails[0].link("/conferma-email/");
    let confirmed = confirm(&app, &link).await;
    assert_eq!(confirmed.status(), StatusCode::OK);
    assert!(body(confirmed).await.html().contains("ora puoi accedere"));

    let signed_in = app.login("giulia.verdi@comune.example.it", PASSWORD).await;
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    let profile = app.page("/profilo", StatusCode::OK).await;
    assert_eq!(field_value(&profile, "name"), "Giulia Verdi");

    // The link works once.
    let again = app.get(&link).await;
    assert_eq!(again.status(), StatusCode::GONE);
    assert!(body(again).await.html().contains("è già stato usato"));
}

#[tokio::test]
async fn registering_an_existing_address_reveals_nothing_and_warns_its_owner() {
    let app = TestApp::spawn(Registry::default()).await;
    identity::create_person(
        &app.state.db,
        "anna@example.it",
        "Anna Neri",
        PASSWORD,
        false,
    )
    .await
    .unwrap();
    let response = register(
        &app.browser(),
        "Impostore",
        "anna@example.it",
        "altra password 1",
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        texts(&body(response).await, "h1"),
        ["Controlla la tua posta"]
    );

    let mails = app.mails_to("anna@example.it").await;
    assert_eq!(mails.len(), 1);
    assert_eq!(
        mails[0].subject,
        "Richiesta di registrazione con il tuo indirizzo"
    );
    // The account is untouched: the old password still works, the intruder's does not.
    assert_eq!(
        app.login("anna@example.it", "altra password 1")
            .await
            .status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        app.login("anna@example.it", PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn a_registration_with_bad_fields_says_what_is_wrong_and_creates_nothing() {
    let app = TestApp::spawn(Registry::default()).await;
    let csrf = app.csrf("/registrati").await;
    let response = app
        .post_form(
            "/registrati",
            &[
                ("csrf", &csrf),
                ("name", "  "),
                ("email", "non-un-indirizzo"),
                ("password", "corta"),
                ("password2", "corta"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(response).await;
    assert_eq!(
        texts(&page, ".invalid-feedback"),
        [
            "Indica il tuo nome e cognome.",
            "L'indirizzo e-mail non è valido.",
            "La password deve avere almeno 10 caratteri.",
            "Per registrarti devi dichiarare di aver letto l'informativa sulla privacy.",
        ]
    );
    assert_eq!(
        field_value(&page, "email"),
        "non-un-indirizzo",
        "what was typed is kept"
    );

    let mismatch = app
        .post_form(
            "/registrati",
            &[
                ("csrf", &csrf),
                ("name", "Luca Bianchi"),
                ("email", "luca@example.it"),
                ("password", PASSWORD),
                ("password2", "un'altra password"),
                ("privacy", "1"),
            ],
        )
        .await;
    assert_eq!(
        texts(&body(mismatch).await, ".invalid-feedback"),
        ["Le due password non coincidono."]
    );

    let without_token = app
        .post_form(
            "/registrati",
            &[("name", "Luca"), ("email", "luca@example.it")],
        )
        .await;
    assert_eq!(without_token.status(), StatusCode::FORBIDDEN);
    assert!(
        identity::find_by_email(&app.state.db, "luca@example.it")
            .await
            .unwrap()
            .is_none()
    );
    assert!(app.mails().await.is_empty());
}

async fn ask_reset(browser: &Browser, email: &str) -> reqwest::Response {
    let csrf = browser.csrf("/password-dimenticata").await;
    browser
        .post_form(
            "/password-dimenticata",
            &[("csrf", &csrf), ("email", email)],
        )
        .await
}

#[tokio::test]
async fn a_forgotten_password_is_reset_once_through_the_mailed_link() {
    let app = TestApp::spawn(Registry::default()).await;
    identity::create_person(
        &app.state.db,
        "marco@example.it",
        "Marco Rossi",
        PASSWORD,
        false,
    )
    .await
    .unwrap();
    // A session open elsewhere ends with the reset.
    let elsewhere = app.browser();
    elsewhere.login("marco@example.it", PASSWORD).await;
    assert_eq!(elsewhere.get("/profilo").await.status(), StatusCode::OK);

    // Unknown and known addresses get the same answer; only the real one gets a message.
    let unknown = body(ask_reset(&app, "nessuno@example.it").await).await;
    let known = body(ask_reset(&app, "marco@example.it").await).await;
    assert_eq!(texts(&unknown, "h1"), texts(&known, "h1"));
    assert!(app.mails_to("nessuno@example.it").await.is_empty());
    let mails = app.mails_to("marco@example.it").await;
    assert_eq!(mails.len(), 1);
    let link = mails[0].link("/reimposta-password/");

    let csrf = field_value(&app.page(&link, StatusCode::OK).await, "csrf");
    let mismatch = app
        .post_form(
            &link,
            &[
                ("csrf", &csrf),
                ("password", NEW_PASSWORD),
                ("password2", "diversa"),
            ],
        )
        .await;
    assert_eq!(mismatch.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body(mismatch)
            .await
            .html()
            .contains("Le due password non coincidono.")
    );

    let done = app
        .post_form(
            &link,
            &[
                ("csrf", &csrf),
                ("password", NEW_PASSWORD),
                ("password2", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(done.status(), StatusCode::OK);
    assert!(body(done).await.html().contains("Password cambiata"));

    let reused = app
        .post_form(
            &link,
            &[
                ("csrf", &csrf),
                ("password", PASSWORD),
                ("password2", PASSWORD),
            ],
        )
        .await;
    assert_eq!(reused.status(), StatusCode::GONE);

    assert_eq!(
        elsewhere.get("/profilo").await.status(),
        StatusCode::SEE_OTHER,
        "old session ended"
    );
    assert_eq!(
        app.login("marco@example.it", PASSWORD).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        app.login("marco@example.it", NEW_PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn an_expired_reset_link_is_refused() {
    let app = TestApp::spawn(Registry::default()).await;
    identity::create_person(
        &app.state.db,
        "sara@example.it",
        "Sara Gialli",
        PASSWORD,
        false,
    )
    .await
    .unwrap();
    ask_reset(&app, "sara@example.it").await;
    let link = app.mails_to("sara@example.it").await[0].link("/reimposta-password/");
    // An hour later, as far as the link is concerned.
    for row in account_link::Entity::find()
        .all(&app.state.db)
        .await
        .unwrap()
    {
        let mut row: account_link::ActiveModel = row.into();
        row.expires_at = Set(chrono::Utc::now() - chrono::Duration::minutes(1));
        row.update(&app.state.db).await.unwrap();
    }
    let response = app.get(&link).await;
    assert_eq!(response.status(), StatusCode::GONE);
    assert!(body(response).await.html().contains("è scaduto"));
}

#[tokio::test]
async fn the_profile_keeps_a_valid_fiscal_code_and_refuses_a_wrong_one() {
    let app = TestApp::spawn(Registry::default()).await;
    identity::create_person(
        &app.state.db,
        "paolo@example.it",
        "Paolo Blu",
        PASSWORD,
        false,
    )
    .await
    .unwrap();
    identity::create_person(&app.state.db, "altro@example.it", "Altro", PASSWORD, false)
        .await
        .unwrap();
    app.login("paolo@example.it", PASSWORD).await;
    let csrf = app.csrf("/profilo").await;

    let wrong = app
        .post_form(
            "/profilo",
            &[
                ("csrf", &csrf),
                ("name", "Paolo Blu"),
                ("fiscal_code", "RSSMRA80A01L219A"),
                ("phone", ""),
            ],
        )
        .await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(wrong).await;
    assert_eq!(
        texts(&page, "#fiscal_code-error"),
        ["Il codice fiscale non è valido: il carattere di controllo non corrisponde."]
    );
    assert_eq!(field_value(&page, "fiscal_code"), "RSSMRA80A01L219A");

    let saved = app
        .post_form(
            "/profilo",
            &[
                ("csrf", &csrf),
                ("name", "Paolo Blu"),
                ("fiscal_code", "rssmra80a01l219m"),
                ("phone", "+39 0422 656000"),
            ],
        )
        .await;
    assert_eq!(saved.status(), StatusCode::OK);
    let profile = app.page("/profilo", StatusCode::OK).await;
    assert_eq!(field_value(&profile, "fiscal_code"), "RSSMRA80A01L219M");
    assert_eq!(field_value(&profile, "phone"), "+39 0422 656000");

    // The same code on another account is refused.
    let other = app.browser();
    other.login("altro@example.it", PASSWORD).await;
    let csrf = other.csrf("/profilo").await;
    let taken = other
        .post_form(
            "/profilo",
            &[
                ("csrf", &csrf),
                ("name", "Altro"),
                ("fiscal_code", "RSSMRA80A01L219M"),
                ("phone", ""),
            ],
        )
        .await;
    assert_eq!(taken.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body(taken)
            .await
            .html()
            .contains("già associato a un altro account")
    );
}

#[tokio::test]
async fn a_new_address_takes_effect_only_once_confirmed() {
    let app = TestApp::spawn(Registry::default()).await;
    identity::create_person(
        &app.state.db,
        "elena@example.it",
        "Elena Viola",
        PASSWORD,
        false,
    )
    .await
    .unwrap();
    app.login("elena@example.it", PASSWORD).await;
    let csrf = app.csrf("/profilo").await;

    let wrong_password = app
        .post_form(
            "/profilo/email",
            &[
                ("csrf", &csrf),
                ("email", "elena@nuovo.example.it"),
                ("current", "sbagliata"),
            ],
        )
        .await;
    assert_eq!(wrong_password.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body(wrong_password)
            .await
            .html()
            .contains("La password attuale non è corretta.")
    );

    let asked = app
        .post_form(
            "/profilo/email",
            &[
                ("csrf", &csrf),
                ("email", "elena@nuovo.example.it"),
                ("current", PASSWORD),
            ],
        )
        .await;
    assert_eq!(asked.status(), StatusCode::OK);
    assert!(
        identity::find_by_email(&app.state.db, "elena@example.it")
            .await
            .unwrap()
            .is_some()
    );

    let mails = app.mails_to("elena@nuovo.example.it").await;
    assert_eq!(mails.len(), 1);
    let confirmed = confirm(&app, &mails[0].link("/conferma-email/")).await;
    assert_eq!(confirmed.status(), StatusCode::OK);
    assert!(
        identity::find_by_email(&app.state.db, "elena@example.it")
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        app.browser()
            .login("elena@nuovo.example.it", PASSWORD)
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn a_person_sees_their_sessions_and_ends_another_one() {
    let app = TestApp::spawn(Registry::default()).await;
    identity::create_person(
        &app.state.db,
        "ugo@example.it",
        "Ugo Grigi",
        PASSWORD,
        false,
    )
    .await
    .unwrap();
    let laptop = app.browser();
    laptop.login("ugo@example.it", PASSWORD).await;
    app.login("ugo@example.it", PASSWORD).await;

    let page = app.page("/profilo", StatusCode::OK).await;
    assert_eq!(texts(&page, "#sessioni ~ div tbody tr").len(), 2);
    assert_eq!(texts(&page, "tbody .badge"), ["Questa sessione"]);
    let other = field_value(&page, "id");
    let csrf = field_value(&page, "csrf");
    let ended = app
        .post_form(
            "/profilo/sessioni/termina",
            &[("csrf", &csrf), ("id", &other)],
        )
        .await;
    assert_eq!(ended.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        laptop.get("/profilo").await.status(),
        StatusCode::SEE_OTHER,
        "sent to login"
    );
    assert_eq!(
        app.get("/profilo").await.status(),
        StatusCode::OK,
        "this session goes on"
    );
    assert_eq!(
        texts(
            &app.page("/profilo", StatusCode::OK).await,
            "#sessioni ~ div tbody tr"
        )
        .len(),
        1
    );
}

#[tokio::test]
async fn repeated_wrong_passwords_are_slowed_down() {
    let app = TestApp::spawn(Registry::default()).await;
    identity::create_person(&app.state.db, "bruno@example.it", "Bruno", PASSWORD, false)
        .await
        .unwrap();
    for _ in 0..5 {
        let response = app.login("bruno@example.it", "tentativo sbagliato").await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    let blocked = app.login("bruno@example.it", "tentativo sbagliato").await;
    assert_eq!(blocked.status(), StatusCode::TOO_MANY_REQUESTS);
    let page = body(blocked).await;
    assert_eq!(texts(&page, "h1"), ["Troppi tentativi"]);
    assert!(page.html().contains("Attendi qualche minuto"));
}

#[tokio::test]
async fn reset_links_for_one_address_are_limited() {
    let app = TestApp::spawn(Registry::default()).await;
    identity::create_person(&app.state.db, "carla@example.it", "Carla", PASSWORD, false)
        .await
        .unwrap();
    for _ in 0..5 {
        assert_eq!(
            ask_reset(&app, "carla@example.it").await.status(),
            StatusCode::OK
        );
    }
    let blocked = ask_reset(&app, "carla@example.it").await;
    assert_eq!(blocked.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        app.mails_to("carla@example.it").await.len(),
        5,
        "no sixth message"
    );
}

#[tokio::test]
async fn the_first_administrator_is_asked_to_replace_the_printed_password() {
    let app = TestApp::spawn(Registry::default()).await;
    // `prepare` already made the first administrator; make another one-time password for it.
    let admins = identity::model::role_grant::Entity::find()
        .all(&app.state.db)
        .await
        .unwrap();
    assert_eq!(admins.len(), 1);
    identity::model::role_grant::Entity::delete_many()
        .exec(&app.state.db)
        .await
        .unwrap();
    let printed = identity::ensure_first_admin(&app.state.db, "admin@pico.localhost")
        .await
        .unwrap()
        .expect("a one-time password");

    let signed_in = app.login("admin@pico.localhost", &printed).await;
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    assert_eq!(signed_in.headers()["location"], "/profilo#password-title");
    let warning = "Stai usando la password provvisoria";
    let profile = app.page("/profilo", StatusCode::OK).await;
    assert!(profile.html().contains(warning));

    let csrf = field_value(&profile, "csrf");
    let changed = app
        .post_form(
            "/profilo/password",
            &[
                ("csrf", &csrf),
                ("current", &printed),
                ("password", NEW_PASSWORD),
                ("password2", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(changed.status(), StatusCode::OK);
    assert!(
        !app.page("/profilo", StatusCode::OK)
            .await
            .html()
            .contains(warning)
    );
}
