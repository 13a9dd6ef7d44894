//! A space's administrator sets up its help desk through the pages: working hours, SLA
//! targets, teams of agents, categories and routing rules; bad input comes back with an
//! Italian message and what was typed.

use chrono::Utc;
use pico_helpdesk::model::{self, NewTicket, Priority};
use pico_kernel::identity::Role;
use pico_kernel::test_support::{TestApp, field_value, texts};
use pico_kernel::{Registry, spaces};
use reqwest::StatusCode;
use std::sync::Arc;

const ADMIN: &str = "/treviso/helpdesk/gestione";

async fn app() -> TestApp {
    TestApp::spawn(Registry::new(vec![
        Arc::new(pico_portal::Portal),
        Arc::new(pico_helpdesk::Helpdesk),
    ]))
    .await
}

fn alerts(page: &str) -> Vec<String> {
    texts(&scraper::Html::parse_document(page), ".alert-danger")
}

#[tokio::test]
async fn an_administrator_sets_up_teams_categories_and_rules_that_route_tickets() {
    let app = app().await;
    let db = &app.state.db;
    let treviso = spaces::by_slug(db, "treviso").await.unwrap().unwrap();
    let (_, admin) = app
        .signed_in("admin@example.it", Some((Role::SpaceAdmin, "treviso")))
        .await;
    let (agent, _) = app
        .signed_in("sara@example.it", Some((Role::HelpdeskAgent, "treviso")))
        .await;
    let (brescia_agent, _) = app
        .signed_in("paolo@example.it", Some((Role::HelpdeskAgent, "brescia")))
        .await;
    let csrf = admin.csrf(ADMIN).await;

    // A team, with an empty name first.
    let r = admin
        .post_form(
            &format!("{ADMIN}/gruppi"),
            &[("csrf", &csrf), ("nome", "  ")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        alerts(&r.text().await.unwrap()),
        ["Scrivi il nome (al massimo 100 caratteri)."]
    );
    let r = admin
        .post_form(
            &format!("{ADMIN}/gruppi"),
            &[
                ("csrf", &csrf),
                ("nome", "Supporto gare"),
                ("assegnazione", "least_loaded"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let team = model::teams_of(db, treviso.id).await.unwrap().remove(0);
    assert_eq!(team.strategy, "least_loaded");

    // Only Treviso's agents join Treviso's teams.
    let team_form = format!("{ADMIN}/gruppi/{}", team.id);
    let r = admin
        .post_form(
            &team_form,
            &[
                ("csrf", &csrf),
                ("nome", "Supporto gare"),
                ("aggiungi", "paolo@example.it"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(alerts(&page)[0].contains("non è un operatore dell'assistenza di"));
    // What was typed is still there.
    assert!(page.contains("value=\"paolo@example.it\""));
    let r = admin
        .post_form(
            &team_form,
            &[
                ("csrf", &csrf),
                ("nome", "Supporto gare"),
                ("aggiungi", "Sara@Example.it"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let members = model::members_of(db, team.id).await.unwrap();
    assert_eq!(members.len(), 1);
    assert_eq!(members[0].person_id, agent);
    assert!(members[0].available);
    assert_ne!(members[0].person_id, brescia_agent);

    // A category about tenders, and the rule that sends it to the team.
    let r = admin
        .post_form(
            &format!("{ADMIN}/categorie"),
            &[
                ("csrf", &csrf),
                ("nome", "Gare e appalti"),
                ("modulo", "inesistente"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        alerts(&r.text().await.unwrap()),
        ["Il modulo scelto non esiste."]
    );
    let r = admin
        .post_form(
            &format!("{ADMIN}/categorie"),
            &[("csrf", &csrf), ("nome", "Gare e appalti"), ("modulo", "")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let category = model::categories_of(db, treviso.id)
        .await
        .unwrap()
        .remove(0);
    let r = admin
        .post_form(
            &format!("{ADMIN}/regole"),
            &[
                ("csrf", &csrf),
                ("categoria", &category.id.to_string()),
                ("gruppo", ""),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        alerts(&r.text().await.unwrap()),
        ["Scegli il gruppo che riceve i ticket."]
    );
    let r = admin
        .post_form(
            &format!("{ADMIN}/regole"),
            &[
                ("csrf", &csrf),
                ("categoria", &category.id.to_string()),
                ("gruppo", &team.id.to_string()),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = admin.page(ADMIN, StatusCode::OK).await;
    assert_eq!(
        texts(&page, "#regole ~ ol li")[0],
        "Se categoria «Gare e appalti»: gruppo «Supporto gare». Elimina la regola 1"
    );

    let ticket = model::open(
        db,
        NewTicket {
            space_id: treviso.id,
            requester_id: brescia_agent,
            category_id: Some(category.id),
            module_key: None,
            requester_space_id: None,
            subject: "CIG".into(),
            description: "Non trovo il CIG.".into(),
            priority: Priority::Normal,
        },
        Utc::now(),
    )
    .await
    .unwrap();
    assert_eq!(ticket.team_id, Some(team.id));
    assert_eq!(ticket.assignee_id, Some(agent));

    // Sara goes on holiday: no more tickets for her.
    let r = admin
        .post_form(
            &team_form,
            &[
                ("csrf", &csrf),
                ("nome", "Supporto gare"),
                (&format!("operatore_{agent}"), "assente"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(!model::members_of(db, team.id).await.unwrap()[0].available);
}

#[tokio::test]
async fn working_hours_and_targets_are_checked_and_kept_when_refused() {
    let app = app().await;
    let db = &app.state.db;
    let treviso = spaces::by_slug(db, "treviso").await.unwrap().unwrap();
    let (_, admin) = app
        .signed_in("admin@example.it", Some((Role::SpaceAdmin, "treviso")))
        .await;
    let page = admin.page(ADMIN, StatusCode::OK).await;
    let csrf = field_value(&page, "csrf");
    // The defaults: Monday to Friday, 9–13 and 14–17.
    assert_eq!(field_value(&page, "giorno0"), "09:00-13:00, 14:00-17:00");
    assert_eq!(field_value(&page, "giorno5"), "");
    assert_eq!(field_value(&page, "prima_urgent"), "1");

    let mut hours = vec![
        ("csrf", csrf.as_str()),
        ("giorno0", "08:30-14:30"),
        ("giorno1", "dalle 9"),
        ("patrono", "27/04"),
        ("riapertura", "7"),
    ];
    let r = admin.post_form(&format!("{ADMIN}/orari"), &hours).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert_eq!(
        alerts(&page),
        ["Martedì: «dalle 9» non è una fascia oraria come 09:00-13:00."]
    );
    assert!(page.contains("value=\"08:30-14:30\""));
    hours[2] = ("giorno1", "");
    hours[3] = ("patrono", "31/02");
    let r = admin.post_form(&format!("{ADMIN}/orari"), &hours).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        alerts(&r.text().await.unwrap()),
        ["«31/02» non è un giorno come 27/04."]
    );
    hours[3] = ("patrono", "27/04");
    let r = admin.post_form(&format!("{ADMIN}/orari"), &hours).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let schedule = model::schedule(db, treviso.id).await.unwrap();
    assert_eq!(schedule.patron(), Some((4, 27)));
    assert_eq!(schedule.week()[0].len(), 1);
    assert!(schedule.week()[1].is_empty());

    let mut targets = vec![("csrf".to_owned(), csrf.clone())];
    for p in ["low", "normal", "high", "urgent"] {
        targets.push((format!("prima_{p}"), "4".into()));
        targets.push((format!("risoluzione_{p}"), "14".into()));
    }
    targets[2].1 = "molte".into();
    let fields: Vec<(&str, &str)> = targets
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let r = admin.post_form(&format!("{ADMIN}/sla"), &fields).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        alerts(&r.text().await.unwrap()),
        ["Priorità bassa: indica le ore lavorative con un numero, per esempio 4 o 0,5."]
    );
    targets[2].1 = "14".into();
    targets[7].1 = "0,5".into();
    let fields: Vec<(&str, &str)> = targets
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let r = admin.post_form(&format!("{ADMIN}/sla"), &fields).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        model::targets(db, treviso.id, Priority::Urgent)
            .await
            .unwrap(),
        (30, 14 * 60)
    );
    let page = admin.page(ADMIN, StatusCode::OK).await;
    assert_eq!(field_value(&page, "prima_urgent"), "0,5");
}
