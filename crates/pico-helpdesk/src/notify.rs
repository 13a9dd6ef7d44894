//! E-mail about tickets. Each message is queued as a durable `mail.send` job in the same
//! transaction as the change it tells about: it goes out once the change is saved, and is
//! retried by the job queue if the mail server is away. An internal note never sends mail.

use crate::model::{self, Status, member, team, ticket};
use pico_kernel::identity::model::person;
use pico_kernel::mail::{self, Mail};
use pico_kernel::spaces::Space;
use pico_kernel::{AppState, Error};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

fn link(state: &AppState, space: &Space, t: &ticket::Model) -> String {
    state
        .config
        .url(&space.path_to(&format!("/helpdesk/ticket/{}", t.id)))
}

async fn email_of(db: &impl ConnectionTrait, id: i32) -> Result<Option<String>, Error> {
    Ok(person::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(|p| p.email))
}

/// Where to write to the requester of a ticket, and the link to give them: a guest gets a new
/// private link (only its digest is stored, so an old one cannot be copied into a message).
async fn requester_contact(
    state: &AppState,
    db: &impl ConnectionTrait,
    space: &Space,
    t: &ticket::Model,
) -> Result<(Option<String>, String), Error> {
    if let Some(guest) = model::guest_of(db, t.id).await? {
        let token = model::new_guest_link(db, t.id).await?;
        let link = state
            .config
            .url(&space.path_to(&format!("/helpdesk/segui/{token}")));
        return Ok((Some(guest.email), link));
    }
    Ok((email_of(db, t.requester_id).await?, link(state, space, t)))
}

/// The confirmation to a guest who opened a ticket, with the private link to follow it.
pub async fn guest_opened(
    state: &AppState,
    db: &impl ConnectionTrait,
    space: &Space,
    t: &ticket::Model,
    guest: &model::Guest,
    token: &str,
) -> Result<(), Error> {
    let link = state
        .config
        .url(&space.path_to(&format!("/helpdesk/segui/{token}")));
    let body = format!(
        "Buongiorno {},\n\nabbiamo ricevuto la sua richiesta «{}» all'assistenza di {} \
         (ticket n. {}).\n\nPer seguirla e rispondere agli operatori apra questo indirizzo, \
         che è personale: non lo inoltri ad altri.\n{link}\n\n\
         Se non ha scritto lei all'assistenza, ignori questo messaggio.\n",
        guest.name, t.subject, space.name, t.id
    );
    send(
        db,
        Some(guest.email.clone()),
        format!("[Ticket n. {}] Richiesta ricevuta: {}", t.id, t.subject),
        body,
    )
    .await
}

async fn send(
    db: &impl ConnectionTrait,
    to: Option<String>,
    subject: String,
    body: String,
) -> Result<(), Error> {
    if let Some(to) = to {
        mail::queue(
            db,
            Mail {
                to,
                subject,
                body,
                ..Mail::default()
            },
        )
        .await?;
    }
    Ok(())
}

/// A new ticket: to the agent who took it, or to every available agent of its team.
pub async fn opened(
    state: &AppState,
    db: &impl ConnectionTrait,
    space: &Space,
    t: &ticket::Model,
) -> Result<(), Error> {
    let recipients = match (t.assignee_id, t.team_id) {
        (Some(agent), _) => vec![agent],
        (None, Some(team_id)) => member::Entity::find()
            .filter(member::Column::TeamId.eq(team_id))
            .filter(member::Column::Available.eq(true))
            .all(db)
            .await?
            .into_iter()
            .map(|m| m.person_id)
            .collect(),
        (None, None) => Vec::new(),
    };
    let team = match t.team_id {
        Some(id) => team::Entity::find_by_id(id).one(db).await?.map(|x| x.name),
        None => None,
    };
    for agent in recipients {
        let body = format!(
            "È arrivata una nuova richiesta di assistenza{}{}.\n\n\
             Oggetto: {}\n\n{}\n\nPer rispondere: {}\n",
            team.as_deref()
                .map(|n| format!(" per il gruppo «{n}»"))
                .unwrap_or_default(),
            if t.assignee_id.is_some() {
                ", assegnata a te"
            } else {
                ""
            },
            t.subject,
            t.description,
            link(state, space, t),
        );
        send(
            db,
            email_of(db, agent).await?,
            format!("[Ticket n. {}] Nuova richiesta: {}", t.id, t.subject),
            body,
        )
        .await?;
    }
    Ok(())
}

/// A ticket moved to another agent.
pub async fn assigned(
    state: &AppState,
    db: &impl ConnectionTrait,
    space: &Space,
    t: &ticket::Model,
) -> Result<(), Error> {
    let Some(agent) = t.assignee_id else {
        return Ok(());
    };
    let body = format!(
        "Ti è stata assegnata la richiesta «{}».\n\nPer rispondere: {}\n",
        t.subject,
        link(state, space, t)
    );
    send(
        db,
        email_of(db, agent).await?,
        format!("[Ticket n. {}] Assegnato a te: {}", t.id, t.subject),
        body,
    )
    .await
}

/// An agent's public reply: to the requester, with the text.
pub async fn agent_replied(
    state: &AppState,
    db: &impl ConnectionTrait,
    space: &Space,
    t: &ticket::Model,
    text: &str,
) -> Result<(), Error> {
    let (to, link) = requester_contact(state, db, space, t).await?;
    let body = format!(
        "Buongiorno,\n\nc'è una risposta alla sua richiesta «{}» all'assistenza di {}:\n\n{}\n\n\
         Per leggerla e rispondere: {}\n",
        t.subject, space.name, text, link
    );
    send(
        db,
        to,
        format!("[Ticket n. {}] Risposta: {}", t.id, t.subject),
        body,
    )
    .await
}

/// The requester's reply: to the agent who has the ticket.
pub async fn requester_replied(
    state: &AppState,
    db: &impl ConnectionTrait,
    space: &Space,
    t: &ticket::Model,
) -> Result<(), Error> {
    let Some(agent) = t.assignee_id else {
        return Ok(());
    };
    let body = format!(
        "Il richiedente ha risposto sulla richiesta «{}».\n\nPer leggere: {}\n",
        t.subject,
        link(state, space, t)
    );
    send(
        db,
        email_of(db, agent).await?,
        format!(
            "[Ticket n. {}] Risposta del richiedente: {}",
            t.id, t.subject
        ),
        body,
    )
    .await
}

/// A new status: to the requester.
pub async fn status_changed(
    state: &AppState,
    db: &impl ConnectionTrait,
    space: &Space,
    t: &ticket::Model,
) -> Result<(), Error> {
    let status = Status::parse(&t.status).map_or("", Status::label);
    let (to, link) = requester_contact(state, db, space, t).await?;
    let body = format!(
        "Buongiorno,\n\nla sua richiesta «{}» all'assistenza di {} ora è: {}.\n\n\
         Per seguirla: {}\n",
        t.subject,
        space.name,
        status.to_lowercase(),
        link
    );
    send(
        db,
        to,
        format!("[Ticket n. {}] {}: {}", t.id, status, t.subject),
        body,
    )
    .await
}
