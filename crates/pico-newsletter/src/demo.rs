//! Demo newsletter: a few confirmed readers on Treviso's list and a draft campaign presenting
//! its latest news. Added once; never on a real installation.

use crate::model::{self, Composition, campaign};
use pico_kernel::{identity, spaces};
use pico_portal::model::{Kind, ListFilter};
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};

pub async fn seed(db: &DatabaseConnection) -> anyhow::Result<()> {
    if campaign::Entity::find().count(db).await? > 0 {
        return Ok(());
    }
    let Some(treviso) = spaces::by_slug(db, "treviso").await? else {
        return Ok(());
    };
    for n in 1..=3 {
        let email = format!("lettore{n}@demo.pico.localhost");
        if let Some(token) = model::subscribe(db, treviso.id, &email).await? {
            model::confirm(db, treviso.id, &token).await?;
        }
    }
    let news =
        pico_portal::model::list(db, &treviso, Some(Kind::News), ListFilter::default(), 0, 2)
            .await?
            .items;
    let editor = identity::find_by_email(db, "admin.treviso@demo.pico.localhost")
        .await?
        .map_or(1, |p| p.id);
    let composition = Composition {
        subject: "Le novità della Provincia di Treviso".into(),
        intro: "Buongiorno,\n\necco le ultime notizie della Provincia.".into(),
        content_ids: news.iter().map(|item| item.id).collect(),
    };
    model::create_campaign(db, treviso.id, composition, editor).await?;
    Ok(())
}
