//! Needs-collection campaigns over HTTP, on SQLite and PostgreSQL: Treviso's SUA operator asks
//! three Comuni with an agreement for their needs, they answer (draft, then submit) until the
//! deadline, the operator watches the totals and turns the campaign into an aggregated tender
//! with one lot per group of items; reminders go only to the Enti still silent; bad input is
//! refused in Italian.

use chrono::{Duration, Utc};
use pico_kernel::agreements::{self, NewAgreement};
use pico_kernel::identity::{self, Role};
use pico_kernel::jobs;
use pico_kernel::territory::model::comune;
use pico_kernel::test_support::{Browser, PASSWORD, TestApp, texts};
use pico_kernel::{Registry, audit, spaces};
use pico_sua::campaigns::model::{answer, campaign, item};
use pico_sua::lots;
use pico_sua::model::{participant, tender};
use reqwest::StatusCode;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use std::sync::Arc;

const ODERZO: &str = "026051";
const CASTELFRANCO: &str = "026012";
const TREVISO: &str = "026086";

struct World {
    app: TestApp,
    operator: Browser,
    oderzo: Browser,
    castelfranco: Browser,
    treviso: Browser,
    /// The SUA operator of Brescia: another Province.
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

/// Given Treviso's SUA, with agreements with Oderzo, Castelfranco Veneto and Treviso.
async fn world() -> World {
    let app = TestApp::spawn(Registry::new(vec![Arc::new(pico_sua::Sua)])).await;
    let db = &app.state.db;
    for slug in ["treviso", "brescia"] {
        let id = space_id(&app, slug).await;
        spaces::set_module(db, id, "sua", true).await.unwrap();
    }
    let treviso = space_id(&app, "treviso").await;
    for istat in [ODERZO, CASTELFRANCO, TREVISO] {
        agreements::create(
            db,
            NewAgreement {
                space_id: treviso,
                comune_id: comune_id(&app, istat).await,
                starts_on: Utc::now().date_naive() - Duration::days(30),
                ends_on: None,
                document_key: "agreements/prova.pdf".into(),
                document_name: "prova.pdf".into(),
                created_by: 1,
            },
        )
        .await
        .unwrap();
    }
    World {
        operator: person(
            &app,
            "sua.treviso@example.it",
            Role::Operator,
            None,
            Some("treviso"),
        )
        .await,
        oderzo: person(
            &app,
            "membro.oderzo@example.it",
            Role::EnteMember,
            Some(ODERZO),
            None,
        )
        .await,
        castelfranco: person(
            &app,
            "admin.castelfranco@example.it",
            Role::EnteAdmin,
            Some(CASTELFRANCO),
            None,
        )
        .await,
        treviso: person(
            &app,
            "membro.treviso@example.it",
            Role::EnteMember,
            Some(TREVISO),
            None,
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

fn text(page: &scraper::Html) -> String {
    page.root_element()
        .text()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The cells of each row matching `css`, joined by " | ".
fn rows(page: &scraper::Html, css: &str) -> Vec<String> {
    let rows = scraper::Selector::parse(css).unwrap();
    let cells = scraper::Selector::parse("th, td").unwrap();
    page.select(&rows)
        .map(|row| {
            row.select(&cells)
                .map(|c| {
                    c.text()
                        .collect::<String>()
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .collect::<Vec<_>>()
                .join(" | ")
        })
        .collect()
}

async fn body(response: reqwest::Response) -> String {
    text(&scraper::Html::parse_document(
        &response.text().await.unwrap(),
    ))
}

fn location(response: &reqwest::Response) -> String {
    response.headers()["location"]
        .to_str()
        .unwrap()
        .split(['?', '#'])
        .next()
        .unwrap()
        .to_owned()
}

const NEW: &str = "/treviso/sua/campagne/nuova";

fn in_days(days: i64) -> String {
    (Utc::now() + Duration::days(days))
        .date_naive()
        .format("%Y-%m-%d")
        .to_string()
}

/// Creates a campaign for `enti` as the operator; returns its path.
async fn create(w: &World, enti: &[&str]) -> String {
    let csrf = w.operator.csrf(NEW).await;
    let mut fields = vec![
        ("csrf".to_owned(), csrf),
        ("title".into(), "Carta e cancelleria 2027".into()),
        (
            "description".into(),
            "Fabbisogno annuo degli uffici.".into(),
        ),
        ("deadline_date".into(), in_days(10)),
        ("deadline_time".into(), "12:00".into()),
    ];
    for istat in enti {
        fields.push(("ente".into(), comune_id(&w.app, istat).await.to_string()));
    }
    let response = w
        .operator
        .client
        .post(w.operator.url(NEW))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "campaign created");
    location(&response)
}

async fn add_item(
    w: &World,
    path: &str,
    group: &str,
    name: &str,
    unit: &str,
    price: &str,
) -> reqwest::Response {
    let csrf = w.operator.csrf(path).await;
    w.operator
        .post_form(
            &format!("{path}/voci"),
            &[
                ("csrf", &csrf),
                ("group_name", group),
                ("name", name),
                ("unit", unit),
                ("specifications", ""),
                ("price", price),
            ],
        )
        .await
}

async fn item_ids(w: &World) -> Vec<i32> {
    item::Entity::find()
        .order_by_asc(item::Column::Position)
        .all(&w.app.state.db)
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.id)
        .collect()
}

/// An Ente's answer: one quantity per item, in order.
async fn answer_as(
    b: &Browser,
    path: &str,
    ids: &[i32],
    quantities: &[&str],
    action: &str,
) -> reqwest::Response {
    let csrf = b.csrf(&format!("{path}/risposta")).await;
    let mut fields = vec![("csrf".to_owned(), csrf), ("azione".into(), action.into())];
    for (id, q) in ids.iter().zip(quantities) {
        fields.push((format!("quantita-{id}"), (*q).into()));
        fields.push((format!("nota-{id}"), "Per gli uffici demografici.".into()));
    }
    b.client
        .post(b.url(&format!("{path}/risposta")))
        .form(&fields)
        .send()
        .await
        .unwrap()
}

async fn stored(w: &World, istat: &str) -> Vec<i64> {
    let comune = comune_id(&w.app, istat).await;
    let mut rows = answer::Entity::find()
        .filter(answer::Column::ComuneId.eq(comune))
        .order_by_asc(answer::Column::ItemId)
        .all(&w.app.state.db)
        .await
        .unwrap();
    rows.sort_by_key(|a| a.item_id);
    rows.into_iter().map(|a| a.quantity_milli).collect()
}

/// A draft campaign with three items in two groups, ready to send.
async fn drafted(w: &World) -> (String, Vec<i32>) {
    let path = create(w, &[ODERZO, CASTELFRANCO, TREVISO]).await;
    for (group, name, unit, price) in [
        ("Carta", "Carta A4", "risme", "3,89"),
        ("Carta", "Carta A3", "risme", "7,90"),
        ("Cancelleria", "Penne", "confezioni", ""),
    ] {
        let added = add_item(w, &path, group, name, unit, price).await;
        assert_eq!(added.status(), StatusCode::SEE_OTHER, "{name} added");
    }
    (path, item_ids(w).await)
}

#[tokio::test]
async fn a_campaign_goes_from_the_questionnaire_to_the_aggregated_tender() {
    let w = world().await;
    let db = &w.app.state.db;
    let (path, ids) = drafted(&w).await;

    // A row added by mistake is removed while the campaign is a draft.
    add_item(&w, &path, "Carta", "Sbagliata", "pezzi", "").await;
    let wrong = *item_ids(&w).await.last().unwrap();
    let csrf = w.operator.csrf(&path).await;
    let removed = w
        .operator
        .post_form(&format!("{path}/voci/{wrong}/elimina"), &[("csrf", &csrf)])
        .await;
    assert_eq!(removed.status(), StatusCode::SEE_OTHER);
    assert_eq!(item_ids(&w).await, ids);
    let page = text(&w.operator.page(&path, StatusCode::OK).await);
    assert!(
        page.contains("Carta A4") && page.contains("3,89 €"),
        "{page}"
    );
    assert!(!page.contains("Sbagliata"));

    // Before it is sent, the Enti do not see it.
    w.oderzo
        .page(&format!("{path}/risposta"), StatusCode::NOT_FOUND)
        .await;

    // Sent: every Ente's people get a message; reminders wait for 3 and 1 days before.
    let sent = w
        .operator
        .post_form(&format!("{path}/invia"), &[("csrf", &csrf)])
        .await;
    assert_eq!(sent.status(), StatusCode::SEE_OTHER);
    let mails = w.app.mails_to("membro.oderzo@example.it").await;
    assert_eq!(mails.len(), 1);
    assert!(
        mails[0].subject.contains("Raccolta dei fabbisogni"),
        "{}",
        mails[0].subject
    );
    assert!(mails[0].body.contains("/risposta"));
    assert_eq!(
        w.app.mails_to("admin.castelfranco@example.it").await.len(),
        1
    );
    assert_eq!(w.app.mails_to("sua.brescia@example.it").await.len(), 0);
    let reminders = jobs::model::Entity::find()
        .filter(jobs::model::Column::Kind.eq("sua.campaign_reminder"))
        .filter(jobs::model::Column::State.eq("queued"))
        .count(db)
        .await
        .unwrap();
    assert_eq!(reminders, 2);
    // Its items cannot change any more, and it cannot be sent twice.
    assert_eq!(
        add_item(&w, &path, "Carta", "Tardiva", "pezzi", "")
            .await
            .status(),
        StatusCode::CONFLICT
    );
    let again = w
        .operator
        .post_form(&format!("{path}/invia"), &[("csrf", &csrf)])
        .await;
    assert_eq!(again.status(), StatusCode::CONFLICT);

    // Oderzo finds it in its list and saves a draft, in Italian numbers.
    let list = text(&w.oderzo.page("/treviso/sua/campagne", StatusCode::OK).await);
    assert!(
        list.contains("Carta e cancelleria 2027") && list.contains("da compilare"),
        "{list}"
    );
    let saved = answer_as(&w.oderzo, &path, &ids, &["1.234,5", "10", ""], "bozza").await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    assert_eq!(stored(&w, ODERZO).await, vec![1_234_500, 10_000, 0]);
    let page = w
        .oderzo
        .page(&format!("{path}/risposta"), StatusCode::OK)
        .await;
    assert_eq!(
        pico_kernel::test_support::field_value(&page, &format!("quantita-{}", ids[0])),
        "1.234,5"
    );

    // Castelfranco sees its own empty form, never Oderzo's answer.
    let theirs = w
        .castelfranco
        .page(&format!("{path}/risposta"), StatusCode::OK)
        .await;
    assert_eq!(
        pico_kernel::test_support::field_value(&theirs, &format!("quantita-{}", ids[0])),
        ""
    );
    assert!(!text(&theirs).contains("Per gli uffici demografici"));
    assert!(text(&theirs).contains("Fabbisogni di Castelfranco Veneto"));
    let oderzo = comune_id(&w.app, ODERZO).await;
    w.castelfranco
        .page(
            &format!("{path}/risposta?ente={oderzo}"),
            StatusCode::NOT_FOUND,
        )
        .await;
    // Nor does an Ente read the operators' pages.
    w.oderzo
        .page(&format!("{path}/aggregato"), StatusCode::FORBIDDEN)
        .await;
    w.oderzo.page(&path, StatusCode::FORBIDDEN).await;
    // Another Province's operator finds nothing.
    w.brescia
        .page(&format!("{path}/aggregato"), StatusCode::FORBIDDEN)
        .await;

    // A draft does not count in the totals.
    let aggregate = text(
        &w.operator
            .page(&format!("{path}/aggregato"), StatusCode::OK)
            .await,
    );
    assert!(
        aggregate.contains("Hanno inviato i fabbisogni 0 Enti su 3"),
        "{aggregate}"
    );

    // Oderzo submits: the answer becomes read-only.
    let submitted = answer_as(&w.oderzo, &path, &ids, &["1.234,5", "10", "3"], "invia").await;
    assert_eq!(submitted.status(), StatusCode::SEE_OTHER);
    let page = text(
        &w.oderzo
            .page(&format!("{path}/risposta"), StatusCode::OK)
            .await,
    );
    assert!(page.contains("Fabbisogni inviati il"), "{page}");
    let late = answer_as(&w.oderzo, &path, &ids, &["1", "1", "1"], "bozza").await;
    assert_eq!(late.status(), StatusCode::CONFLICT);
    assert_eq!(stored(&w, ODERZO).await, vec![1_234_500, 10_000, 3_000]);

    // The reminders go only to the Enti that have not submitted.
    jobs::model::Entity::update_many()
        .col_expr(
            jobs::model::Column::RunAt,
            Expr::value(Utc::now() - Duration::seconds(1)),
        )
        .filter(jobs::model::Column::Kind.eq("sua.campaign_reminder"))
        .exec(db)
        .await
        .unwrap();
    w.app.run_jobs().await;
    let reminded = |mails: Vec<pico_kernel::test_support::ReceivedMail>| {
        mails
            .iter()
            .filter(|m| m.subject.contains("Promemoria"))
            .count()
    };
    assert_eq!(
        reminded(w.app.mails_to("membro.oderzo@example.it").await),
        0
    );
    assert_eq!(
        reminded(w.app.mails_to("admin.castelfranco@example.it").await),
        2
    );
    assert_eq!(
        reminded(w.app.mails_to("membro.treviso@example.it").await),
        2
    );

    // Castelfranco submits; Treviso only saves a draft.
    let castelfranco = answer_as(&w.castelfranco, &path, &ids, &["100", "", "2"], "invia").await;
    assert_eq!(castelfranco.status(), StatusCode::SEE_OTHER);
    let treviso = answer_as(&w.treviso, &path, &ids, &["50", "50", "50"], "bozza").await;
    assert_eq!(treviso.status(), StatusCode::SEE_OTHER);

    // It cannot become a tender while open.
    let early = w
        .operator
        .post_form(
            &format!("{path}/gara"),
            &[
                ("csrf", &csrf),
                ("contract_type", "forniture"),
                ("procedure", "aperta"),
            ],
        )
        .await;
    assert_eq!(early.status(), StatusCode::CONFLICT);
    assert_eq!(tender::Entity::find().count(db).await.unwrap(), 0);

    // The deadline passes: Treviso's late answer is refused, its draft kept as it was.
    campaign::Entity::update_many()
        .col_expr(
            campaign::Column::Deadline,
            Expr::value(Utc::now() - Duration::minutes(1)),
        )
        .exec(db)
        .await
        .unwrap();
    let late = answer_as(&w.treviso, &path, &ids, &["999", "999", "999"], "invia").await;
    assert_eq!(late.status(), StatusCode::CONFLICT);
    assert!(body(late).await.contains("la scadenza è passata"));
    assert_eq!(stored(&w, TREVISO).await, vec![50_000, 50_000, 50_000]);

    // The totals count the two submitted answers: 1.334,5 risme × 3,89 € = 5.191,21 €.
    let page = w
        .operator
        .page(&format!("{path}/aggregato"), StatusCode::OK)
        .await;
    assert_eq!(
        rows(&page, "#totali tbody tr"),
        vec![
            "Carta | Carta A4 | risme | 1.334,5 | 3,89 € | 5.191,21 €",
            "Carta | Carta A3 | risme | 10 | 7,90 € | 79,00 €",
            "Cancelleria | Penne | confezioni | 5 | non indicato | non stimabile",
        ]
    );
    assert_eq!(
        rows(&page, "#totali tfoot tr"),
        vec![
            "Totale del lotto «Carta» | 5.270,21 €",
            "Totale del lotto «Cancelleria» | 0,00 €",
            "Totale stimato | 5.270,21 €",
        ]
    );
    assert_eq!(
        texts(&page, "#per-ente thead th"),
        vec!["Voce", "Oderzo", "Castelfranco Veneto", "Totale"]
    );
    assert_eq!(
        rows(&page, "#per-ente tbody tr")[0],
        "Carta A4 (risme) | 1.234,5 | 100 | 1.334,5"
    );
    let answers = rows(&page, "#risposte tbody tr");
    assert_eq!(
        answers[2], "Treviso | Bozza non ancora inviata",
        "{answers:?}"
    );
    let csv = w.operator.get(&format!("{path}/aggregato.csv")).await;
    assert_eq!(csv.status(), StatusCode::OK);
    let csv = csv.text().await.unwrap();
    assert!(
        csv.contains("Carta;Carta A4;risme;1.334,5;3,89 €;5.191,21 €;1.234,5;100"),
        "{csv}"
    );

    // It becomes one aggregated tender, with a lot per group and the answering Enti.
    let made = w
        .operator
        .post_form(
            &format!("{path}/gara"),
            &[
                ("csrf", &csrf),
                ("contract_type", "forniture"),
                ("procedure", "aperta"),
            ],
        )
        .await;
    assert_eq!(made.status(), StatusCode::SEE_OTHER);
    let tender_path = location(&made);
    let made = tender::Entity::find().one(db).await.unwrap().unwrap();
    assert_eq!(made.titolare_comune_id, oderzo, "the first to submit");
    assert_eq!(made.amount_cents, 527_021);
    assert_eq!(made.contract_type, "forniture");
    let lots = lots::lots_of(db, made.id).await.unwrap();
    let lots: Vec<(i32, String, i64)> = lots
        .into_iter()
        .map(|l| (l.position, l.title, l.amount_cents))
        .collect();
    assert_eq!(
        lots,
        vec![(1, "Carta".into(), 527_021), (2, "Cancelleria".into(), 0)]
    );
    let mut taking_part: Vec<i32> = participant::Entity::find()
        .filter(participant::Column::TenderId.eq(made.id))
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.comune_id)
        .collect();
    taking_part.sort();
    let mut expected = vec![oderzo, comune_id(&w.app, CASTELFRANCO).await];
    expected.sort();
    assert_eq!(taking_part, expected);
    let page = text(&w.castelfranco.page(&tender_path, StatusCode::OK).await);
    assert!(
        page.contains("Lotti") && page.contains("5.270,21 €"),
        "{page}"
    );
    assert!(page.contains("Gara aggregata creata dalla raccolta dei fabbisogni «Carta e cancelleria 2027»: 2 lotti"), "{page}");
    let audited = audit::entry::Entity::find()
        .filter(audit::entry::Column::Action.eq("sua.campaign.tender"))
        .count(db)
        .await
        .unwrap();
    assert_eq!(audited, 1);
    let page = text(&w.operator.page(&path, StatusCode::OK).await);
    assert!(
        page.contains(&format!("Gara aggregata n. {}", made.id)),
        "{page}"
    );

    // A second click makes nothing.
    let again = w
        .operator
        .post_form(&format!("{path}/gara"), &[("csrf", &csrf)])
        .await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    assert!(body(again).await.contains("già stata trasformata in gara"));
    assert_eq!(tender::Entity::find().count(db).await.unwrap(), 1);
    assert_eq!(lots::lots_of(db, made.id).await.unwrap().len(), 2);
}

#[tokio::test]
async fn bad_campaigns_are_refused_in_italian_keeping_what_was_typed() {
    let w = world().await;
    let db = &w.app.state.db;
    let csrf = w.operator.csrf(NEW).await;
    let oderzo = comune_id(&w.app, ODERZO).await.to_string();
    let brescia = comune_id(&w.app, "017029").await.to_string();
    let post = |fields: Vec<(&'static str, String)>| {
        let b = &w.operator;
        async move {
            b.client
                .post(b.url(NEW))
                .form(&fields)
                .send()
                .await
                .unwrap()
        }
    };
    let base = |date: String, ente: Option<String>| {
        let mut f = vec![
            ("csrf", csrf.clone()),
            ("title", "Arredi scolastici".to_owned()),
            ("deadline_date", date),
            ("deadline_time", "09:30".to_owned()),
        ];
        if let Some(e) = ente {
            f.push(("ente", e));
        }
        f
    };

    let past = post(base(in_days(-1), Some(oderzo.clone()))).await;
    assert_eq!(past.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = scraper::Html::parse_document(&past.text().await.unwrap());
    assert!(text(&page).contains("La scadenza deve essere nel futuro"));
    assert_eq!(
        pico_kernel::test_support::field_value(&page, "title"),
        "Arredi scolastici"
    );
    assert_eq!(
        texts(&page, "input[name=ente][checked] + label"),
        vec!["Oderzo"]
    );

    let nobody = post(base(in_days(5), None)).await;
    assert_eq!(nobody.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(nobody).await.contains("Scegli almeno un Ente"));

    let foreign = post(base(in_days(5), Some(brescia))).await;
    assert_eq!(foreign.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body(foreign)
            .await
            .contains("solo Comuni del territorio con una convenzione")
    );

    let garbled = post(base("31/02/2027".into(), Some(oderzo.clone()))).await;
    assert_eq!(garbled.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(campaign::Entity::find().count(db).await.unwrap(), 0);

    // An item with a wrong price is refused and shown again; a campaign without items
    // cannot be sent.
    let path = create(&w, &[ODERZO]).await;
    let wrong = add_item(&w, &path, "Arredi", "Banchi", "pezzi", "-12").await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = scraper::Html::parse_document(&wrong.text().await.unwrap());
    assert!(text(&page).contains("L'importo non può essere negativo"));
    assert_eq!(
        pico_kernel::test_support::field_value(&page, "name"),
        "Banchi"
    );
    assert_eq!(item::Entity::find().count(db).await.unwrap(), 0);
    let csrf = w.operator.csrf(&path).await;
    let empty = w
        .operator
        .post_form(&format!("{path}/invia"), &[("csrf", &csrf)])
        .await;
    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(empty).await.contains("Aggiungi almeno una voce"));

    // Negative or garbled quantities are refused; nothing is stored; what was typed stays.
    add_item(&w, &path, "Arredi", "Banchi", "pezzi", "45").await;
    add_item(&w, &path, "Arredi", "Sedie", "pezzi", "").await;
    let sent = w
        .operator
        .post_form(&format!("{path}/invia"), &[("csrf", &csrf)])
        .await;
    assert_eq!(sent.status(), StatusCode::SEE_OTHER);
    let ids = item_ids(&w).await;
    let refused = answer_as(&w.oderzo, &path, &ids, &["-3", "tanti"], "invia").await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = scraper::Html::parse_document(&refused.text().await.unwrap());
    let seen = text(&page);
    assert!(
        seen.contains("La quantità non può essere negativa."),
        "{seen}"
    );
    assert!(seen.contains("La quantità «tanti» non è valida"), "{seen}");
    assert_eq!(
        pico_kernel::test_support::field_value(&page, &format!("quantita-{}", ids[1])),
        "tanti"
    );
    assert_eq!(answer::Entity::find().count(db).await.unwrap(), 0);
    let invited = pico_sua::campaigns::model::invited::Entity::find()
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert!(invited.submitted_at.is_none());

    // An Ente that was not invited does not find the campaign.
    w.castelfranco
        .page(&format!("{path}/risposta"), StatusCode::NOT_FOUND)
        .await;
}
