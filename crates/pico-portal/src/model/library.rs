//! The media library of a space: its files, the renditions of its images, and which content
//! of the space uses each file.

use super::{content, media, media_rendition};
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use std::collections::HashMap;

/// What a file is, as stored in `media.kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Image,
    Pdf,
    Document,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Image => "image",
            Kind::Pdf => "pdf",
            Kind::Document => "document",
        }
    }
}

impl From<pico_media::MediaKind> for Kind {
    fn from(kind: pico_media::MediaKind) -> Self {
        match kind {
            pico_media::MediaKind::Image => Kind::Image,
            pico_media::MediaKind::Pdf => Kind::Pdf,
            pico_media::MediaKind::Document => Kind::Document,
        }
    }
}

pub fn is_image(file: &media::Model) -> bool {
    file.kind == Kind::Image.as_str()
}

/// What editors call a file: its title, or else its file name.
pub fn name(file: &media::Model) -> &str {
    if file.title.is_empty() {
        &file.filename
    } else {
        &file.title
    }
}

/// A file about to enter the library.
pub struct NewFile {
    pub space_id: i32,
    pub key: String,
    pub filename: String,
    pub kind: Kind,
    pub mime: String,
    pub size: usize,
    pub alt: Option<String>,
    pub title: String,
    pub uploaded_by: i32,
    /// Images only, narrowest first; the last one is the file under `key`.
    pub renditions: Vec<Stored>,
}

/// A rendition already in the storage.
pub struct Stored {
    pub key: String,
    pub width: u32,
    pub height: u32,
    pub mime: &'static str,
}

fn pixels(length: u32) -> i32 {
    i32::try_from(length).expect("renditions are at most a few thousand pixels wide")
}

pub async fn create(db: &impl ConnectionTrait, file: NewFile) -> Result<media::Model, DbErr> {
    let largest = file.renditions.last();
    let saved = media::ActiveModel {
        space_id: Set(file.space_id),
        key: Set(file.key),
        filename: Set(file.filename),
        kind: Set(file.kind.as_str().into()),
        mime: Set(file.mime),
        size: Set(i64::try_from(file.size).expect("uploads are at most a few MB")),
        width: Set(largest.map(|r| pixels(r.width))),
        height: Set(largest.map(|r| pixels(r.height))),
        alt: Set(file.alt),
        title: Set(file.title),
        uploaded_by: Set(file.uploaded_by),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    if !file.renditions.is_empty() {
        media_rendition::Entity::insert_many(file.renditions.into_iter().map(|r| {
            media_rendition::ActiveModel {
                media_id: Set(saved.id),
                width: Set(pixels(r.width)),
                height: Set(pixels(r.height)),
                key: Set(r.key),
                mime: Set(r.mime.into()),
            }
        }))
        .exec(db)
        .await?;
    }
    Ok(saved)
}

/// Every file of a space, newest first.
pub async fn all_of_space(
    db: &impl ConnectionTrait,
    space_id: i32,
) -> Result<Vec<media::Model>, DbErr> {
    media::Entity::find()
        .filter(media::Column::SpaceId.eq(space_id))
        .order_by_desc(media::Column::CreatedAt)
        .order_by_desc(media::Column::Id)
        .all(db)
        .await
}

/// The file `id` if it belongs to the space.
pub async fn of_space(
    db: &impl ConnectionTrait,
    space_id: i32,
    id: i32,
) -> Result<Option<media::Model>, DbErr> {
    media::Entity::find_by_id(id)
        .filter(media::Column::SpaceId.eq(space_id))
        .one(db)
        .await
}

/// The file stored under `key` in the space's library.
pub async fn by_key(
    db: &impl ConnectionTrait,
    space_id: i32,
    key: &str,
) -> Result<Option<media::Model>, DbErr> {
    media::Entity::find()
        .filter(media::Column::SpaceId.eq(space_id))
        .filter(media::Column::Key.eq(key))
        .one(db)
        .await
}

/// The images stored under `keys`, in any space, with their renditions narrowest first.
pub async fn images_with_renditions(
    db: &impl ConnectionTrait,
    keys: impl IntoIterator<Item = String>,
) -> Result<Vec<(media::Model, Vec<media_rendition::Model>)>, DbErr> {
    let files = media::Entity::find()
        .filter(media::Column::Key.is_in(keys))
        .filter(media::Column::Kind.eq(Kind::Image.as_str()))
        .all(db)
        .await?;
    let mut renditions = renditions_of(db, files.iter().map(|f| f.id)).await?;
    Ok(files
        .into_iter()
        .map(|file| {
            let copies = renditions.remove(&file.id).unwrap_or_default();
            (file, copies)
        })
        .collect())
}

/// The renditions of each file, narrowest first.
pub async fn renditions_of(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = i32>,
) -> Result<HashMap<i32, Vec<media_rendition::Model>>, DbErr> {
    let mut found: HashMap<i32, Vec<media_rendition::Model>> = HashMap::new();
    for rendition in media_rendition::Entity::find()
        .filter(media_rendition::Column::MediaId.is_in(ids))
        .order_by_asc(media_rendition::Column::Width)
        .all(db)
        .await?
    {
        found.entry(rendition.media_id).or_default().push(rendition);
    }
    Ok(found)
}

/// An item of content that uses a file.
pub struct User {
    pub id: i32,
    pub title: String,
}

/// For each key, the items of the space that show it as their image or show or link to it,
/// or to one of its renditions, in their text.
pub async fn users(
    db: &impl ConnectionTrait,
    space_id: i32,
    keys: &[&str],
) -> Result<HashMap<String, Vec<User>>, DbErr> {
    let files = media::Entity::find()
        .filter(media::Column::SpaceId.eq(space_id))
        .filter(media::Column::Key.is_in(keys.iter().copied()))
        .all(db)
        .await?;
    let mut renditions = renditions_of(db, files.iter().map(|f| f.id)).await?;
    let mut copies: HashMap<&str, Vec<String>> = keys
        .iter()
        .map(|key| (*key, vec![(*key).to_owned()]))
        .collect();
    for file in &files {
        if let Some(known) = copies.get_mut(file.key.as_str()) {
            let others = renditions.remove(&file.id).unwrap_or_default();
            known.extend(others.into_iter().map(|r| r.key).filter(|k| *k != file.key));
        }
    }
    let items: Vec<(i32, String, Option<String>, String)> = content::Entity::find()
        .select_only()
        .columns([
            content::Column::Id,
            content::Column::Title,
            content::Column::ImageKey,
            content::Column::Body,
        ])
        .filter(content::Column::SpaceId.eq(space_id))
        .order_by_asc(content::Column::Title)
        .into_tuple()
        .all(db)
        .await?;
    let mut found: HashMap<String, Vec<User>> = HashMap::new();
    for (id, title, image_key, body) in items {
        for key in keys {
            let in_text = copies[key].iter().any(|copy| body.contains(copy.as_str()));
            if image_key.as_deref() == Some(key) || in_text {
                found.entry((*key).to_owned()).or_default().push(User {
                    id,
                    title: title.clone(),
                });
            }
        }
    }
    Ok(found)
}

pub async fn describe(
    db: &impl ConnectionTrait,
    file: media::Model,
    alt: Option<String>,
    title: String,
) -> Result<media::Model, DbErr> {
    let mut active: media::ActiveModel = file.into();
    active.alt = Set(alt);
    active.title = Set(title);
    active.update(db).await
}

/// Deletes the file's rows; its renditions go with it.
pub async fn delete(db: &impl ConnectionTrait, file: &media::Model) -> Result<(), DbErr> {
    media::Entity::delete_by_id(file.id).exec(db).await?;
    Ok(())
}
