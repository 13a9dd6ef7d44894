//! SeaORM entities of the CMS.

pub mod content {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "content")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub space_id: i32,
        /// See [`crate::model::Kind`].
        pub kind: String,
        pub slug: String,
        pub title: String,
        pub summary: String,
        /// Sanitised HTML.
        pub body: String,
        /// Key of the image in the file storage.
        pub image_key: Option<String>,
        pub image_alt: Option<String>,
        /// Pages only: the page above this one in the space's tree.
        pub parent_id: Option<i32>,
        pub position: i32,
        /// See [`crate::model::Status`].
        pub status: String,
        /// A published item is visible from `publish_at` (if set) until `unpublish_at` (if set).
        pub publish_at: Option<DateTimeUtc>,
        pub unpublish_at: Option<DateTimeUtc>,
        /// The date shown to readers; set on first publication unless the editor chose one.
        pub published_at: Option<DateTimeUtc>,
        pub starts_at: Option<DateTimeUtc>,
        pub ends_at: Option<DateTimeUtc>,
        pub place: Option<String>,
        pub online_url: Option<String>,
        pub organiser: Option<String>,
        /// Shown on the sites of every space below this one.
        pub shared: bool,
        /// Shown in evidence on the space's home page.
        pub highlighted: bool,
        /// Number of the latest revision.
        pub revision: i32,
        pub created_by: i32,
        pub updated_by: i32,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod content_tag {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "content_tag")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub content_id: i32,
        #[sea_orm(primary_key, auto_increment = false)]
        pub tag: String,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod content_revision {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "content_revision")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub content_id: i32,
        pub number: i32,
        /// The editable fields as JSON: see [`crate::model::Draft`].
        pub snapshot: String,
        pub note: String,
        pub author_id: i32,
        pub created_at: DateTimeUtc,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod content_declined {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "content_declined")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub content_id: i32,
        #[sea_orm(primary_key, auto_increment = false)]
        pub space_id: i32,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod useful_link {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "useful_link")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub space_id: i32,
        pub label: String,
        pub url: String,
        pub position: i32,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod media {
    use sea_orm::entity::prelude::*;

    /// A file of a space's media library.
    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "media")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub space_id: i32,
        /// Key of the file in the storage. For an image, its largest rendition: the
        /// uploaded original, with its EXIF data, is never stored.
        pub key: String,
        /// The name the file had on the editor's computer.
        pub filename: String,
        /// See [`crate::model::media::Kind`].
        pub kind: String,
        pub mime: String,
        /// Bytes of the stored file.
        pub size: i64,
        /// Images only: the size of the stored file in pixels.
        pub width: Option<i32>,
        pub height: Option<i32>,
        /// Images only: what the image shows, for who cannot see it.
        pub alt: Option<String>,
        pub title: String,
        pub uploaded_by: i32,
        pub created_at: DateTimeUtc,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod media_rendition {
    use sea_orm::entity::prelude::*;

    /// A resized copy of an image of the media library, for `srcset`.
    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "media_rendition")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub media_id: i32,
        #[sea_orm(primary_key, auto_increment = false)]
        pub width: i32,
        pub height: i32,
        pub key: String,
        pub mime: String,
    }

    impl ActiveModelBehavior for ActiveModel {}
}
