//! The SUA over HTTP, on SQLite and PostgreSQL: agreements kept by the Province, a tender on
//! delegation asked by an Ente with an agreement, accepted once by the Province's operator and
//! followed through its phases; who sees what; and bad input refused in Italian.

use chrono::{Duration, Utc};
use pico_kernel::agreements::{self, NewAgreement};
use pico_kernel::identity::{self, Role};
use pico_kernel::territory::model::comune;
use pico_kernel::test_support::{Browser, PASSWORD, TestApp, field_value, texts};
use pico_kernel::{Registry, spaces};
use pico_sua::model::{request, tender};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use std::sync::Arc;

const PDF: &[u8] = b"%PDF-1.4\n% prova\n%%EOF\n";

struct Sua {
    app: TestApp,
    /// A member of Oderzo, which has an agreement with Treviso.
    oderzo: Browser,
    /// A member of Castelfranco Veneto, a Comune of Treviso without an agreement.
    castelfranco: Browser,
    /// The SUA operator of Treviso.
    operator: Browser,
    /// The SUA operator of Brescia.
    brescia: Browser,
}

async fn comune_id(app: &TestApp, istat: &str) -> i32 {
    comune::Entity::find()
        .filter(comune::Column::IstatCode.eq(istat))
        .one(&app.state.db)
        .await
        .unwrap()
        .expect("comune exists")
        .id
}

async fn space_id(app: &TestApp, slug: &str) -> i32 {
    spaces::by_slug(&app.state.db, slug)
        .await
        .unwrap()
        .expect("space exists")
        .id
}

/// A person holding `role` in a Comune (`istat`) or in a space's module (`slug`).
async fn person(
    app: &TestApp,
    email: &str,
    role: Role,
    ente: Option<&str>,
    slug: Option<&str>,
) -> Browser {
    let db = &app.state.db;
    let p = identity::create_person(db, email, email, PASSWORD, false)
        .await
        .unwrap();
    let comune = match ente {
        Some(istat) => Some(comune_id(app, istat).await),
        None => None,
    };
    let space = match slug {
        Some(slug) => Some(space_id(app, slug).await),
        None => None,
    };
    let module = (role == Role::Operator).then_some("sua");
    identity::grant(db, p.id, role, space, comune, module)
        .await
        .unwrap();
    app.browser_of(p.id).await
}

async fn sua() -> Sua {
    let app = TestApp::spawn(Registry::new(vec![Arc::new(pico_sua::Sua)])).await;
    let db = &app.state.db;
    let treviso = space_id(&app, "treviso").await;
    spaces::set_module(db, treviso, "sua", true).await.unwrap();
    let brescia = space_id(&app, "brescia").await;
    spaces::set_module(db, brescia, "sua", true).await.unwrap();
    agreements::create(
        db,
        NewAgreement {
            space_id: treviso,
            comune_id: comune_id(&app, "026051").await,
            starts_on: Utc::now().date_naive() - Duration::days(30),
            ends_on: None,
            document_key: "agreements/prova.pdf".into(),
            document_name: "prova.pdf".into(),
            created_by: 1,
        },
    )
    .await
    .unwrap();
    Sua {
        oderzo: person(
            &app,
            "membro.oderzo@example.it",
            Role::EnteMember,
            Some("026051"),
            None,
        )
        .await,
        castelfranco: person(
            &app,
            "admin.castelfranco@example.it",
            Role::EnteAdmin,
            Some("026012"),
            None,
        )
        .await,
        operator: person(
            &app,
            "sua.treviso@example.it",
            Role::Operator,
            None,
            Some("treviso"),
        )
        .await,
        brescia: person(
            &app,
            "sua.brescia@example.it",
            Role::Operator,
            None,
            Some("brescia"),
        )
        .await,
        app,
    }
}

/// The fields of a good request; `changes` replace some.
fn request_form(csrf: &str, ente: i32, changes: &[(&str, &str)]) -> Form {
    let mut fields = vec![
        ("csrf", csrf.to_owned()),
        ("ente", ente.to_string()),
        (
            "object",
            "Rifacimento della copertura della palestra comunale".to_owned(),
        ),
        ("contract_type", "lavori".to_owned()),
        ("amount", "1.234.567,89".to_owned()),
        ("cpv", "45261000-4, 45212222".to_owned()),
        ("procedure", "negoziata".to_owned()),
        (
            "timeline",
            "Lavori da concludere prima dell'inverno.".to_owned(),
        ),
    ];
    for (name, value) in changes {
        fields.retain(|(n, _)| n != name);
        fields.push((name, (*value).to_owned()));
    }
    let mut form = Form::new();
    for (name, value) in fields {
        form = form.text(name.to_owned(), value);
    }
    form.part(
        "documents",
        Part::bytes(PDF.to_vec()).file_name("relazione.pdf"),
    )
}

const NEW: &str = "/treviso/sua/richieste/nuova";

async fn send_request(browser: &Browser, form: Form) -> reqwest::Response {
    browser
        .client
        .post(browser.url(NEW))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

/// Files a good request as Oderzo; returns its path.
async fn ask(s: &Sua) -> String {
    let csrf = s.oderzo.csrf(NEW).await;
    let oderzo = comune_id(&s.app, "026051").await;
    let response = send_request(&s.oderzo, request_form(&csrf, oderzo, &[])).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "request sent");
    let location = response.headers()["location"].to_str().unwrap();
    location.split('?').next().unwrap().to_owned()
}

/// The text of a page as a person reads it: whitespace collapsed.
fn text(page: &scraper::Html) -> String {
    page.root_element()
        .text()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

async fn body(response: reqwest::Response) -> String {
    let html = scraper::Html::parse_document(&response.text().await.unwrap());
    text(&html)
}

#[tokio::test]
async fn a_delegated_tender_goes_from_the_request_to_its_phases() {
    let s = sua().await;
    let request = ask(&s).await;

    // The Ente sees its request waiting, with its CPV codes and document.
    let page = s.oderzo.page(&request, StatusCode::OK).await;
    let seen = text(&page);
    assert!(seen.contains("In attesa di risposta"), "{seen}");
    assert!(seen.contains("1.234.567,89 €"));
    assert!(seen.contains("45261000-4"));
    assert!(seen.contains("relazione.pdf"));

    // The operator finds it in the list and accepts it.
    let list = text(&s.operator.page("/treviso/sua", StatusCode::OK).await);
    assert!(list.contains("Rifacimento della copertura della palestra comunale"));
    let csrf = s.operator.csrf(&request).await;
    let accepted = s
        .operator
        .post_form(&format!("{request}/accetta"), &[("csrf", &csrf)])
        .await;
    assert_eq!(accepted.status(), StatusCode::SEE_OTHER);
    let tender_path = accepted.headers()["location"]
        .to_str()
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_owned();

    // A second acceptance is refused and makes nothing.
    let again = s
        .operator
        .post_form(&format!("{request}/accetta"), &[("csrf", &csrf)])
        .await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    assert!(body(again).await.contains("già stata decisa"));
    assert_eq!(
        tender::Entity::find().count(&s.app.state.db).await.unwrap(),
        1
    );

    // The tender starts in programming; the Ente sees it too.
    let page = text(&s.oderzo.page(&tender_path, StatusCode::OK).await);
    assert!(page.contains("fase Programmazione (1 di 7)"), "{page}");
    assert!(page.contains("non ancora assegnato"));

    // A malformed CIG is refused and what was typed stays in the form.
    let anac = [
        ("csrf", csrf.as_str()),
        ("cig", "8479825C20"),
        ("rup_name", "Maria Rossi"),
        ("station_fiscal_code", "80008870265"),
        ("ausa_code", "0000226345"),
        ("pad_name", "Sintel"),
        ("pad_url", "https://www.sintel.regione.lombardia.it/"),
    ];
    let refused = s.operator.post_form(&tender_path, &anac).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let refused = scraper::Html::parse_document(&refused.text().await.unwrap());
    assert!(text(&refused).contains("cifre di controllo"));
    assert_eq!(field_value(&refused, "rup_name"), "Maria Rossi");
    let mut good = anac;
    good[1] = ("cig", "8479824c20");
    assert_eq!(
        s.operator.post_form(&tender_path, &good).await.status(),
        StatusCode::SEE_OTHER
    );

    // A deadline and a responsible person for the design, then two steps ahead.
    let saved = s
        .operator
        .post_form(
            &format!("{tender_path}/fasi/progettazione"),
            &[
                ("csrf", &csrf),
                ("deadline", "2027-03-31"),
                ("responsible", "Arch. Paolo Conte"),
            ],
        )
        .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    for from in ["programmazione", "progettazione"] {
        let moved = s
            .operator
            .post_form(
                &format!("{tender_path}/avanza"),
                &[("csrf", &csrf), ("from", from)],
            )
            .await;
        assert_eq!(moved.status(), StatusCode::SEE_OTHER, "from {from}");
    }
    // A stale click does not skip a phase.
    let stale = s
        .operator
        .post_form(
            &format!("{tender_path}/avanza"),
            &[("csrf", &csrf), ("from", "progettazione")],
        )
        .await;
    assert_eq!(stale.status(), StatusCode::CONFLICT);
    assert!(
        body(stale)
            .await
            .contains("qualcuno l'ha già fatta avanzare")
    );

    let page = s.oderzo.page(&tender_path, StatusCode::OK).await;
    let seen = text(&page);
    assert!(
        seen.contains("fase Bando e pubblicazione (3 di 7)"),
        "{seen}"
    );
    assert!(seen.contains("8479824C20"));
    assert!(seen.contains("31/03/2027"));
    assert!(seen.contains("Arch. Paolo Conte"));
    let timeline = texts(&page, "ol.list-unstyled li");
    assert!(
        timeline
            .iter()
            .any(|l| l.contains("Richiesta di gara su delega inviata"))
    );
    assert!(timeline.iter().any(|l| l.contains("Richiesta accettata")));
    assert!(
        timeline
            .iter()
            .any(|l| l.contains("la gara passa alla fase «Bando e pubblicazione»"))
    );
    // The Ente reads; only the operator has the forms.
    assert!(!seen.contains("Salva i dati ANAC"));

    // Castelfranco joins the tender and then sees it.
    let castelfranco = comune_id(&s.app, "026012").await.to_string();
    s.castelfranco
        .page(&tender_path, StatusCode::NOT_FOUND)
        .await;
    let added = s
        .operator
        .post_form(
            &format!("{tender_path}/enti"),
            &[("csrf", &csrf), ("ente", &castelfranco)],
        )
        .await;
    assert_eq!(added.status(), StatusCode::SEE_OTHER);
    let twice = s
        .operator
        .post_form(
            &format!("{tender_path}/enti"),
            &[("csrf", &csrf), ("ente", &castelfranco)],
        )
        .await;
    assert_eq!(twice.status(), StatusCode::CONFLICT);
    s.castelfranco.page(&tender_path, StatusCode::OK).await;

    // Every change is in the audit log too.
    let actions: Vec<String> = pico_kernel::audit::entry::Entity::find()
        .all(&s.app.state.db)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    for action in [
        "sua.request.create",
        "sua.request.accept",
        "sua.tender.update",
        "sua.tender.advance",
        "sua.tender.participant",
    ] {
        assert!(
            actions.iter().any(|a| a == action),
            "{action} in {actions:?}"
        );
    }
}

#[tokio::test]
async fn each_sees_only_what_is_theirs() {
    let s = sua().await;
    let request = ask(&s).await;

    // Anonymous visitors are asked to sign in.
    let anonymous = s.app.browser();
    for path in ["/treviso/sua", NEW, request.as_str()] {
        let status = anonymous.get(path).await.status();
        assert!(
            status == StatusCode::UNAUTHORIZED || status == StatusCode::SEE_OTHER,
            "{path}: {status}"
        );
    }
    // Brescia's operator has nothing to do with Treviso's SUA.
    s.brescia.page("/treviso/sua", StatusCode::FORBIDDEN).await;
    s.brescia.page(&request, StatusCode::FORBIDDEN).await;
    let brescia_list = text(&s.brescia.page("/brescia/sua", StatusCode::OK).await);
    assert!(!brescia_list.contains("palestra"));
    // Another Ente of Treviso does not see Oderzo's request.
    s.castelfranco.page(&request, StatusCode::NOT_FOUND).await;
    let list = text(&s.castelfranco.page("/treviso/sua", StatusCode::OK).await);
    assert!(!list.contains("palestra"), "{list}");
    // Nor does an Ente decide.
    let csrf = s.oderzo.csrf(NEW).await;
    let response = s
        .oderzo
        .post_form(&format!("{request}/accetta"), &[("csrf", &csrf)])
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    // A Province that switched the module off has no SUA.
    let pesaro = space_id(&s.app, "pesaro-e-urbino").await;
    assert!(
        !spaces::enabled_modules(&s.app.state.db, pesaro)
            .await
            .unwrap()
            .contains("sua")
    );
    s.operator
        .page("/pesaro-e-urbino/sua", StatusCode::NOT_FOUND)
        .await;
}

#[tokio::test]
async fn an_ente_without_agreement_is_told_why_it_cannot_ask() {
    let s = sua().await;
    let form = s.castelfranco.page(NEW, StatusCode::OK).await;
    assert!(text(&form).contains("Nessuno dei tuoi Enti ha una convenzione in vigore"));
    let csrf = field_value(&form, "csrf");
    let castelfranco = comune_id(&s.app, "026012").await;
    let response = send_request(&s.castelfranco, request_form(&csrf, castelfranco, &[])).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let seen = body(response).await;
    assert!(
        seen.contains("Castelfranco Veneto non ha una convenzione in vigore"),
        "{seen}"
    );
    assert_eq!(
        request::Entity::find()
            .count(&s.app.state.db)
            .await
            .unwrap(),
        0
    );
    // Nor may one ask in the name of an Ente one does not belong to.
    let oderzo = comune_id(&s.app, "026051").await;
    let response = send_request(&s.castelfranco, request_form(&csrf, oderzo, &[])).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        request::Entity::find()
            .count(&s.app.state.db)
            .await
            .unwrap(),
        0
    );
}

#[tokio::test]
async fn bad_requests_are_refused_in_italian_keeping_what_was_typed() {
    let s = sua().await;
    let csrf = s.oderzo.csrf(NEW).await;
    let oderzo = comune_id(&s.app, "026051").await;
    for (changes, expected) in [
        (
            &[("amount", "-5.000,00")][..],
            "L'importo non può essere negativo.",
        ),
        (
            &[("amount", "dieci mila")][..],
            "non è valido: scrivilo in euro",
        ),
        (&[("amount", "1.000,555")][..], "più di due decimali"),
        (
            &[("cpv", "99999999")][..],
            "non esiste nel vocabolario CPV 2008",
        ),
        (
            &[("cpv", "45261000-1")][..],
            "il codice corretto è 45261000-4",
        ),
        (&[("cpv", "")][..], "Indica almeno un codice CPV"),
        (
            &[("contract_type", "altro")][..],
            "Scegli il tipo di contratto",
        ),
        (&[("procedure", "")][..], "Scegli la procedura"),
    ] {
        let response = send_request(&s.oderzo, request_form(&csrf, oderzo, changes)).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{changes:?}"
        );
        let page = scraper::Html::parse_document(&response.text().await.unwrap());
        let seen = text(&page);
        assert!(seen.contains(expected), "{changes:?}: {seen}");
        assert!(
            seen.contains("sceglili di nuovo"),
            "the files must be chosen again"
        );
        assert_eq!(
            field_value(&page, "object"),
            "Rifacimento della copertura della palestra comunale"
        );
    }
    // A file that is not a document.
    let form = request_form(&csrf, oderzo, &[]).part(
        "documents",
        Part::bytes(b"MZ\x90\x00".to_vec()).file_name("virus.pdf"),
    );
    let response = send_request(&s.oderzo, form).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body(response)
            .await
            .contains("«virus.pdf» non è in un formato accettato")
    );
    assert_eq!(
        request::Entity::find()
            .count(&s.app.state.db)
            .await
            .unwrap(),
        0
    );

    // A refusal needs its reason, which the Ente then reads.
    let request = ask(&s).await;
    let csrf = s.operator.csrf(&request).await;
    let response = s
        .operator
        .post_form(
            &format!("{request}/rifiuta"),
            &[("csrf", &csrf), ("reason", "  ")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body(response)
            .await
            .contains("Scrivi il motivo del rifiuto")
    );
    let reason = "L'importo supera la soglia della convenzione.";
    let response = s
        .operator
        .post_form(
            &format!("{request}/rifiuta"),
            &[("csrf", &csrf), ("reason", reason)],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let seen = text(&s.oderzo.page(&request, StatusCode::OK).await);
    assert!(
        seen.contains("Rifiutata") && seen.contains(reason),
        "{seen}"
    );
    // Decided: it can no longer be accepted.
    let response = s
        .operator
        .post_form(&format!("{request}/accetta"), &[("csrf", &csrf)])
        .await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    assert_eq!(
        tender::Entity::find().count(&s.app.state.db).await.unwrap(),
        0
    );
}

#[tokio::test]
async fn the_cpv_picker_finds_codes_by_words() {
    let s = sua().await;
    let found: Vec<serde_json::Value> = s
        .oderzo
        .get("/treviso/sua/cpv?q=sgombero%20neve")
        .await
        .json()
        .await
        .unwrap();
    assert!(
        found.iter().any(|c| c["display_code"] == "90620000-9"),
        "{found:?}"
    );
    let none: Vec<serde_json::Value> = s
        .oderzo
        .get("/treviso/sua/cpv?q=a")
        .await
        .json()
        .await
        .unwrap();
    assert!(none.is_empty());
}

#[tokio::test]
async fn the_province_keeps_its_agreements_with_the_signed_document() {
    let s = sua().await;
    let admin = person(
        &s.app,
        "admin.treviso@example.it",
        Role::SpaceAdmin,
        None,
        Some("treviso"),
    )
    .await;
    let path = "/treviso/gestione/convenzioni";
    let csrf = admin.csrf(path).await;
    let castelfranco = comune_id(&s.app, "026012").await.to_string();
    let form = |file: &'static [u8], starts: &str, ends: &str| {
        Form::new()
            .text("csrf", csrf.clone())
            .text("comune", castelfranco.clone())
            .text("starts_on", starts.to_owned())
            .text("ends_on", ends.to_owned())
            .part(
                "document",
                Part::bytes(file.to_vec()).file_name("convenzione.pdf"),
            )
    };
    let post = |form: Form| admin.client.post(admin.url(path)).multipart(form).send();

    let response = post(form(b"not a pdf", "2026-01-01", "")).await.unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = scraper::Html::parse_document(&response.text().await.unwrap());
    assert!(text(&page).contains("deve essere un file PDF"));
    assert_eq!(field_value(&page, "starts_on"), "2026-01-01");
    let response = post(form(PDF, "2026-01-01", "2025-12-31")).await.unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(response).await.contains("non può precedere"));

    let today = Utc::now().date_naive();
    let starts = (today - Duration::days(1)).to_string();
    let response = post(form(PDF, &starts, "")).await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let page = admin.page(path, StatusCode::OK).await;
    let rows = texts(&page, "tbody tr");
    let row = rows
        .iter()
        .find(|r| r.contains("Castelfranco Veneto"))
        .expect("listed");
    assert!(row.contains("In vigore"), "{row}");
    // Castelfranco may now ask.
    let form_page = text(&s.castelfranco.page(NEW, StatusCode::OK).await);
    assert!(!form_page.contains("Nessuno dei tuoi Enti ha una convenzione"));

    // The signed document is there for the Province only.
    let made = agreements::of_space(&s.app.state.db, space_id(&s.app, "treviso").await)
        .await
        .unwrap();
    let id = made
        .iter()
        .find(|a| a.document_name == "convenzione.pdf")
        .unwrap()
        .id;
    let document = admin.get(&format!("{path}/{id}/documento")).await;
    assert_eq!(document.status(), StatusCode::OK);
    assert_eq!(document.bytes().await.unwrap().as_ref(), PDF);
    assert_eq!(
        s.operator
            .get(&format!("{path}/{id}/documento"))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );

    // Ended yesterday: no longer in force, and Castelfranco is refused again.
    let yesterday = (today - Duration::days(1)).to_string();
    let response = admin
        .post_form(
            &format!("{path}/{id}/termina"),
            &[("csrf", &csrf), ("ends_on", &yesterday)],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let rows = texts(&admin.page(path, StatusCode::OK).await, "tbody tr");
    assert!(
        rows.iter()
            .any(|r| r.contains("Castelfranco Veneto") && r.contains("Terminata"))
    );
    let csrf = s.castelfranco.csrf(NEW).await;
    let response = send_request(
        &s.castelfranco,
        request_form(&csrf, castelfranco.parse().unwrap(), &[]),
    )
    .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}

/// Accepts a fresh request and moves its tender to `phase`; returns the tender's path.
async fn tender_in(s: &Sua, phases_to_pass: &[&str]) -> String {
    let request = ask(s).await;
    let csrf = s.operator.csrf(&request).await;
    let accepted = s
        .operator
        .post_form(&format!("{request}/accetta"), &[("csrf", &csrf)])
        .await;
    let path = accepted.headers()["location"]
        .to_str()
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    for from in phases_to_pass {
        let moved = s
            .operator
            .post_form(
                &format!("{path}/avanza"),
                &[("csrf", &csrf), ("from", from)],
            )
            .await;
        assert_eq!(moved.status(), StatusCode::SEE_OTHER, "from {from}");
    }
    path
}

#[tokio::test]
async fn the_contract_waits_for_the_winner_and_every_check_on_it() {
    let s = sua().await;
    let path = tender_in(
        &s,
        &["programmazione", "progettazione", "bando", "valutazione"],
    )
    .await;
    let csrf = s.operator.csrf(&path).await;
    let to_contract = [("csrf", csrf.as_str()), ("from", "aggiudicazione")];
    let advance = format!("{path}/avanza");

    // No winner yet: the contract phase must wait.
    let early = s.operator.post_form(&advance, &to_contract).await;
    assert_eq!(early.status(), StatusCode::CONFLICT);
    assert!(body(early).await.contains("registra l'aggiudicatario"));

    // A wrong VAT number is refused; what was typed stays; nothing is stored.
    let award = format!("{path}/aggiudicazione");
    let mut typed = vec![
        ("csrf", csrf.as_str()),
        ("supplier_name", "Edilnord Costruzioni S.r.l."),
        ("supplier_fiscal_code", "04123450267"),
        ("amount", "1.100.000,50"),
        ("awarded_on", "2026-01-15"),
    ];
    let refused = s.operator.post_form(&award, &typed).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let refused = scraper::Html::parse_document(&refused.text().await.unwrap());
    assert!(text(&refused).contains("non è una partita IVA valida"));
    assert_eq!(
        field_value(&refused, "supplier_name"),
        "Edilnord Costruzioni S.r.l."
    );
    assert_eq!(
        pico_sua::model::award::Entity::find()
            .count(&s.app.state.db)
            .await
            .unwrap(),
        0
    );
    // An Ente cannot record the winner.
    let oderzo_csrf = s.oderzo.csrf(&path).await;
    let mut theirs = typed.clone();
    theirs[0] = ("csrf", oderzo_csrf.as_str());
    theirs[2] = ("supplier_fiscal_code", "04123450266");
    assert_eq!(
        s.oderzo.post_form(&award, &theirs).await.status(),
        StatusCode::FORBIDDEN
    );

    typed[2] = ("supplier_fiscal_code", "04123450266");
    assert_eq!(
        s.operator.post_form(&award, &typed).await.status(),
        StatusCode::SEE_OTHER
    );
    let page = s.oderzo.page(&path, StatusCode::OK).await;
    let seen = text(&page);
    assert!(seen.contains("Edilnord Costruzioni S.r.l."), "{seen}");
    assert!(seen.contains("1.100.000,50 €"));
    assert!(seen.contains("Regolarità contributiva (DURC)"));
    assert!(!seen.contains("Salva la verifica"), "the Ente only reads");

    // The checks are listed, all to do: the contract still waits.
    let checks = pico_sua::model::check::Entity::find()
        .all(&s.app.state.db)
        .await
        .unwrap();
    assert_eq!(checks.len(), 10);
    let waiting = s.operator.post_form(&advance, &to_contract).await;
    assert_eq!(waiting.status(), StatusCode::CONFLICT);
    assert!(body(waiting).await.contains("10 da fare"));

    // An outcome needs its date and evidence.
    let first = format!("{path}/verifiche/{}", checks[0].id);
    let bare = s
        .operator
        .post_form(&first, &[("csrf", &csrf), ("outcome", "regolare")])
        .await;
    assert_eq!(bare.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(bare).await.contains("estremi della documentazione"));

    // One failed check blocks the contract with its reason.
    let failed = s
        .operator
        .post_form(
            &first,
            &[
                ("csrf", &csrf),
                ("outcome", "non_regolare"),
                ("checked_on", "2026-02-01"),
                ("evidence", "Certificato prot. 1234 del 01/02/2026"),
            ],
        )
        .await;
    assert_eq!(failed.status(), StatusCode::SEE_OTHER);
    let blocked = s.operator.post_form(&advance, &to_contract).await;
    assert_eq!(blocked.status(), StatusCode::CONFLICT);
    assert!(body(blocked).await.contains("non è regolare"));

    for c in &checks {
        let passed = s
            .operator
            .post_form(
                &format!("{path}/verifiche/{}", c.id),
                &[
                    ("csrf", &csrf),
                    ("outcome", "regolare"),
                    ("checked_on", "2026-02-02"),
                    ("evidence", "FVOE, esito acquisito il 02/02/2026"),
                ],
            )
            .await;
        assert_eq!(passed.status(), StatusCode::SEE_OTHER);
    }
    assert_eq!(
        s.operator.post_form(&advance, &to_contract).await.status(),
        StatusCode::SEE_OTHER
    );
    let page = text(&s.oderzo.page(&path, StatusCode::OK).await);
    assert!(page.contains("fase Contratto (6 di 7)"), "{page}");
    assert!(page.contains("Verifica «Regolarità contributiva (DURC)»: regolare."));
    // A check of another tender is not found through this one.
    let elsewhere = s
        .operator
        .post_form(
            &format!("{path}/verifiche/999999"),
            &[
                ("csrf", &csrf),
                ("outcome", "regolare"),
                ("checked_on", "2026-02-02"),
                ("evidence", "x"),
            ],
        )
        .await;
    assert_eq!(elsewhere.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_operator_downloads_the_dossier_for_the_platform() {
    let s = sua().await;
    let path = tender_in(&s, &["programmazione", "progettazione"]).await;
    let csrf = s.operator.csrf(&path).await;
    let anac = [
        ("csrf", csrf.as_str()),
        ("cig", "8479824C20"),
        ("rup_name", "Maria Rossi"),
        ("station_fiscal_code", "80008870265"),
        ("ausa_code", "0000226345"),
        ("pad_name", "Sintel"),
        ("pad_url", "https://www.sintel.regione.lombardia.it/"),
    ];
    assert_eq!(
        s.operator.post_form(&path, &anac).await.status(),
        StatusCode::SEE_OTHER
    );
    let bando = Form::new()
        .text("csrf", csrf.clone())
        .text("phase", "bando")
        .part("document", Part::bytes(PDF.to_vec()).file_name("bando.pdf"));
    let added = s
        .operator
        .client
        .post(s.operator.url(&format!("{path}/documenti")))
        .multipart(bando)
        .send()
        .await
        .unwrap();
    assert_eq!(added.status(), StatusCode::SEE_OTHER);

    let dossier = format!("{path}/fascicolo");
    assert_eq!(
        s.oderzo.get(&dossier).await.status(),
        StatusCode::FORBIDDEN,
        "the dossier is the operator's"
    );
    let response = s.operator.get(&dossier).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/zip");
    let bytes = response.bytes().await.unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut names: Vec<String> = archive
        .file_names()
        .map(|n| n.unwrap().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "00-dati-gara-ocds.json",
            "00-richiesta/relazione.pdf",
            "00-scheda-gara.txt",
            "03-bando/bando.pdf",
        ]
    );
    let mut read = |name: &str| {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut archive.by_name(name).unwrap(), &mut text).unwrap();
        text
    };
    let sheet = read("00-scheda-gara.txt");
    assert!(sheet.contains("CIG: 8479824C20"), "{sheet}");
    assert!(sheet.contains("RUP: Maria Rossi"));
    assert!(sheet.contains("Fase attuale: Bando e pubblicazione"));
    let release: serde_json::Value = serde_json::from_str(&read("00-dati-gara-ocds.json")).unwrap();
    assert_eq!(release["releases"].as_array().unwrap().len(), 1);
    assert_eq!(release["releases"][0]["tender"]["id"], "8479824C20");
    let mut pdf = Vec::new();
    std::io::Read::read_to_end(
        &mut archive.by_name("03-bando/bando.pdf").unwrap(),
        &mut pdf,
    )
    .unwrap();
    assert_eq!(pdf, PDF);
}

#[tokio::test]
async fn each_ente_has_its_own_support_thread_with_the_operators() {
    let s = sua().await;
    let path = tender_in(&s, &[]).await;
    let castelfranco = comune_id(&s.app, "026012").await;
    let oderzo = comune_id(&s.app, "026051").await;
    let csrf = s.operator.csrf(&path).await;
    let added = s
        .operator
        .post_form(
            &format!("{path}/enti"),
            &[("csrf", &csrf), ("ente", &castelfranco.to_string())],
        )
        .await;
    assert_eq!(added.status(), StatusCode::SEE_OTHER);

    // Oderzo asks; the operator who accepted the request hears of it by e-mail.
    let oderzo_csrf = s.oderzo.csrf(&path).await;
    let question = "Possiamo anticipare la pubblicazione del bando?\nServe entro marzo.";
    let asked = s
        .oderzo
        .post_form(
            &format!("{path}/supporto/{oderzo}"),
            &[("csrf", &oderzo_csrf), ("body", question)],
        )
        .await;
    assert_eq!(asked.status(), StatusCode::SEE_OTHER);
    let mails = s.app.mails_to("sua.treviso@example.it").await;
    assert_eq!(mails.len(), 1);
    assert!(mails[0].body.contains("Possiamo anticipare"));
    assert!(mails[0].body.contains(&format!("#supporto-{oderzo}")));

    // Oderzo cannot write in Castelfranco's thread, nor read it.
    let intruding = s
        .oderzo
        .post_form(
            &format!("{path}/supporto/{castelfranco}"),
            &[("csrf", &oderzo_csrf), ("body", "Ciao")],
        )
        .await;
    assert_eq!(intruding.status(), StatusCode::FORBIDDEN);
    let castelfranco_csrf = s.castelfranco.csrf(&path).await;
    let seen_by_castelfranco = text(&s.castelfranco.page(&path, StatusCode::OK).await);
    // Neither the thread nor the timeline tells another Ente.
    assert!(!seen_by_castelfranco.contains("anticipare"));

    // The operator answers; Oderzo's author is told; an empty answer is refused.
    let empty = s
        .operator
        .post_form(
            &format!("{path}/supporto/{oderzo}"),
            &[("csrf", &csrf), ("body", "   ")],
        )
        .await;
    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(empty).await.contains("Scrivi il messaggio"));
    let answered = s
        .operator
        .post_form(
            &format!("{path}/supporto/{oderzo}"),
            &[("csrf", &csrf), ("body", "Sì, lo pubblichiamo il 2 marzo.")],
        )
        .await;
    assert_eq!(answered.status(), StatusCode::SEE_OTHER);
    assert_eq!(s.app.mails_to("membro.oderzo@example.it").await.len(), 1);
    let page = text(&s.oderzo.page(&path, StatusCode::OK).await);
    assert!(page.contains("Possiamo anticipare la pubblicazione del bando?"));
    assert!(page.contains("Sì, lo pubblichiamo il 2 marzo."));

    // Castelfranco writes in its own thread; the operator sees both threads.
    let own = s
        .castelfranco
        .post_form(
            &format!("{path}/supporto/{castelfranco}"),
            &[
                ("csrf", &castelfranco_csrf),
                ("body", "Ci serve il capitolato."),
            ],
        )
        .await;
    assert_eq!(own.status(), StatusCode::SEE_OTHER);
    let operator_page = s.operator.page(&path, StatusCode::OK).await;
    let threads = texts(&operator_page, "#supporto ~ section h3");
    assert_eq!(threads.len(), 2, "{threads:?}");
    let seen = text(&operator_page);
    assert!(seen.contains("Ci serve il capitolato.") && seen.contains("anticipare"));
    // Nobody writes to an Ente that has nothing to do with the tender.
    let stranger = comune_id(&s.app, "026086").await;
    let elsewhere = s
        .operator
        .post_form(
            &format!("{path}/supporto/{stranger}"),
            &[("csrf", &csrf), ("body", "Ciao")],
        )
        .await;
    assert_eq!(elsewhere.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_rup_registry_is_searched_assigned_and_the_rup_sees_their_tenders() {
    let s = sua().await;
    let path = tender_in(&s, &[]).await;
    let registry = "/treviso/sua/rup";
    let csrf = s.operator.csrf(registry).await;
    let entry = |name: &'static str, email: &'static str, works: bool| {
        let mut fields = vec![
            ("csrf", csrf.clone()),
            ("name", name.to_owned()),
            ("email", email.to_owned()),
            ("qualification", "Funzionario tecnico, ingegnere".to_owned()),
            ("phone", "0422 000000".to_owned()),
            ("services", "on".to_owned()),
            ("available", "on".to_owned()),
        ];
        if works {
            fields.push(("works", "on".to_owned()));
        }
        fields
    };
    let operator = &s.operator;
    let post = |fields: Vec<(&'static str, String)>| async move {
        let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        operator.post_form(registry, &refs).await
    };
    // The tender is for works (the request form's default here is "lavori").
    assert_eq!(
        post(entry(
            "Ing. Chiara Zanatta",
            "chiara.zanatta@example.it",
            true
        ))
        .await
        .status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        post(entry(
            "Dott. Marco Bianchi",
            "marco.bianchi@example.it",
            false
        ))
        .await
        .status(),
        StatusCode::SEE_OTHER
    );
    // The same e-mail twice, or no competence, is refused in Italian.
    let twice = post(entry("Altra", "chiara.zanatta@example.it", true)).await;
    assert_eq!(twice.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(twice).await.contains("c'è già una persona"));

    // Search and filters.
    let found = texts(
        &s.operator
            .page(&format!("{registry}?q=zanatta"), StatusCode::OK)
            .await,
        "tbody th",
    );
    assert_eq!(found, ["Ing. Chiara Zanatta"]);
    let works = texts(
        &s.operator
            .page(&format!("{registry}?competenza=lavori"), StatusCode::OK)
            .await,
        "tbody th",
    );
    assert_eq!(works, ["Ing. Chiara Zanatta"]);

    // Only a competent RUP can be assigned.
    let rups = pico_sua::model::rups(&s.app.state.db, space_id(&s.app, "treviso").await, "")
        .await
        .unwrap();
    let bianchi = rups.iter().find(|r| r.name.contains("Bianchi")).unwrap();
    let zanatta = rups.iter().find(|r| r.name.contains("Zanatta")).unwrap();
    let tender_csrf = s.operator.csrf(&path).await;
    let wrong = s
        .operator
        .post_form(
            &format!("{path}/rup"),
            &[("csrf", &tender_csrf), ("rup", &bianchi.id.to_string())],
        )
        .await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(wrong).await.contains("non ha la competenza"));
    let assigned = s
        .operator
        .post_form(
            &format!("{path}/rup"),
            &[("csrf", &tender_csrf), ("rup", &zanatta.id.to_string())],
        )
        .await;
    assert_eq!(assigned.status(), StatusCode::SEE_OTHER);

    // The RUP signs in with the registry's e-mail and finds the tender.
    let person = identity::create_person(
        &s.app.state.db,
        "chiara.zanatta@example.it",
        "Chiara Zanatta",
        PASSWORD,
        false,
    )
    .await
    .unwrap();
    let rup = s.app.browser_of(person.id).await;
    let list = text(&rup.page("/treviso/sua", StatusCode::OK).await);
    assert!(
        list.contains("Rifacimento della copertura della palestra comunale"),
        "{list}"
    );
    let page = text(&rup.page(&path, StatusCode::OK).await);
    assert!(
        page.contains("RUP della gara: Ing. Chiara Zanatta"),
        "{page}"
    );
    // Someone else in the registry sees nothing of it.
    let other = identity::create_person(
        &s.app.state.db,
        "marco.bianchi@example.it",
        "Marco Bianchi",
        PASSWORD,
        false,
    )
    .await
    .unwrap();
    let other = s.app.browser_of(other.id).await;
    other.page(&path, StatusCode::NOT_FOUND).await;
}

#[tokio::test]
async fn each_lot_gets_its_own_cig_and_cpv_and_the_export_shows_them() {
    let s = sua().await;
    let path = tender_in(&s, &["programmazione", "progettazione"]).await;
    let id: i32 = path.rsplit('/').next().unwrap().parse().unwrap();
    for title in ["Sale per il disgelo", "Noleggio di spargisale"] {
        pico_sua::lots::create_lot(
            &s.app.state.db,
            id,
            pico_sua::lots::NewLot {
                title: title.into(),
                cig: None,
                amount: pico_sua::Euro::parse("10.000,00").unwrap(),
                cpv: None,
            },
        )
        .await
        .unwrap();
    }
    let lots = pico_sua::lots::lots_of(&s.app.state.db, id).await.unwrap();
    let csrf = s.operator.csrf(&path).await;
    let first = format!("{path}/lotti/{}", lots[0].id);
    let second = format!("{path}/lotti/{}", lots[1].id);

    // A mistyped CIG and an unknown CPV are refused; nothing is stored.
    let refused = s
        .operator
        .post_form(
            &first,
            &[("csrf", &csrf), ("cig", "9123457211"), ("cpv", "99999999")],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let said = body(refused).await;
    assert!(said.contains("9123457211"), "{said}");
    assert!(
        pico_sua::lots::lots_of(&s.app.state.db, id).await.unwrap()[0]
            .cig
            .is_none()
    );

    let saved = s
        .operator
        .post_form(
            &first,
            &[("csrf", &csrf), ("cig", "9123456211"), ("cpv", "34927100")],
        )
        .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    // The same CIG cannot be another lot's.
    let twice = s
        .operator
        .post_form(&second, &[("csrf", &csrf), ("cig", "9123456211")])
        .await;
    assert_eq!(twice.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(twice).await.contains("già di un altro lotto"));
    // An Ente reads the lots but cannot change them.
    let oderzo_csrf = s.oderzo.csrf(&path).await;
    assert_eq!(
        s.oderzo
            .post_form(&second, &[("csrf", &oderzo_csrf), ("cig", "9234567DC0")])
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    let page = text(&s.oderzo.page(&path, StatusCode::OK).await);
    assert!(page.contains("9123456211"), "{page}");
    assert!(
        page.contains("Lotto 1: CIG 9123456211, CPV 34927100-2."),
        "{page}"
    );

    let package: serde_json::Value = s
        .app
        .browser()
        .get("/api/v1/spaces/treviso/sua/ocds")
        .await
        .json()
        .await
        .unwrap();
    let release = &package["releases"][0];
    assert_eq!(release["tender"]["lots"][0]["id"], "9123456211");
    assert_eq!(release["tender"]["lots"][1]["id"], "lotto-2");
    let item = release["tender"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["relatedLot"] == "9123456211")
        .expect("the lot's item");
    assert_eq!(item["classification"]["id"], "34927100-2");
}
