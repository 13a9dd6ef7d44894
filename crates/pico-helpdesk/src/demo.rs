//! Demo help desk: teams of agents in Treviso and at UPI, categories and routing rules in
//! Treviso, a few tickets with replies and an internal note, and resolved ones rated by their
//! requester. Added once; never on a real installation.

use crate::fields::Kind;
use crate::model::{self, Change, EventKind, NewTicket, Priority, Status, team};
use crate::routing::{Strategy, Subject};
use crate::sla::Schedule;
use chrono::{Duration, Utc};
use pico_kernel::identity::{self, Role};
use pico_kernel::seed::DEMO_PASSWORD;
use pico_kernel::spaces;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, DatabaseConnection, EntityTrait, PaginatorTrait,
};

/// A demo person, created when missing, with `role` in the space `slug`.
async fn person(
    db: &DatabaseConnection,
    local: &str,
    name: &str,
    role: Option<(Role, i32)>,
) -> anyhow::Result<i32> {
    let email = format!("{local}@demo.pico.localhost");
    if let Some(p) = identity::find_by_email(db, &email).await? {
        return Ok(p.id);
    }
    let p = identity::create_person(db, &email, name, DEMO_PASSWORD, true).await?;
    if let Some((role, space)) = role {
        identity::grant(db, p.id, role, Some(space), None, None).await?;
    }
    Ok(p.id)
}

pub async fn seed(db: &DatabaseConnection) -> anyhow::Result<()> {
    if team::Entity::find().count(db).await? > 0 {
        return Ok(());
    }
    let (Some(treviso), Some(upi)) = (
        spaces::by_slug(db, "treviso").await?,
        spaces::national(db).await.ok(),
    ) else {
        return Ok(());
    };

    // Treviso: a front desk taking turns, a team for tenders by load; San Liberale on 27/04.
    let sara = person(db, "helpdesk.treviso", "Sara Pavan", None).await?;
    let nicola = person(
        db,
        "helpdesk2.treviso",
        "Nicola Zanatta",
        Some((Role::HelpdeskAgent, treviso.id)),
    )
    .await?;
    let desk = model::create_team(
        db,
        treviso.id,
        "Sportello digitale",
        Strategy::RoundRobin,
        Some(sara),
    )
    .await?;
    model::set_member(db, desk.id, sara, true).await?;
    model::set_member(db, desk.id, nicola, true).await?;
    let tenders = model::create_team(
        db,
        treviso.id,
        "Supporto gare",
        Strategy::LeastLoaded,
        Some(nicola),
    )
    .await?;
    model::set_member(db, tenders.id, nicola, true).await?;
    let access = model::create_category(db, treviso.id, "Accesso e registrazione", None).await?;
    let tender = model::create_category(db, treviso.id, "Gare e appalti", Some("sua")).await?;
    model::create_category(db, treviso.id, "Newsletter", Some("newsletter")).await?;
    let other = model::create_category(db, treviso.id, "Altro", None).await?;
    // A tender's requests name the tender by its CIG, and may name the Ente it is for.
    crate::fields::add(db, treviso.id, tender.id, "CIG della gara", Kind::Cig, true).await?;
    let ente = "Ente committente";
    crate::fields::add(db, treviso.id, tender.id, ente, Kind::Ente, false).await?;
    for (category, module, question, answer) in [
        (
            Some(access.id),
            None,
            "Non ricevo l'e-mail di conferma della registrazione: cosa faccio?",
            "Controlla la cartella della posta indesiderata: il messaggio arriva da un indirizzo \
             della piattaforma.\n\nSe dopo un'ora non c'è, scrivi all'assistenza con il modulo \
             «Chiedi aiuto senza account»: un operatore controllerà l'indirizzo.",
        ),
        (
            Some(access.id),
            None,
            "Posso entrare con SPID o CIE?",
            "Sì: nella pagina di accesso scegli «Entra con SPID» o «Entra con CIE». Il tuo account \
             viene riconosciuto dal codice fiscale.",
        ),
        (
            Some(tender.id),
            Some("sua"),
            "Come chiedo alla Stazione unica appaltante di gestire una gara?",
            "Dal modulo SUA, con un account del tuo Ente, scegli «Nuova richiesta» e allega il \
             progetto e la determina a contrarre.",
        ),
    ] {
        crate::faq::create(
            db,
            treviso.id,
            crate::faq::Draft {
                category_id: category,
                module_key: module.map(str::to_owned),
                question: question.into(),
                answer: answer.into(),
                published: true,
                created_from_ticket: None,
            },
        )
        .await?;
    }
    for (title, body) in [
        (
            "E-mail di conferma inviata di nuovo",
            "Buongiorno {nome},\n\nabbiamo inviato di nuovo l'e-mail di conferma. Se non la \
             trova, controlli la posta indesiderata e ci scriva qui.",
        ),
        (
            "Chiusura per mancanza di risposta",
            "Buongiorno {nome},\n\nnon avendo ricevuto risposta chiudiamo il ticket n. {numero}. \
             Se il problema si ripresenta, apra una nuova richiesta.",
        ),
    ] {
        crate::saved::add(db, treviso.id, title.into(), body.into()).await?;
    }
    model::add_rule(
        db,
        treviso.id,
        Subject {
            category_id: Some(tender.id),
            ..Subject::default()
        },
        tenders.id,
    )
    .await?;
    model::add_rule(
        db,
        treviso.id,
        Subject {
            module_key: Some("sua".into()),
            ..Subject::default()
        },
        tenders.id,
    )
    .await?;
    let schedule = Schedule::new(
        chrono_tz::Europe::Rome,
        Schedule::default().week().clone(),
        Some((4, 27)),
    )
    .map_err(anyhow::Error::msg)?;
    model::save_settings(db, treviso.id, &schedule, Some(desk.id), 7).await?;
    model::set_targets(db, treviso.id, Priority::Urgent, 60, 7 * 60).await?;

    // UPI: the platform's help desk.
    let roberto = person(
        db,
        "helpdesk.upi",
        "Roberto Galli",
        Some((Role::HelpdeskAgent, upi.id)),
    )
    .await?;
    let platform = model::create_team(
        db,
        upi.id,
        "Assistenza piattaforma",
        Strategy::RoundRobin,
        Some(roberto),
    )
    .await?;
    model::set_member(db, platform.id, roberto, true).await?;
    model::create_category(db, upi.id, "Accesso e registrazione", None).await?;
    model::create_category(db, upi.id, "Uso della piattaforma", None).await?;
    model::save_settings(db, upi.id, &Schedule::default(), Some(platform.id), 7).await?;

    // A citizen's ticket in Treviso, answered, with a note the citizen never sees.
    let Some(citizen) = identity::find_by_email(db, "cittadino@demo.pico.localhost").await? else {
        return Ok(());
    };
    let opened = Utc::now() - Duration::days(2);
    let ticket = model::open(
        db,
        NewTicket {
            space_id: treviso.id,
            requester_id: citizen.id,
            category_id: Some(access.id),
            module_key: None,
            requester_space_id: Some(treviso.id),
            subject: "Non ricevo l'e-mail di conferma".into(),
            description: "Mi sono registrata ieri ma l'e-mail per confermare l'indirizzo non è \
                          mai arrivata, nemmeno nella posta indesiderata."
                .into(),
            priority: Priority::Normal,
        },
        opened,
    )
    .await?;
    let agent = ticket.assignee_id.unwrap_or(sara);
    model::record(
        db,
        ticket.id,
        Some(agent),
        EventKind::Note,
        "Il dominio della casella rifiuta i nostri messaggi: segnalato ai sistemisti.".into(),
        false,
        opened + Duration::hours(1),
    )
    .await?;
    model::record(
        db,
        ticket.id,
        Some(agent),
        EventKind::Reply,
        "Buongiorno, abbiamo inviato di nuovo l'e-mail. Ci può dire se ora è arrivata?".into(),
        true,
        opened + Duration::hours(2),
    )
    .await?;
    let mut waiting: model::ticket::ActiveModel = ticket.into();
    waiting.status = Set(Status::WaitingForRequester.as_str().to_owned());
    waiting.first_response_at = Set(Some(opened + Duration::hours(2)));
    waiting.updated_at = Set(opened + Duration::hours(2));
    waiting.update(db).await?;

    model::open(
        db,
        NewTicket {
            space_id: treviso.id,
            requester_id: citizen.id,
            category_id: Some(other.id),
            module_key: Some("newsletter".into()),
            requester_space_id: Some(treviso.id),
            subject: "Cambiare l'indirizzo della newsletter".into(),
            description: "Vorrei ricevere la newsletter su un altro indirizzo.".into(),
            priority: Priority::Low,
        },
        Utc::now() - Duration::hours(3),
    )
    .await?;

    // Resolved tickets, most of them rated, so that the reports have something to show.
    for (days, category, subject, answer, score, comment) in [
        (
            6,
            access.id,
            "Password dimenticata",
            "Le abbiamo inviato il collegamento per sceglierne una nuova.",
            Some(5),
            "Risolto in pochi minuti, grazie.",
        ),
        (
            12,
            tender.id,
            "Allegato della gara non leggibile",
            "Abbiamo ricaricato il documento firmato: ora si apre.",
            Some(3),
            "",
        ),
        (
            20,
            other.id,
            "Come cambio il mio indirizzo e-mail?",
            "Dal profilo, nella sezione «I miei dati».",
            None,
            "",
        ),
    ] {
        let opened = Utc::now() - Duration::days(days);
        let t = model::open(
            db,
            NewTicket {
                space_id: treviso.id,
                requester_id: citizen.id,
                category_id: Some(category),
                module_key: None,
                requester_space_id: Some(treviso.id),
                subject: subject.into(),
                description: "Vi scrivo per un problema con la piattaforma.".into(),
                priority: Priority::Normal,
            },
            opened,
        )
        .await?;
        let agent = t.assignee_id.unwrap_or(sara);
        let t = model::add_message(
            db,
            &t,
            agent,
            answer,
            false,
            false,
            opened + Duration::hours(3),
        )
        .await?;
        let resolved = Change {
            status: Status::Resolved,
            priority: Priority::Normal,
            category_id: t.category_id,
            team_id: t.team_id,
        };
        let t = model::change(db, &t, agent, resolved, opened + Duration::hours(5)).await?;
        if let Some(score) = score {
            crate::rating::rate(db, &t, score, comment, opened + Duration::hours(6)).await?;
        }
    }
    Ok(())
}
