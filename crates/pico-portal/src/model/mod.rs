//! The content of a space (pages, news, events), its editorial workflow and revisions, and the
//! queries that decide what a reader sees: a space's own published items and those the spaces
//! above it share, minus what it declined. The media library is in [`library`].

pub mod entities;

pub mod library;

pub use entities::{
    content, content_declined, content_revision, content_tag, media, media_rendition, useful_link,
};

use chrono::{DateTime, Utc};
use pico_kernel::spaces::{self, Space};
use sea_orm::sea_query::{Expr, ExprTrait, Query as SqlQuery};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DbErr,
    EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Page,
    News,
    Event,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::News, Kind::Event, Kind::Page];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Page => "page",
            Kind::News => "news",
            Kind::Event => "event",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The path segment of the kind's public pages (`/treviso/notizie/…`).
    pub fn segment(self) -> &'static str {
        match self {
            Kind::Page => "pagine",
            Kind::News => "notizie",
            Kind::Event => "eventi",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Kind::Page => "Pagina",
            Kind::News => "Notizia",
            Kind::Event => "Evento",
        }
    }

    pub fn new_label(self) -> &'static str {
        match self {
            Kind::Page => "Nuova pagina",
            Kind::News => "Nuova notizia",
            Kind::Event => "Nuovo evento",
        }
    }

    pub fn plural(self) -> &'static str {
        match self {
            Kind::Page => "Pagine",
            Kind::News => "Notizie",
            Kind::Event => "Eventi",
        }
    }
}

/// Where an item is in the editorial workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Draft,
    Review,
    Published,
    Archived,
}

impl Status {
    pub const ALL: [Status; 4] = [
        Status::Draft,
        Status::Review,
        Status::Published,
        Status::Archived,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Review => "review",
            Status::Published => "published",
            Status::Archived => "archived",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Draft => "Bozza",
            Status::Review => "In revisione",
            Status::Published => "Pubblicato",
            Status::Archived => "Archiviato",
        }
    }

    /// The steps an editor may take from here.
    pub fn transitions(self) -> &'static [Transition] {
        match self {
            Status::Draft => &[Transition::Submit, Transition::Publish],
            Status::Review => &[Transition::Publish, Transition::BackToDraft],
            Status::Published => &[Transition::Archive],
            Status::Archived => &[Transition::BackToDraft],
        }
    }
}

/// A step of the workflow: draft → in review → published → archived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    Submit,
    Publish,
    Archive,
    BackToDraft,
}

impl Transition {
    pub fn as_str(self) -> &'static str {
        match self {
            Transition::Submit => "submit",
            Transition::Publish => "publish",
            Transition::Archive => "archive",
            Transition::BackToDraft => "draft",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Transition::Submit,
            Transition::Publish,
            Transition::Archive,
            Transition::BackToDraft,
        ]
        .into_iter()
        .find(|t| t.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Transition::Submit => "Invia in revisione",
            Transition::Publish => "Pubblica",
            Transition::Archive => "Archivia",
            Transition::BackToDraft => "Riporta in bozza",
        }
    }

    pub fn target(self) -> Status {
        match self {
            Transition::Submit => Status::Review,
            Transition::Publish => Status::Published,
            Transition::Archive => Status::Archived,
            Transition::BackToDraft => Status::Draft,
        }
    }
}

/// The fields an editor writes: what a revision keeps and a restore brings back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Draft {
    pub title: String,
    pub slug: String,
    pub summary: String,
    /// Sanitised HTML.
    pub body: String,
    pub tags: Vec<String>,
    pub image_key: Option<String>,
    pub image_alt: Option<String>,
    pub parent_id: Option<i32>,
    pub position: i32,
    pub published_at: Option<DateTime<Utc>>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub place: Option<String>,
    pub online_url: Option<String>,
    pub organiser: Option<String>,
    pub shared: bool,
    pub highlighted: bool,
}

impl Draft {
    pub fn of(item: &content::Model, tags: Vec<String>) -> Self {
        Self {
            title: item.title.clone(),
            slug: item.slug.clone(),
            summary: item.summary.clone(),
            body: item.body.clone(),
            tags,
            image_key: item.image_key.clone(),
            image_alt: item.image_alt.clone(),
            parent_id: item.parent_id,
            position: item.position,
            published_at: item.published_at,
            starts_at: item.starts_at,
            ends_at: item.ends_at,
            place: item.place.clone(),
            online_url: item.online_url.clone(),
            organiser: item.organiser.clone(),
            shared: item.shared,
            highlighted: item.highlighted,
        }
    }

    fn apply(&self, item: &mut content::ActiveModel) {
        item.title = Set(self.title.clone());
        item.slug = Set(self.slug.clone());
        item.summary = Set(self.summary.clone());
        item.body = Set(self.body.clone());
        item.image_key = Set(self.image_key.clone());
        item.image_alt = Set(self.image_alt.clone());
        item.parent_id = Set(self.parent_id);
        item.position = Set(self.position);
        item.published_at = Set(self.published_at);
        item.starts_at = Set(self.starts_at);
        item.ends_at = Set(self.ends_at);
        item.place = Set(self.place.clone());
        item.online_url = Set(self.online_url.clone());
        item.organiser = Set(self.organiser.clone());
        item.shared = Set(self.shared);
        item.highlighted = Set(self.highlighted);
    }
}

/// The item's editable fields as stored now, tags included.
pub async fn draft_of(db: &impl ConnectionTrait, item: &content::Model) -> Result<Draft, DbErr> {
    let tags = tags_of(db, [item.id]).await?.remove(&item.id);
    Ok(Draft::of(item, tags.unwrap_or_default()))
}

pub fn kind_of(item: &content::Model) -> Kind {
    Kind::parse(&item.kind).expect("content.kind holds a Kind")
}

pub fn status_of(item: &content::Model) -> Status {
    Status::parse(&item.status).expect("content.status holds a Status")
}

/// Whether readers see the item now.
pub fn is_visible(item: &content::Model, now: DateTime<Utc>) -> bool {
    status_of(item) == Status::Published
        && item.publish_at.is_none_or(|at| at <= now)
        && item.unpublish_at.is_none_or(|at| at > now)
}

fn visible(now: DateTime<Utc>) -> Condition {
    Condition::all()
        .add(content::Column::Status.eq(Status::Published.as_str()))
        .add(
            Condition::any()
                .add(content::Column::PublishAt.is_null())
                .add(content::Column::PublishAt.lte(now)),
        )
        .add(
            Condition::any()
                .add(content::Column::UnpublishAt.is_null())
                .add(content::Column::UnpublishAt.gt(now)),
        )
}

/// What a space's readers see: its own items, and the shared items of the spaces above it
/// that it has not declined.
async fn shown_in(db: &impl ConnectionTrait, space: &Space) -> Result<Condition, DbErr> {
    let above: Vec<i32> = spaces::above(db, space)
        .await?
        .iter()
        .map(|s| s.id)
        .collect();
    let declined = SqlQuery::select()
        .column(content_declined::Column::ContentId)
        .from(content_declined::Entity)
        .and_where(Expr::col(content_declined::Column::SpaceId).eq(space.id))
        .to_owned();
    Ok(Condition::any()
        .add(content::Column::SpaceId.eq(space.id))
        .add(
            Condition::all()
                .add(content::Column::Shared.eq(true))
                .add(content::Column::SpaceId.is_in(above))
                .add(content::Column::Id.not_in_subquery(declined)),
        ))
}

/// A page of the visible items of one kind in a space, newest first (events: soonest first).
pub struct Listing {
    pub items: Vec<content::Model>,
    pub total: u64,
}

#[derive(Default)]
pub struct ListFilter<'a> {
    pub tag: Option<&'a str>,
    /// Events only: those ending after this instant.
    pub ending_after: Option<DateTime<Utc>>,
    /// Events only: those starting before this instant.
    pub starting_before: Option<DateTime<Utc>>,
    pub highlighted: bool,
}

pub async fn list(
    db: &impl ConnectionTrait,
    space: &Space,
    kind: Option<Kind>,
    filter: ListFilter<'_>,
    offset: u64,
    limit: u64,
) -> Result<Listing, DbErr> {
    let now = Utc::now();
    let mut query = content::Entity::find()
        .filter(visible(now))
        .filter(shown_in(db, space).await?);
    if let Some(kind) = kind {
        query = query.filter(content::Column::Kind.eq(kind.as_str()));
    }
    if let Some(tag) = filter.tag {
        let tagged = SqlQuery::select()
            .column(content_tag::Column::ContentId)
            .from(content_tag::Entity)
            .and_where(Expr::col(content_tag::Column::Tag).eq(tag))
            .to_owned();
        query = query.filter(content::Column::Id.in_subquery(tagged));
    }
    if let Some(after) = filter.ending_after {
        query = query.filter(content::Column::EndsAt.gt(after));
    }
    if let Some(before) = filter.starting_before {
        query = query.filter(content::Column::StartsAt.lt(before));
    }
    if filter.highlighted {
        query = query.filter(content::Column::Highlighted.eq(true));
    }
    query = if kind == Some(Kind::Event) {
        query.order_by_asc(content::Column::StartsAt)
    } else {
        query.order_by_desc(content::Column::PublishedAt)
    };
    let total = query.clone().count(db).await?;
    let items = query
        .order_by_desc(content::Column::Id)
        .offset(offset)
        .limit(limit)
        .all(db)
        .await?;
    Ok(Listing { items, total })
}

/// The visible item a space shows at `/{space}/{kind}/{slug}`: its own first, then a shared one.
pub async fn find_visible(
    db: &impl ConnectionTrait,
    space: &Space,
    kind: Kind,
    slug: &str,
) -> Result<Option<content::Model>, DbErr> {
    let mut found = content::Entity::find()
        .filter(visible(Utc::now()))
        .filter(shown_in(db, space).await?)
        .filter(content::Column::Kind.eq(kind.as_str()))
        .filter(content::Column::Slug.eq(slug))
        .all(db)
        .await?;
    found.sort_by_key(|item| item.space_id != space.id);
    Ok(found.into_iter().next())
}

/// The item `id` if it belongs to `space`.
pub async fn of_space(
    db: &impl ConnectionTrait,
    space: &Space,
    id: i32,
) -> Result<Option<content::Model>, DbErr> {
    content::Entity::find_by_id(id)
        .filter(content::Column::SpaceId.eq(space.id))
        .one(db)
        .await
}

/// Every item of a space for its editors, newest change first.
pub async fn all_of_space(
    db: &impl ConnectionTrait,
    space: &Space,
    kind: Option<Kind>,
    status: Option<Status>,
) -> Result<Vec<content::Model>, DbErr> {
    let mut query = content::Entity::find().filter(content::Column::SpaceId.eq(space.id));
    if let Some(kind) = kind {
        query = query.filter(content::Column::Kind.eq(kind.as_str()));
    }
    if let Some(status) = status {
        query = query.filter(content::Column::Status.eq(status.as_str()));
    }
    query
        .order_by_desc(content::Column::UpdatedAt)
        .order_by_desc(content::Column::Id)
        .all(db)
        .await
}

/// The published pages of a space, for its menu and its page tree.
pub async fn visible_pages(
    db: &impl ConnectionTrait,
    space_id: i32,
) -> Result<Vec<content::Model>, DbErr> {
    content::Entity::find()
        .filter(visible(Utc::now()))
        .filter(content::Column::SpaceId.eq(space_id))
        .filter(content::Column::Kind.eq(Kind::Page.as_str()))
        .order_by_asc(content::Column::Position)
        .order_by_asc(content::Column::Title)
        .all(db)
        .await
}

pub async fn tags_of(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = i32>,
) -> Result<HashMap<i32, Vec<String>>, DbErr> {
    let mut tags: HashMap<i32, Vec<String>> = HashMap::new();
    for row in content_tag::Entity::find()
        .filter(content_tag::Column::ContentId.is_in(ids))
        .order_by_asc(content_tag::Column::Tag)
        .all(db)
        .await?
    {
        tags.entry(row.content_id).or_default().push(row.tag);
    }
    Ok(tags)
}

/// The tags used by the visible news of a space, for the filter of the news list.
pub async fn news_tags(db: &impl ConnectionTrait, space: &Space) -> Result<Vec<String>, DbErr> {
    let ids: Vec<i32> = content::Entity::find()
        .select_only()
        .column(content::Column::Id)
        .filter(visible(Utc::now()))
        .filter(shown_in(db, space).await?)
        .filter(content::Column::Kind.eq(Kind::News.as_str()))
        .into_tuple()
        .all(db)
        .await?;
    let mut tags: Vec<String> = content_tag::Entity::find()
        .select_only()
        .column(content_tag::Column::Tag)
        .distinct()
        .filter(content_tag::Column::ContentId.is_in(ids))
        .into_tuple()
        .all(db)
        .await?;
    tags.sort();
    Ok(tags)
}

/// Whether another item of the same kind in the space already uses `slug`.
pub async fn slug_taken(
    db: &impl ConnectionTrait,
    space_id: i32,
    kind: Kind,
    slug: &str,
    except: Option<i32>,
) -> Result<bool, DbErr> {
    let mut query = content::Entity::find()
        .filter(content::Column::SpaceId.eq(space_id))
        .filter(content::Column::Kind.eq(kind.as_str()))
        .filter(content::Column::Slug.eq(slug));
    if let Some(id) = except {
        query = query.filter(content::Column::Id.ne(id));
    }
    Ok(query.count(db).await? > 0)
}

/// Creates an item as a draft, with its first revision.
pub async fn create(
    db: &impl ConnectionTrait,
    space_id: i32,
    kind: Kind,
    draft: &Draft,
    author: i32,
) -> Result<content::Model, DbErr> {
    let now = Utc::now();
    let mut item = content::ActiveModel {
        space_id: Set(space_id),
        kind: Set(kind.as_str().into()),
        status: Set(Status::Draft.as_str().into()),
        publish_at: Set(None),
        unpublish_at: Set(None),
        revision: Set(1),
        created_by: Set(author),
        updated_by: Set(author),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    draft.apply(&mut item);
    let item = item.insert(db).await?;
    set_tags(db, item.id, &draft.tags).await?;
    add_revision(db, item.id, 1, draft, "Creazione", author).await?;
    Ok(item)
}

/// Saves an editor's changes as a new revision; nothing happens when nothing changed.
pub async fn update(
    db: &impl ConnectionTrait,
    item: content::Model,
    draft: &Draft,
    note: &str,
    author: i32,
) -> Result<content::Model, DbErr> {
    if draft_of(db, &item).await? == *draft {
        return Ok(item);
    }
    let number = item.revision + 1;
    let mut active: content::ActiveModel = item.into();
    draft.apply(&mut active);
    active.revision = Set(number);
    active.updated_by = Set(author);
    active.updated_at = Set(Utc::now());
    let item = active.update(db).await?;
    set_tags(db, item.id, &draft.tags).await?;
    add_revision(db, item.id, number, draft, note, author).await?;
    Ok(item)
}

async fn set_tags(db: &impl ConnectionTrait, id: i32, tags: &[String]) -> Result<(), DbErr> {
    content_tag::Entity::delete_many()
        .filter(content_tag::Column::ContentId.eq(id))
        .exec(db)
        .await?;
    if !tags.is_empty() {
        content_tag::Entity::insert_many(tags.iter().map(|tag| content_tag::ActiveModel {
            content_id: Set(id),
            tag: Set(tag.clone()),
        }))
        .exec(db)
        .await?;
    }
    Ok(())
}

async fn add_revision(
    db: &impl ConnectionTrait,
    content_id: i32,
    number: i32,
    draft: &Draft,
    note: &str,
    author: i32,
) -> Result<(), DbErr> {
    content_revision::ActiveModel {
        content_id: Set(content_id),
        number: Set(number),
        snapshot: Set(serde_json::to_string(draft).expect("a draft serialises")),
        note: Set(note.into()),
        author_id: Set(author),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

pub async fn revisions(
    db: &impl ConnectionTrait,
    content_id: i32,
) -> Result<Vec<content_revision::Model>, DbErr> {
    content_revision::Entity::find()
        .filter(content_revision::Column::ContentId.eq(content_id))
        .order_by_desc(content_revision::Column::Number)
        .all(db)
        .await
}

pub fn snapshot(revision: &content_revision::Model) -> Draft {
    serde_json::from_str(&revision.snapshot).unwrap_or_default()
}

/// When readers see a published item: from (none: at once) and until (none: for good).
pub type Window = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);

/// Moves an item along the workflow. Publishing sets the reader's date the first time and the
/// window in which readers see it.
pub async fn transition(
    db: &impl ConnectionTrait,
    item: content::Model,
    to: Status,
    window: Window,
    author: i32,
) -> Result<content::Model, DbErr> {
    let now = Utc::now();
    let published_at = item.published_at;
    let mut active: content::ActiveModel = item.into();
    active.status = Set(to.as_str().into());
    if to == Status::Published {
        active.publish_at = Set(window.0);
        active.unpublish_at = Set(window.1);
        if published_at.is_none() {
            active.published_at = Set(Some(window.0.unwrap_or(now)));
        }
    }
    active.updated_by = Set(author);
    active.updated_at = Set(now);
    active.update(db).await
}

/// Archives the published items whose window has closed; returns how many.
pub async fn archive_expired(db: &impl ConnectionTrait) -> Result<u64, DbErr> {
    let result = content::Entity::update_many()
        .col_expr(
            content::Column::Status,
            Expr::value(Status::Archived.as_str()),
        )
        .filter(content::Column::Status.eq(Status::Published.as_str()))
        .filter(content::Column::UnpublishAt.lte(Utc::now()))
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

pub async fn is_declined(
    db: &impl ConnectionTrait,
    content_id: i32,
    space_id: i32,
) -> Result<bool, DbErr> {
    Ok(content_declined::Entity::find_by_id((content_id, space_id))
        .one(db)
        .await?
        .is_some())
}

pub async fn set_declined(
    db: &impl ConnectionTrait,
    content_id: i32,
    space_id: i32,
    declined: bool,
) -> Result<(), DbErr> {
    content_declined::Entity::delete_by_id((content_id, space_id))
        .exec(db)
        .await?;
    if declined {
        content_declined::ActiveModel {
            content_id: Set(content_id),
            space_id: Set(space_id),
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

/// The published items the spaces above share with `space`, with whether it declined each.
pub async fn shared_with(
    db: &impl ConnectionTrait,
    space: &Space,
) -> Result<Vec<(content::Model, bool)>, DbErr> {
    let above: Vec<i32> = spaces::above(db, space)
        .await?
        .iter()
        .map(|s| s.id)
        .collect();
    let items = content::Entity::find()
        .filter(visible(Utc::now()))
        .filter(content::Column::Shared.eq(true))
        .filter(content::Column::SpaceId.is_in(above))
        .order_by_desc(content::Column::PublishedAt)
        .all(db)
        .await?;
    let declined: Vec<i32> = content_declined::Entity::find()
        .select_only()
        .column(content_declined::Column::ContentId)
        .filter(content_declined::Column::SpaceId.eq(space.id))
        .into_tuple()
        .all(db)
        .await?;
    Ok(items
        .into_iter()
        .map(|item| {
            let declined = declined.contains(&item.id);
            (item, declined)
        })
        .collect())
}

pub async fn links_of(
    db: &impl ConnectionTrait,
    space_id: i32,
) -> Result<Vec<useful_link::Model>, DbErr> {
    useful_link::Entity::find()
        .filter(useful_link::Column::SpaceId.eq(space_id))
        .order_by_asc(useful_link::Column::Position)
        .order_by_asc(useful_link::Column::Id)
        .all(db)
        .await
}

/// Deletes an item with its revisions and tags; the pages below a deleted page move up to
/// the top of the tree.
pub async fn delete(db: &impl ConnectionTrait, item: &content::Model) -> Result<(), DbErr> {
    content::Entity::update_many()
        .col_expr(content::Column::ParentId, Expr::value(Option::<i32>::None))
        .filter(content::Column::ParentId.eq(item.id))
        .exec(db)
        .await?;
    content::Entity::delete_by_id(item.id).exec(db).await?;
    Ok(())
}
