//! Administrators grant and revoke roles within their reach, people ask to join an Ente and its
//! administrators decide, and every such action lands in the audit log, which administrators
//! read, filter and export.

use pico_kernel::audit::{self, Verdict};
use pico_kernel::identity::{self, Role};
use pico_kernel::territory::model::comune;
use pico_kernel::test_support::{Browser, PASSWORD, TestApp, field_value, texts};
use pico_kernel::{Registry, spaces};
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

async fn comune_id(app: &TestApp, name: &str) -> i32 {
    comune::Entity::find()
        .filter(comune::Column::Name.eq(name))
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("{name} is a comune"))
        .id
}

async fn roles_of(app: &TestApp, email: &str) -> Vec<Role> {
    let person = identity::find_by_email(&app.state.db, email)
        .await
        .unwrap()
        .unwrap();
    identity::grants_of(&app.state.db, person.id)
        .await
        .unwrap()
        .into_iter()
        .map(|g| g.role)
        .collect()
}

async fn signed_in(app: &TestApp, email: &str) -> Browser {
    let browser = app.browser();
    assert_eq!(
        browser.login(email, PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
    browser
}

async fn grant(browser: &Browser, space: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    let path = format!("/{space}/gestione/ruoli");
    let csrf = browser.csrf(&path).await;
    let mut all = vec![("csrf", csrf.as_str())];
    all.extend_from_slice(fields);
    browser.post_form(&path, &all).await
}

async fn setup() -> TestApp {
    let app = TestApp::spawn(Registry::default()).await;
    app.person_with_role("admin.tv@example.it", Role::SpaceAdmin, Some("treviso"))
        .await;
    app.person_with_role("admin.bs@example.it", Role::SpaceAdmin, Some("brescia"))
        .await;
    identity::create_person(
        &app.state.db,
        "lucia@example.it",
        "Lucia Ferri",
        PASSWORD,
        false,
    )
    .await
    .unwrap();
    app
}

#[tokio::test]
async fn a_province_administrator_grants_and_revokes_roles_in_the_province() {
    let app = setup().await;
    let admin = signed_in(&app, "admin.tv@example.it").await;
    let done = grant(
        &admin,
        "treviso",
        &[("email", "lucia@example.it"), ("role", "editor")],
    )
    .await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    assert_eq!(roles_of(&app, "lucia@example.it").await, [Role::Editor]);

    let page = admin
        .page("/treviso/gestione/ruoli?fatto=assegnato", StatusCode::OK)
        .await;
    let rows = texts(&page, "tbody tr");
    assert!(
        rows.iter().any(|r| r.contains("Lucia Ferri")
            && r.contains("Redattore")
            && r.contains("Provincia di Treviso")),
        "{rows:?}"
    );
    // Platform administrators are made only by platform administrators.
    let offered = texts(&page, "#role option");
    assert!(
        !offered
            .iter()
            .any(|o| o == "Amministratore della piattaforma"),
        "{offered:?}"
    );
    let refused = grant(
        &admin,
        "treviso",
        &[("email", "lucia@example.it"), ("role", "platform_admin")],
    )
    .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);

    // An Ente role names an Ente of the territory.
    let oderzo = comune_id(&app, "Oderzo").await.to_string();
    let brescia_town = comune_id(&app, "Brescia").await.to_string();
    let outside = grant(
        &admin,
        "treviso",
        &[
            ("email", "lucia@example.it"),
            ("role", "ente_admin"),
            ("ente", &brescia_town),
        ],
    )
    .await;
    assert_eq!(outside.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        outside
            .text()
            .await
            .unwrap()
            .contains("non fa parte di questo territorio")
    );
    let inside = grant(
        &admin,
        "treviso",
        &[
            ("email", "lucia@example.it"),
            ("role", "ente_admin"),
            ("ente", &oderzo),
        ],
    )
    .await;
    assert_eq!(inside.status(), StatusCode::SEE_OTHER);
    let unknown = grant(
        &admin,
        "treviso",
        &[("email", "nessuno@example.it"), ("role", "editor")],
    )
    .await;
    assert_eq!(unknown.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unknown.text().await.unwrap().contains("Nessun account"));

    // Revoking the editor role.
    let page = admin.page("/treviso/gestione/ruoli", StatusCode::OK).await;
    let row = scraper::Selector::parse("tbody tr").unwrap();
    let input = scraper::Selector::parse("input[name=id]").unwrap();
    let editor_grant = page
        .select(&row)
        .find(|tr| tr.text().collect::<String>().contains("Redattore"))
        .and_then(|tr| tr.select(&input).next())
        .and_then(|i| i.value().attr("value"))
        .expect("the editor's row has a revoke button")
        .to_owned();
    let csrf = field_value(&page, "csrf");
    let revoked = admin
        .post_form(
            "/treviso/gestione/ruoli/revoca",
            &[("csrf", &csrf), ("id", &editor_grant)],
        )
        .await;
    assert_eq!(revoked.status(), StatusCode::SEE_OTHER);
    assert_eq!(roles_of(&app, "lucia@example.it").await, [Role::EnteAdmin]);

    // Each change is in the audit log, chained.
    let log = admin
        .page("/treviso/gestione/registro", StatusCode::OK)
        .await;
    let actions = texts(&log, "tbody td code");
    assert!(
        actions.contains(&"role.grant".to_owned()) && actions.contains(&"role.revoke".to_owned()),
        "{actions:?}"
    );
    assert_eq!(
        audit::verify(&app.state.db).await.unwrap(),
        Verdict::Intact(3)
    );
}

#[tokio::test]
async fn nobody_manages_roles_outside_their_reach() {
    let app = setup().await;
    app.person_with_role(
        "admin.veneto@example.it",
        Role::SpaceAdmin,
        Some("upi-veneto"),
    )
    .await;
    app.person_with_role("editor.tv@example.it", Role::Editor, Some("treviso"))
        .await;
    let brescia_admin = signed_in(&app, "admin.bs@example.it").await;
    assert_eq!(
        brescia_admin.get("/treviso/gestione/ruoli").await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        brescia_admin
            .get("/treviso/gestione/registro")
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        brescia_admin.get("/gestione/registro").await.status(),
        StatusCode::FORBIDDEN
    );
    let refused = grant(&brescia_admin, "brescia", &[]).await;
    assert_eq!(
        refused.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "own space: a form error"
    );
    let csrf = brescia_admin.csrf("/brescia/gestione/ruoli").await;
    let foreign = brescia_admin
        .post_form(
            "/treviso/gestione/ruoli",
            &[
                ("csrf", &csrf),
                ("email", "lucia@example.it"),
                ("role", "editor"),
            ],
        )
        .await;
    assert_eq!(foreign.status(), StatusCode::FORBIDDEN);
    let editor = signed_in(&app, "editor.tv@example.it").await;
    assert_eq!(
        editor.get("/treviso/gestione/ruoli").await.status(),
        StatusCode::FORBIDDEN
    );
    assert!(roles_of(&app, "lucia@example.it").await.is_empty());

    // The regional space sees the roles of its Provinces.
    let veneto = signed_in(&app, "admin.veneto@example.it").await;
    let rows = texts(
        &veneto
            .page("/upi-veneto/gestione/ruoli", StatusCode::OK)
            .await,
        "tbody tr",
    );
    assert!(
        rows.iter().any(|r| r.contains("admin.tv@example.it")),
        "{rows:?}"
    );
    assert!(
        !rows.iter().any(|r| r.contains("admin.bs@example.it")),
        "{rows:?}"
    );
}

#[tokio::test]
async fn a_person_joins_an_ente_once_its_administrator_approves() {
    let app = setup().await;
    let oderzo = comune_id(&app, "Oderzo").await;
    let ente_admin = identity::create_person(
        &app.state.db,
        "sindaco@oderzo.example.it",
        "Ufficio Oderzo",
        PASSWORD,
        false,
    )
    .await
    .unwrap();
    identity::grant(
        &app.state.db,
        ente_admin.id,
        Role::EnteAdmin,
        None,
        Some(oderzo),
        None,
    )
    .await
    .unwrap();

    let lucia = signed_in(&app, "lucia@example.it").await;
    let page = lucia
        .page("/profilo/enti?provincia=026", StatusCode::OK)
        .await;
    assert!(texts(&page, "#comune option").contains(&"Oderzo".to_owned()));
    let csrf = field_value(&page, "csrf");
    let asked = lucia
        .post_form(
            "/profilo/enti",
            &[
                ("csrf", &csrf),
                ("provincia", "026"),
                ("comune", &oderzo.to_string()),
                ("message", "Lavoro all'ufficio tecnico."),
            ],
        )
        .await;
    assert_eq!(asked.status(), StatusCode::SEE_OTHER);
    let twice = lucia
        .post_form(
            "/profilo/enti",
            &[
                ("csrf", &csrf),
                ("provincia", "026"),
                ("comune", &oderzo.to_string()),
            ],
        )
        .await;
    assert_eq!(twice.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        twice
            .text()
            .await
            .unwrap()
            .contains("già una richiesta in attesa")
    );

    let told = app.mails_to("sindaco@oderzo.example.it").await;
    assert_eq!(told.len(), 1, "the Ente's administrator is told");
    assert!(
        told[0]
            .link("/treviso/gestione/richieste")
            .starts_with("/treviso/gestione/richieste")
    );
    assert!(
        app.mails_to("admin.tv@example.it").await.is_empty(),
        "the Ente decides for itself"
    );

    // Brescia's administrator does not see it; Oderzo's administrator does and approves.
    let brescia = signed_in(&app, "admin.bs@example.it").await;
    assert_eq!(
        brescia.get("/treviso/gestione/richieste").await.status(),
        StatusCode::FORBIDDEN
    );
    let mayor = signed_in(&app, "sindaco@oderzo.example.it").await;
    let own = mayor.page("/profilo/enti", StatusCode::OK).await;
    let link = scraper::Selector::parse("#appartenenze ~ ul a").unwrap();
    let hrefs: Vec<_> = own
        .select(&link)
        .filter_map(|a| a.value().attr("href"))
        .collect();
    assert_eq!(
        hrefs,
        ["/treviso/gestione/richieste"],
        "the Ente's administrator finds the requests"
    );
    let page = mayor
        .page("/treviso/gestione/richieste", StatusCode::OK)
        .await;
    assert_eq!(
        texts(&page, "h2.card-title"),
        ["Lucia Ferri – Comune di Oderzo"]
    );
    let id = field_value(&page, "id");
    let csrf = field_value(&page, "csrf");
    let approved = mayor
        .post_form(
            "/treviso/gestione/richieste/decidi",
            &[("csrf", &csrf), ("id", &id), ("decision", "approve")],
        )
        .await;
    assert_eq!(approved.status(), StatusCode::SEE_OTHER);
    assert_eq!(roles_of(&app, "lucia@example.it").await, [Role::EnteMember]);
    let mails = app.mails_to("lucia@example.it").await;
    assert_eq!(mails.len(), 1, "told the outcome");
    assert!(
        mails[0].body.contains("ora fai parte del Comune di Oderzo"),
        "{}",
        mails[0].body
    );
    let mine = lucia.page("/profilo/enti", StatusCode::OK).await;
    assert_eq!(
        texts(&mine, "#appartenenze ~ ul li"),
        ["Comune di Oderzo – Utente dell'Ente"]
    );
    // Decided once: the request is gone from the list.
    let again = mayor
        .post_form(
            "/treviso/gestione/richieste/decidi",
            &[("csrf", &csrf), ("id", &id), ("decision", "refuse")],
        )
        .await;
    assert_eq!(again.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_platform_log_is_filtered_and_exported() {
    let app = setup().await;
    app.person_with_role("root@example.it", Role::PlatformAdmin, None)
        .await;
    let admin = signed_in(&app, "admin.tv@example.it").await;
    grant(
        &admin,
        "treviso",
        &[("email", "lucia@example.it"), ("role", "editor")],
    )
    .await;
    let csrf = admin.csrf("/treviso/gestione").await;
    admin
        .post_form(
            "/treviso/gestione",
            &[
                ("csrf", &csrf),
                ("name", "Provincia di Treviso"),
                ("tagline", "Nuovo"),
                ("colour", ""),
            ],
        )
        .await;

    let root = signed_in(&app, "root@example.it").await;
    let all = root.page("/gestione/registro", StatusCode::OK).await;
    assert_eq!(texts(&all, "tbody tr").len(), 2);
    let filtered = root
        .page("/gestione/registro?azione=space", StatusCode::OK)
        .await;
    assert_eq!(
        texts(&filtered, "tbody td code")
            .first()
            .map(String::as_str),
        Some("space.update")
    );
    assert_eq!(texts(&filtered, "tbody tr").len(), 1);
    let bad_date = root
        .page("/gestione/registro?dal=ieri", StatusCode::OK)
        .await;
    assert_eq!(
        texts(&bad_date, ".alert-danger"),
        ["Le date vanno indicate come AAAA-MM-GG."]
    );

    let csv = root.get("/gestione/registro?formato=csv").await;
    assert_eq!(csv.status(), StatusCode::OK);
    assert!(
        csv.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let body = csv.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(&rows[0][2], "admin.tv@example.it");
    let treviso = spaces::by_slug(&app.state.db, "treviso")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(rows[0][5], treviso.id.to_string());
}
