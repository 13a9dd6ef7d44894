//! The sections of a space's home page that its editors compose: content in evidence, the
//! latest news, the upcoming events, the services of its modules and its useful links.

use crate::articles::{self, Card};
use crate::model::{self, Kind, ListFilter, useful_link};
use chrono::Utc;
use pico_kernel::spaces::{self, Space};
use pico_kernel::{AppState, Error, ModuleKind};

pub struct Sections {
    pub highlighted: Vec<Card>,
    pub news: Vec<Card>,
    pub events: Vec<Card>,
    pub services: Vec<(String, String)>,
    pub links: Vec<useful_link::Model>,
    pub news_url: String,
    pub events_url: String,
}

pub async fn of(state: &AppState, space: &Space) -> Result<Sections, Error> {
    let highlighted = model::list(
        &state.db,
        space,
        None,
        ListFilter {
            highlighted: true,
            ..Default::default()
        },
        0,
        3,
    )
    .await?
    .items;
    let news = model::list(
        &state.db,
        space,
        Some(Kind::News),
        ListFilter::default(),
        0,
        3,
    )
    .await?
    .items;
    let events = model::list(
        &state.db,
        space,
        Some(Kind::Event),
        ListFilter {
            ending_after: Some(Utc::now()),
            ..Default::default()
        },
        0,
        3,
    )
    .await?
    .items;
    let enabled = spaces::enabled_modules(&state.db, space.id).await?;
    let mut services = Vec::new();
    for module in state.registry.iter() {
        let on = match module.kind() {
            ModuleKind::Core => false,
            ModuleKind::Horizontal => true,
            ModuleKind::Vertical => enabled.contains(module.key()),
        };
        if on {
            services.extend(
                module
                    .menu(state, space)
                    .await?
                    .into_iter()
                    .map(|item| (item.label, item.href)),
            );
        }
    }
    Ok(Sections {
        highlighted: articles::cards(state, space, &highlighted).await?,
        news: articles::cards(state, space, &news).await?,
        events: articles::cards(state, space, &events).await?,
        services,
        links: model::links_of(&state.db, space.id).await?,
        news_url: space.path_to("/notizie"),
        events_url: space.path_to("/eventi"),
    })
}
