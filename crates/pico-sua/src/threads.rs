//! Each Ente of a tender has its own support thread with the Province's operators: the Ente
//! asks, the operators answer, and no other Ente reads it. Messages stay out of the timeline,
//! which every Ente of the tender sees, and out of the open data.

use crate::access::Viewer;
use crate::model::{self, message, tender};
use crate::requests::when;
use crate::tenders::{Typed, refuse, visible_tender};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use pico_kernel::identity::Actor;
use pico_kernel::identity::model::person;
use pico_kernel::mail::Mail;
use pico_kernel::spaces::Space;
use pico_kernel::web::audit_log::record;
use pico_kernel::web::{ClientAddress, CurrentSpace, check_csrf};
use pico_kernel::{AppState, Error};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use serde::Deserialize;
use std::collections::{BTreeSet, HashMap};

/// The longest message accepted.
const MAX_CHARS: usize = 5000;

pub struct MessageRow {
    pub author: String,
    pub from_operator: bool,
    pub when: String,
    /// The message's lines, without the empty ones.
    pub lines: Vec<String>,
}

/// The thread of one Ente, as the tender page shows it.
pub struct Thread {
    pub comune_id: i32,
    pub ente: String,
    pub messages: Vec<MessageRow>,
    /// A message that was refused, to write again.
    pub draft: String,
}

/// The Enti a tender concerns: the titolare and those taking part.
pub async fn concerned(state: &AppState, t: &tender::Model) -> Result<Vec<i32>, Error> {
    let mut ids: Vec<i32> = model::participants(&state.db, t.id)
        .await?
        .into_iter()
        .map(|p| p.comune_id)
        .collect();
    if !ids.contains(&t.titolare_comune_id) {
        ids.insert(0, t.titolare_comune_id);
    }
    Ok(ids)
}

/// The threads the viewer may read: every Ente's for the operators, their own Enti's for
/// the others.
pub async fn threads_for(
    state: &AppState,
    viewer: &Viewer,
    t: &tender::Model,
) -> Result<Vec<Thread>, Error> {
    let mine = viewer.ente_ids();
    let visible: Vec<i32> = concerned(state, t)
        .await?
        .into_iter()
        .filter(|id| viewer.operator || mine.contains(id))
        .collect();
    let messages = model::messages(&state.db, t.id, Some(&visible)).await?;
    let authors: HashMap<i32, String> = person::Entity::find()
        .filter(person::Column::Id.is_in(messages.iter().map(|m| m.author_id)))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|p| (p.id, p.display_name))
        .collect();
    Ok(visible
        .into_iter()
        .map(|comune_id| Thread {
            comune_id,
            ente: viewer.name_of(comune_id),
            messages: messages
                .iter()
                .filter(|m| m.comune_id == comune_id)
                .map(|m| MessageRow {
                    author: authors.get(&m.author_id).cloned().unwrap_or_default(),
                    from_operator: m.from_operator,
                    when: when(m.at),
                    lines: m
                        .body
                        .lines()
                        .map(str::trim)
                        .filter(|l| !l.is_empty())
                        .map(str::to_owned)
                        .collect(),
                })
                .collect(),
            draft: String::new(),
        })
        .collect())
}

#[derive(Deserialize)]
pub struct MessageForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    body: String,
}

pub async fn post(
    State(state): State<AppState>,
    actor: Actor,
    from: ClientAddress,
    CurrentSpace(space): CurrentSpace,
    Path((_, id, comune_id)): Path<(String, i32, i32)>,
    axum::Form(form): axum::Form<MessageForm>,
) -> Result<Response, Error> {
    let viewer = Viewer::of(&state, &actor, &space).await?;
    viewer.require_any(&actor)?;
    check_csrf(&actor, &form.csrf)?;
    let tender = visible_tender(&state, &space, &viewer, id).await?;
    if !concerned(&state, &tender).await?.contains(&comune_id) {
        return Err(Error::NotFound);
    }
    if !viewer.operator && !viewer.ente_ids().contains(&comune_id) {
        return Err(Error::Forbidden);
    }
    let body = form.body.trim().to_owned();
    let problem = if body.is_empty() {
        Some("Scrivi il messaggio prima di inviarlo.".to_owned())
    } else if body.chars().count() > MAX_CHARS {
        Some(format!(
            "Il messaggio può avere al massimo {MAX_CHARS} caratteri."
        ))
    } else {
        None
    };
    if let Some(message) = problem {
        let typed = Typed::Message(comune_id, form.body);
        let problem = (StatusCode::UNPROCESSABLE_ENTITY, message);
        return refuse(&state, &actor, space, &viewer, id, problem, typed).await;
    }
    let author = actor.person().ok_or(Error::Unauthenticated)?;
    let notify = recipients(&state, &tender, comune_id, viewer.operator)
        .await?
        .into_iter()
        .filter(|p| p.id != author.id)
        .map(|p| Mail {
            to: p.email,
            subject: format!("Gara n. {}: nuovo messaggio", tender.id),
            body: format!(
                "{} ha scritto nella richiesta di supporto di {} sulla gara «{}»:\n\n{}\n\nPer rispondere: {}\n",
                author.display_name,
                viewer.name_of(comune_id),
                tender.object,
                body,
                state.config.url(&thread_path(&space, tender.id, comune_id)),
            ),
            ..Default::default()
        })
        .collect();
    model::post_message(
        &state.db,
        message::ActiveModel {
            tender_id: Set(tender.id),
            comune_id: Set(comune_id),
            author_id: Set(author.id),
            from_operator: Set(viewer.operator),
            body: Set(body),
            at: Set(Utc::now()),
            ..Default::default()
        },
        notify,
    )
    .await?;
    record(
        &state,
        &actor,
        &from,
        "sua.tender.message",
        format!("sua_tender:{id}"),
        Some(space.id),
        serde_json::json!({ "ente": comune_id }),
    )
    .await?;
    Ok(Redirect::to(&thread_path(&space, tender.id, comune_id)).into_response())
}

fn thread_path(space: &Space, tender_id: i32, comune_id: i32) -> String {
    space.path_to(&format!(
        "/sua/gare/{tender_id}?fatto=messaggio#supporto-{comune_id}"
    ))
}

/// Who hears of a new message: the other side of the thread. For the Ente's message, the
/// operators who wrote in it, or else the one who accepted the request; for the operators',
/// the Ente's people who wrote in it.
async fn recipients(
    state: &AppState,
    t: &tender::Model,
    comune_id: i32,
    from_operator: bool,
) -> Result<Vec<person::Model>, Error> {
    let thread = model::messages(&state.db, t.id, Some(&[comune_id])).await?;
    let mut ids: BTreeSet<i32> = thread
        .iter()
        .filter(|m| m.from_operator != from_operator)
        .map(|m| m.author_id)
        .collect();
    if ids.is_empty() && !from_operator {
        let request = match t.request_id {
            Some(rid) => model::find_request(&state.db, t.space_id, rid).await?,
            None => None,
        };
        ids.extend(request.and_then(|r| r.decided_by));
    }
    Ok(person::Entity::find()
        .filter(person::Column::Id.is_in(ids))
        .all(&state.db)
        .await?)
}
