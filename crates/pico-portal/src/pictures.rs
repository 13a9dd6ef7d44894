//! Images of the media library as pages show them: every rendition in `srcset`, so that a
//! browser downloads the narrowest copy that fills the space, and the size in `width` and
//! `height`, so that the page does not jump while it loads.

use crate::model::{content, library, media, media_rendition};
use sea_orm::{ConnectionTrait, DbErr};
use std::collections::HashMap;

pub struct Picture {
    /// The largest copy, for browsers without `srcset` and for Open Graph.
    pub src: String,
    pub srcset: String,
    pub width: i32,
    pub height: i32,
    pub alt: String,
}

pub fn url(key: &str) -> String {
    format!("/media/{key}")
}

impl Picture {
    fn of(file: &media::Model, renditions: &[media_rendition::Model], alt: String) -> Self {
        Self {
            src: url(&file.key),
            srcset: renditions
                .iter()
                .map(|r| format!("{} {}w", url(&r.key), r.width))
                .collect::<Vec<_>>()
                .join(", "),
            width: file.width.unwrap_or_default(),
            height: file.height.unwrap_or_default(),
            alt,
        }
    }
}

/// The picture of each item that has one, by item id. An item whose image has left the
/// library (a restored old revision) shows none.
pub async fn of_items(
    db: &impl ConnectionTrait,
    items: &[content::Model],
) -> Result<HashMap<i32, Picture>, DbErr> {
    let keys = items.iter().filter_map(|item| item.image_key.clone());
    let images = library::images_with_renditions(db, keys).await?;
    Ok(items
        .iter()
        .filter_map(|item| {
            let (file, renditions) = images.iter().find(|(file, _)| {
                file.space_id == item.space_id && Some(&file.key) == item.image_key.as_ref()
            })?;
            let alt = item.image_alt.clone().unwrap_or_default();
            Some((item.id, Picture::of(file, renditions, alt)))
        })
        .collect())
}

/// The picture of one item.
pub async fn of_item(
    db: &impl ConnectionTrait,
    item: &content::Model,
) -> Result<Option<Picture>, DbErr> {
    Ok(of_items(db, std::slice::from_ref(item))
        .await?
        .remove(&item.id))
}

/// The narrowest copy of an image, for thumbnails in the editors' pages.
pub fn thumbnail(renditions: &[media_rendition::Model]) -> Option<String> {
    renditions.first().map(|r| url(&r.key))
}
