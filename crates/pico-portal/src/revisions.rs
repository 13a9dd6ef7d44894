//! Every save of an item is a revision. Editors read the history, see what changed between two
//! revisions word by word, and bring an older one back with one click (itself a new revision).

use crate::html;
use crate::index;
use crate::manage;
use crate::model::{self, Draft, content_revision};
use crate::time;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use pico_kernel::identity::Actor;
use pico_kernel::identity::model::person;
use pico_kernel::spaces::Space;
use pico_kernel::web::audit_log::record;
use pico_kernel::web::{Chrome, ClientAddress, Crumb, CurrentSpace, check_csrf, render};
use pico_kernel::{AppState, Error};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, TransactionTrait};
use serde::Deserialize;
use similar::{ChangeTag, TextDiff};
use std::collections::HashMap;

#[derive(Template)]
#[template(path = "manage/revisions.html")]
struct RevisionsPage {
    chrome: Chrome,
    title: String,
    edit_url: String,
    restore_url: String,
    csrf: String,
    revisions: Vec<RevisionRow>,
    comparison: Option<Comparison>,
    current: i32,
}

struct RevisionRow {
    number: i32,
    note: String,
    author: String,
    when: String,
    compare_url: String,
}

struct Comparison {
    from: i32,
    to: i32,
    fields: Vec<FieldDiff>,
}

struct FieldDiff {
    label: &'static str,
    segments: Vec<Segment>,
}

/// A run of words: kept, removed or added.
struct Segment {
    tag: &'static str,
    text: String,
}

#[derive(Deserialize)]
pub struct Compare {
    da: Option<i32>,
    a: Option<i32>,
}

pub async fn history(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
    Path((_, id)): Path<(String, i32)>,
    Query(compare): Query<Compare>,
) -> Result<Response, Error> {
    let item = manage::editable(&state, &actor, &space, id).await?;
    let revisions = model::revisions(&state.db, id).await?;
    let authors: HashMap<i32, String> = person::Entity::find()
        .filter(person::Column::Id.is_in(revisions.iter().map(|r| r.author_id)))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|p| (p.id, p.display_name))
        .collect();
    let base = space.path_to(&format!("/gestione/contenuti/{id}"));
    let by_number = |n: i32| revisions.iter().find(|r| r.number == n);
    let comparison = match (
        compare.da.and_then(by_number),
        compare.a.and_then(by_number),
    ) {
        (Some(from), Some(to)) => Some(compare_revisions(from, to)),
        _ => None,
    };
    let rows = revisions
        .iter()
        .map(|r| RevisionRow {
            number: r.number,
            note: r.note.clone(),
            author: authors
                .get(&r.author_id)
                .cloned()
                .unwrap_or_else(|| "Account eliminato".into()),
            when: time::date_time(r.created_at),
            compare_url: format!(
                "{base}/revisioni?da={}&a={}#confronto",
                r.number, item.revision
            ),
        })
        .collect();
    let chrome = chrome(&state, &actor, &space, &item.title, &base).await?;
    Ok(render(&RevisionsPage {
        chrome,
        title: item.title.clone(),
        edit_url: base.clone(),
        restore_url: format!("{base}/revisioni/ripristina"),
        csrf: actor.csrf_token(),
        revisions: rows,
        comparison,
        current: item.revision,
    })?
    .into_response())
}

async fn chrome(
    state: &AppState,
    actor: &Actor,
    space: &Space,
    title: &str,
    base: &str,
) -> Result<Chrome, Error> {
    Ok(Chrome::new(
        state,
        space,
        actor,
        format!("Revisioni: {title}"),
        &format!("{base}/revisioni"),
        vec![
            Crumb::link("Gestione", space.path_to("/gestione")),
            Crumb::link("Contenuti", space.path_to("/gestione/contenuti")),
            Crumb::link(title.to_owned(), base.to_owned()),
            Crumb::here("Revisioni"),
        ],
    )
    .await?)
}

fn compare_revisions(from: &content_revision::Model, to: &content_revision::Model) -> Comparison {
    let (old, new) = (model::snapshot(from), model::snapshot(to));
    let fields = readable(&old)
        .into_iter()
        .zip(readable(&new))
        .filter(|((_, a), (_, b))| a != b)
        .map(|((label, a), (_, b))| FieldDiff {
            label,
            segments: word_diff(&a, &b),
        })
        .collect();
    Comparison {
        from: from.number,
        to: to.number,
        fields,
    }
}

/// The fields of a revision as a reader would compare them.
fn readable(draft: &Draft) -> Vec<(&'static str, String)> {
    let when =
        |at: Option<chrono::DateTime<chrono::Utc>>| at.map(time::date_time).unwrap_or_default();
    let text = |value: &Option<String>| value.clone().unwrap_or_default();
    vec![
        ("Titolo", draft.title.clone()),
        ("Indirizzo", draft.slug.clone()),
        ("Sommario", draft.summary.clone()),
        ("Testo", html::text(&draft.body)),
        ("Argomenti", draft.tags.join(", ")),
        ("Immagine", text(&draft.image_key)),
        ("Testo alternativo dell'immagine", text(&draft.image_alt)),
        ("Data", when(draft.published_at)),
        ("Inizio", when(draft.starts_at)),
        ("Fine", when(draft.ends_at)),
        ("Luogo", text(&draft.place)),
        ("Collegamento online", text(&draft.online_url)),
        ("Organizzatore", text(&draft.organiser)),
        ("Ordine nel menu", draft.position.to_string()),
        ("Condiviso", if draft.shared { "sì" } else { "no" }.into()),
        (
            "In evidenza",
            if draft.highlighted { "sì" } else { "no" }.into(),
        ),
    ]
}

fn word_diff(old: &str, new: &str) -> Vec<Segment> {
    let diff = TextDiff::from_words(old, new);
    let mut segments: Vec<Segment> = Vec::new();
    for change in diff.iter_all_changes() {
        let tag = match change.tag() {
            ChangeTag::Equal => "same",
            ChangeTag::Delete => "del",
            ChangeTag::Insert => "ins",
        };
        match segments.last_mut() {
            Some(last) if last.tag == tag => last.text.push_str(change.value()),
            _ => segments.push(Segment {
                tag,
                text: change.value().to_owned(),
            }),
        }
    }
    segments
}

#[derive(Deserialize)]
pub struct RestoreForm {
    #[serde(default)]
    csrf: String,
    number: i32,
}

pub async fn restore(
    State(state): State<AppState>,
    actor: Actor,
    from: ClientAddress,
    CurrentSpace(space): CurrentSpace,
    Path((_, id)): Path<(String, i32)>,
    Form(form): Form<RestoreForm>,
) -> Result<Response, Error> {
    let item = manage::editable(&state, &actor, &space, id).await?;
    check_csrf(&actor, &form.csrf)?;
    let revision = model::revisions(&state.db, id)
        .await?
        .into_iter()
        .find(|r| r.number == form.number)
        .ok_or(Error::NotFound)?;
    let mut draft = model::snapshot(&revision);
    let kind = model::kind_of(&item);
    // An address taken in the meantime by another item stays as it is now.
    if model::slug_taken(&state.db, space.id, kind, &draft.slug, Some(id)).await? {
        draft.slug = item.slug.clone();
    }
    let author = actor.person().ok_or(Error::Unauthenticated)?.id;
    let txn = state.db.begin().await?;
    let note = format!("Ripristino della revisione {}", revision.number);
    let item = model::update(&txn, item, &draft, &note, author).await?;
    txn.commit().await?;
    index::changed(&state, &item).await?;
    record(
        &state,
        &actor,
        &from,
        "content.restore",
        format!("{} «{}»", kind.label(), item.title),
        Some(space.id),
        serde_json::json!({ "id": id, "revision": revision.number }),
    )
    .await?;
    Ok(
        Redirect::to(&space.path_to(&format!("/gestione/contenuti/{id}?fatto=ripristinato")))
            .into_response(),
    )
}
