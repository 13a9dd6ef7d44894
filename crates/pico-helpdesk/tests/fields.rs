//! Extra fields per category: an administrator asks the category «Gare» for a required CIG;
//! both ticket forms then refuse a ticket of that category without it or with a bad one, keep
//! a good one and show it on the ticket's pages; another category's fields are ignored; a
//! removed field's values stay on the tickets; only administrators define fields.

use pico_helpdesk::fields::{self, value};
use pico_helpdesk::model::{self, ticket};
use pico_helpdesk::routing::Strategy;
use pico_helpdesk::sla::Schedule;
use pico_kernel::identity::Role;
use pico_kernel::test_support::{Browser, TestApp, field_value, texts};
use pico_kernel::{Registry, spaces};
use reqwest::StatusCode;
use reqwest::multipart::Form;
use sea_orm::{EntityTrait, PaginatorTrait};
use std::sync::Arc;

const NEW: &str = "/treviso/helpdesk/nuovo";
const HELP: &str = "/treviso/helpdesk/aiuto";
const ADMIN: &str = "/treviso/helpdesk/gestione";

struct Desk {
    app: TestApp,
    treviso: i32,
    admin: Browser,
    sara: Browser,
    anna: Browser,
    access: i32,
    tenders: i32,
}

async fn desk() -> Desk {
    let app = TestApp::spawn(Registry::new(vec![
        Arc::new(pico_portal::Portal),
        Arc::new(pico_helpdesk::Helpdesk),
    ]))
    .await;
    let db = &app.state.db;
    let treviso = spaces::by_slug(db, "treviso").await.unwrap().unwrap().id;
    let (_, admin) = app
        .signed_in("admin@example.it", Some((Role::SpaceAdmin, "treviso")))
        .await;
    let (sara_id, sara) = app
        .signed_in("sara@example.it", Some((Role::HelpdeskAgent, "treviso")))
        .await;
    let (_, anna) = app.signed_in("anna@example.it", None).await;
    let front = model::create_team(db, treviso, "Sportello", Strategy::RoundRobin, None)
        .await
        .unwrap();
    model::set_member(db, front.id, sara_id, true)
        .await
        .unwrap();
    let access = model::create_category(db, treviso, "Accesso", None)
        .await
        .unwrap()
        .id;
    let tenders = model::create_category(db, treviso, "Gare", None)
        .await
        .unwrap()
        .id;
    model::save_settings(db, treviso, &Schedule::default(), Some(front.id), 7)
        .await
        .unwrap();
    Desk {
        app,
        treviso,
        admin,
        sara,
        anna,
        access,
        tenders,
    }
}

/// The administrator adds a field through the page; returns its input's name.
async fn define(d: &Desk, category: i32, label: &str, kind: &str, required: bool) -> String {
    let csrf = d.admin.csrf(ADMIN).await;
    let category = category.to_string();
    let r = d
        .admin
        .post_form(
            "/treviso/helpdesk/gestione/campi",
            &[
                ("csrf", &csrf),
                ("categoria", &category),
                ("etichetta", label),
                ("tipo", kind),
                ("obbligatorio", if required { "si" } else { "no" }),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let field = fields::of_space(&d.app.state.db, d.treviso)
        .await
        .unwrap()
        .into_iter()
        .find(|f| f.label == label)
        .expect("the field");
    format!("campo_{}", field.id)
}

async fn tickets(d: &Desk) -> u64 {
    ticket::Entity::find().count(&d.app.state.db).await.unwrap()
}

async fn values(d: &Desk) -> Vec<(String, String)> {
    value::Entity::find()
        .all(&d.app.state.db)
        .await
        .unwrap()
        .into_iter()
        .map(|v| (v.label, v.value))
        .collect()
}

fn ticket_form(csrf: &str, category: i32, extra: &[(&str, &str)]) -> Form {
    let mut form = Form::new()
        .text("csrf", csrf.to_owned())
        .text("categoria", category.to_string())
        .text("oggetto", "Offerta non caricata")
        .text("descrizione", "Il portale rifiuta il file dell'offerta.");
    for (name, value) in extra {
        form = form.text(name.to_string(), value.to_string());
    }
    form
}

async fn post(browser: &Browser, form: Form) -> reqwest::Response {
    browser
        .client
        .post(browser.url(NEW))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_required_cig_is_checked_kept_and_shown_to_requester_and_agent() {
    let d = desk().await;
    let cig = define(&d, d.tenders, "CIG della gara", "cig", true).await;
    let note = define(&d, d.access, "Nome utente", "text", true).await;

    // Without JavaScript both categories' fields are on the form, each in its fieldset.
    let page = d.anna.page(NEW, StatusCode::OK).await;
    assert_eq!(
        texts(&page, "fieldset legend"),
        ["Per la categoria «Accesso»", "Per la categoria «Gare»"]
    );

    let csrf = d.anna.csrf(NEW).await;
    // Missing: refused next to the field, with what was typed kept.
    let r = post(&d.anna, ticket_form(&csrf, d.tenders, &[])).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = scraper::Html::parse_document(&r.text().await.unwrap());
    assert_eq!(
        texts(&page, &format!("#{cig}-errore")),
        ["Indica «CIG della gara»: è obbligatorio."]
    );
    let input = page
        .select(&scraper::Selector::parse(&format!("#{cig}")).unwrap())
        .next()
        .unwrap();
    assert_eq!(input.attr("aria-invalid"), Some("true"));
    assert!(
        input
            .attr("aria-describedby")
            .unwrap()
            .contains(&format!("{cig}-errore"))
    );
    assert_eq!(field_value(&page, "oggetto"), "Offerta non caricata");
    // The other category's required field is not asked for.
    assert!(texts(&page, &format!("#{note}-errore")).is_empty());

    // A bad CIG.
    let r = post(&d.anna, ticket_form(&csrf, d.tenders, &[(&cig, "12345")])).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = scraper::Html::parse_document(&r.text().await.unwrap());
    assert_eq!(
        texts(&page, &format!("#{cig}-errore")),
        ["«CIG della gara»: Il CIG è di 10 caratteri, lettere e cifre."]
    );
    assert_eq!(field_value(&page, &cig), "12345");
    assert_eq!(tickets(&d).await, 0);

    // A good one is kept; what was typed in the other category's field is ignored.
    let form = ticket_form(&csrf, d.tenders, &[(&cig, " 8a1b2c3d4e "), (&note, "anna")]);
    let r = post(&d.anna, form).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let path = r.headers()["location"]
        .to_str()
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(
        values(&d).await,
        [("CIG della gara".to_owned(), "8A1B2C3D4E".to_owned())]
    );
    for browser in [&d.anna, &d.sara] {
        let page = browser.page(&path, StatusCode::OK).await;
        assert!(texts(&page, "dt").contains(&"CIG della gara".to_owned()));
        assert!(texts(&page, "dd").contains(&"8A1B2C3D4E".to_owned()));
    }

    // Removing the field keeps the ticket's value, with its label.
    let id = cig.trim_start_matches("campo_");
    let csrf = d.admin.csrf(ADMIN).await;
    let r = d
        .admin
        .post_form(
            &format!("/treviso/helpdesk/gestione/campi/{id}/elimina"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = d.admin.page(NEW, StatusCode::OK).await;
    assert_eq!(
        texts(&page, "fieldset legend"),
        ["Per la categoria «Accesso»"]
    );
    let page = d.sara.page(&path, StatusCode::OK).await;
    assert!(texts(&page, "dd").contains(&"8A1B2C3D4E".to_owned()));
}

async fn send(browser: &Browser, fields: Vec<(String, String)>) -> reqwest::Response {
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    browser.post_form(HELP, &pairs).await
}

#[tokio::test]
async fn the_public_form_checks_and_keeps_the_fields_too() {
    let d = desk().await;
    let cig = define(&d, d.tenders, "CIG della gara", "cig", true).await;
    let visitor = d.app.browser();
    let page = visitor.page(HELP, StatusCode::OK).await;
    assert_eq!(texts(&page, "fieldset legend"), ["Per la categoria «Gare»"]);
    let csrf = field_value(&page, "csrf");
    let tenders = d.tenders.to_string();
    let filled = |cig_value: &'static str| {
        vec![
            ("csrf".to_owned(), csrf.clone()),
            ("nome".to_owned(), "Mario Rossi".to_owned()),
            ("email".to_owned(), "mario.rossi@example.it".to_owned()),
            ("categoria".to_owned(), tenders.clone()),
            ("oggetto".to_owned(), "Offerta non caricata".to_owned()),
            (
                "descrizione".to_owned(),
                "Il portale rifiuta il file.".to_owned(),
            ),
            ("sito_web".to_owned(), String::new()),
            (cig.clone(), cig_value.to_owned()),
        ]
    };
    let r = send(&visitor, filled("")).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = scraper::Html::parse_document(&r.text().await.unwrap());
    assert_eq!(
        texts(&page, &format!("#{cig}-errore")),
        ["Indica «CIG della gara»: è obbligatorio."]
    );
    assert_eq!(field_value(&page, "nome"), "Mario Rossi");
    let r = send(&visitor, filled("ABC")).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(tickets(&d).await, 0);

    let r = send(&visitor, filled("9Z8Y7X6W5V")).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        values(&d).await,
        [("CIG della gara".to_owned(), "9Z8Y7X6W5V".to_owned())]
    );
    // The guest's own page shows it.
    let mail = d.app.mails_to("mario.rossi@example.it").await;
    let link = mail[0].link("/treviso/helpdesk/segui/");
    let page = visitor.page(&link, StatusCode::OK).await;
    assert!(texts(&page, "dd").contains(&"9Z8Y7X6W5V".to_owned()));
}

#[tokio::test]
async fn only_administrators_define_fields() {
    let d = desk().await;
    for browser in [&d.sara, &d.anna] {
        let csrf = browser.csrf(NEW).await;
        let r = browser
            .post_form(
                "/treviso/helpdesk/gestione/campi",
                &[
                    ("csrf", csrf.as_str()),
                    ("categoria", &d.tenders.to_string()),
                    ("etichetta", "CIG"),
                    ("tipo", "cig"),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
    }
    assert!(
        fields::of_space(&d.app.state.db, d.treviso)
            .await
            .unwrap()
            .is_empty()
    );
    // An administrator's bad input comes back in Italian.
    let csrf = d.admin.csrf(ADMIN).await;
    let r = d
        .admin
        .post_form(
            "/treviso/helpdesk/gestione/campi",
            &[
                ("csrf", csrf.as_str()),
                ("categoria", &d.tenders.to_string()),
                ("etichetta", " "),
                ("tipo", "cig"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = scraper::Html::parse_document(&r.text().await.unwrap());
    assert_eq!(
        texts(&page, "#campi ~ .alert-danger"),
        ["Scrivi l'etichetta del campo (al massimo 100 caratteri)."]
    );
}
