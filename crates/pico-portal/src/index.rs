//! The content in the site search: a published item for everybody, a draft or a scheduled one
//! for its space's editors only, an archived or deleted one for nobody.

use crate::html;
use crate::model::{self, Kind, Status, content};
use chrono::Utc;
use pico_kernel::search::{self, PUBLIC, editors_of};
use pico_kernel::spaces::{self, Space};
use pico_kernel::{AppState, Error};
use pico_search::Document;
use sea_orm::{DbErr, EntityTrait};
use std::collections::HashMap;

const PREFIX: &str = "portale:content:";

pub fn key(id: i32) -> String {
    format!("{PREFIX}{id}")
}

/// The id of the item a search key names.
pub fn id_of(key: &str) -> Option<i32> {
    key.strip_prefix(PREFIX)?.parse().ok()
}

pub async fn changed(state: &AppState, item: &content::Model) -> Result<(), Error> {
    Ok(search::changed(state, &key(item.id)).await?)
}

pub async fn removed(state: &AppState, item: &content::Model) -> Result<(), Error> {
    changed(state, item).await
}

fn document(space: &Space, item: &content::Model) -> Option<Document> {
    let kind = model::kind_of(item);
    let (audience, url) = match model::status_of(item) {
        Status::Archived => return None,
        _ if model::is_visible(item, Utc::now()) => (
            PUBLIC.to_owned(),
            space.path_to(&format!("/{}/{}", kind.segment(), item.slug)),
        ),
        _ => (
            editors_of(space.id),
            space.path_to(&format!("/gestione/contenuti/{}", item.id)),
        ),
    };
    let mut body = vec![item.summary.clone(), html::text(&item.body)];
    body.extend(item.place.clone());
    body.extend(item.organiser.clone());
    Some(Document {
        key: key(item.id),
        kind: kind.segment().into(),
        space: space.slug.clone(),
        space_name: space.name.clone(),
        title: item.title.clone(),
        body: body.join(" "),
        url,
        date: match kind {
            Kind::Event => item.starts_at,
            _ => item.published_at,
        },
        audience: vec![audience],
    })
}

pub async fn one(state: &AppState, id: i32) -> Result<Option<Document>, DbErr> {
    let Some(item) = content::Entity::find_by_id(id).one(&state.db).await? else {
        return Ok(None);
    };
    let Some(space) = spaces::by_id(&state.db, item.space_id).await? else {
        return Ok(None);
    };
    Ok(document(&space, &item))
}

pub async fn all(state: &AppState) -> Result<Vec<Document>, DbErr> {
    let spaces: HashMap<i32, Space> = spaces::all(&state.db)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    Ok(content::Entity::find()
        .all(&state.db)
        .await?
        .iter()
        .filter_map(|item| document(spaces.get(&item.space_id)?, item))
        .collect())
}
