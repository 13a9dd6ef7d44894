//! A requester's tickets in the download of their own data: what they wrote and what the help
//! desk answered them, as their ticket page shows it. Internal notes are the team's working
//! notes and stay out, like on the page.

use crate::merge;
use crate::model::{self, ticket};
use crate::rating;
use pico_kernel::spaces;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};

pub async fn of_person(db: &impl ConnectionTrait, person_id: i32) -> Result<Option<Value>, DbErr> {
    let tickets = ticket::Entity::find()
        .filter(ticket::Column::RequesterId.eq(person_id))
        .order_by_asc(ticket::Column::Id)
        .all(db)
        .await?;
    if tickets.is_empty() {
        return Ok(None);
    }
    let spaces = spaces::all(db).await?;
    let mut out = Vec::new();
    for t in tickets {
        let category = match t.category_id {
            Some(id) => model::category::Entity::find_by_id(id)
                .one(db)
                .await?
                .map(|c| c.name),
            None => None,
        };
        let timeline: Vec<_> = model::public_timeline(db, t.id)
            .await?
            .into_iter()
            .map(|e| {
                let by = if e.author_id == Some(person_id) {
                    "richiedente"
                } else {
                    "assistenza"
                };
                json!({ "at": e.created_at, "kind": e.kind, "by": by, "text": e.body })
            })
            .collect();
        let attachments: Vec<_> = model::attachments_of(db, t.id)
            .await?
            .into_iter()
            .map(|a| json!({ "filename": a.filename, "type": a.mime, "bytes": a.size, "added": a.created_at }))
            .collect();
        out.push(json!({
            "number": t.id,
            "space": spaces.iter().find(|s| s.id == t.space_id).map(|s| s.slug.clone()),
            "subject": t.subject,
            "description": t.description,
            "category": category,
            "status": t.status,
            "priority": t.priority,
            "opened": t.created_at,
            "first_response": t.first_response_at,
            "resolved": t.resolved_at,
            "merged_into": merge::merged_into(db, t.id).await?,
            "rating": rating::of_ticket(db, t.id)
                .await?
                .map(|r| json!({ "score": r.score, "comment": r.comment, "given": r.updated_at })),
            "timeline": timeline,
            "attachments": attachments,
        }));
    }
    Ok(Some(json!({ "tickets": out })))
}
