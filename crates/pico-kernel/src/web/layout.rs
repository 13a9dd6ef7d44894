//! The frame every page shares: header with the space's name and logo, main navigation,
//! breadcrumbs and footer, in the markup of Bootstrap Italia 2 and with the `data-element`
//! attributes that AgID's site checker reads.

use super::AppState;
use crate::identity::Actor;
use crate::module::{MenuItem, ModuleKind};
use crate::policy::{self, Action};
use crate::spaces::{self, Space, SpaceKind, branding::PrimaryColour};

/// A step of the breadcrumb trail; the last one has no link.
#[derive(Debug, Clone)]
pub struct Crumb {
    pub label: String,
    pub href: Option<String>,
}

impl Crumb {
    pub fn link(label: impl Into<String>, href: impl Into<String>) -> Self {
        Self {
            label: label.into(),
            href: Some(href.into()),
        }
    }

    pub fn here(label: impl Into<String>) -> Self {
        Self {
            label: label.into(),
            href: None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct NavLink {
    pub label: String,
    pub href: String,
    pub active: bool,
}

/// Everything the layout needs besides the page's own content.
#[derive(Debug, Clone)]
pub struct Chrome {
    pub title: String,
    pub space_name: String,
    pub space_home: String,
    pub tagline: String,
    pub logo_url: Option<String>,
    pub theme_url: Option<String>,
    pub nav: Vec<NavLink>,
    pub breadcrumbs: Vec<Crumb>,
    pub person_name: Option<String>,
    pub csrf_token: Option<String>,
    /// Where the actor manages the space, and the menu's words for it.
    pub manage_url: Option<(String, &'static str)>,
    /// The person signed in with a password the platform chose.
    pub password_temporary: bool,
    pub assets: &'static str,
    pub demo: bool,
    /// Feeds and calendars advertised with `<link rel="alternate">`.
    pub alternates: Vec<Alternate>,
    /// Open Graph metadata: every page has it, a content page sets its own.
    pub og: OpenGraph,
    /// The search form in the header searches this space first.
    pub search_space: Option<String>,
    /// Front-end features this page needs beyond the shared ones, such as the editor.
    pub bundles: Vec<&'static pico_assets::Bundle>,
}

#[derive(Debug, Clone)]
pub struct Alternate {
    pub mime: &'static str,
    pub title: String,
    pub href: String,
}

#[derive(Debug, Clone)]
pub struct OpenGraph {
    /// `website` or `article`.
    pub kind: &'static str,
    pub title: String,
    pub description: String,
    /// Absolute URL of the page.
    pub url: String,
    /// Absolute URL of an image, with its alt text.
    pub image: Option<(String, String)>,
    pub site_name: String,
}

impl Chrome {
    /// The frame of a page in `space`. `path` is the page's own path, to mark the active menu
    /// entry; `breadcrumbs` start after the space's home.
    pub async fn new(
        state: &AppState,
        space: &Space,
        actor: &Actor,
        title: impl Into<String>,
        path: &str,
        breadcrumbs: Vec<Crumb>,
    ) -> Result<Self, sea_orm::DbErr> {
        let title = title.into();
        let mut items: Vec<MenuItem> = Vec::new();
        let switchable = state.registry.switchable().count() > 0;
        let enabled = if switchable {
            spaces::enabled_modules(&state.db, space.id).await?
        } else {
            Default::default()
        };
        for module in state.registry.iter() {
            if module.kind() == ModuleKind::Vertical && !enabled.contains(module.key()) {
                continue;
            }
            items.extend(module.menu(state, space).await?);
        }
        let nav = items
            .into_iter()
            .map(|item| NavLink {
                active: item.href == path,
                label: item.label,
                href: item.href,
            })
            .collect();

        let mut trail = vec![Crumb::link("Home", "/")];
        if space.kind() != SpaceKind::National {
            if let Some(parent) = space.parent_id
                && let Some(parent) = spaces::by_id(&state.db, parent)
                    .await?
                    .filter(|p| p.kind() == SpaceKind::Regional)
            {
                trail.push(Crumb::link(parent.name.clone(), parent.path()));
            }
            trail.push(if breadcrumbs.is_empty() {
                Crumb::here(space.name.clone())
            } else {
                Crumb::link(space.name.clone(), space.path())
            });
        } else if breadcrumbs.is_empty() {
            trail = vec![Crumb::here("Home")];
        }
        trail.extend(breadcrumbs);

        let person = actor.person();
        let can_manage = policy::allows(actor, Action::ManageSpace(space));
        let version = space.updated_at.timestamp();
        Ok(Self {
            title: title.clone(),
            space_name: space.name.clone(),
            space_home: space.path(),
            tagline: space
                .tagline
                .clone()
                .unwrap_or_else(|| default_tagline(space)),
            logo_url: space.logo_key.as_ref().map(|key| format!("/media/{key}")),
            theme_url: space
                .primary_colour
                .as_deref()
                .and_then(|c| PrimaryColour::parse(c).ok())
                .map(|_| format!("{}?v={version}", space.path_to("/tema.css"))),
            nav,
            breadcrumbs: trail,
            person_name: person.map(|p| p.display_name.clone()),
            csrf_token: person.map(|p| p.csrf_token.clone()),
            manage_url: if can_manage {
                Some((space.path_to("/gestione"), "Gestione dello spazio"))
            } else if policy::allows(actor, Action::EditContent(space)) {
                Some((
                    space.path_to("/gestione/contenuti"),
                    "Gestione dei contenuti",
                ))
            } else {
                None
            },
            password_temporary: person.is_some_and(|p| p.password_temporary),
            assets: pico_assets::VERSION,
            demo: state.demo,
            alternates: Vec::new(),
            og: OpenGraph {
                kind: "website",
                description: String::new(),
                url: state.config.url(path),
                image: None,
                site_name: space.name.clone(),
                title,
            },
            search_space: (space.kind() != SpaceKind::National).then(|| space.slug.clone()),
            bundles: Vec::new(),
        })
    }
}

fn default_tagline(space: &Space) -> String {
    match space.kind() {
        SpaceKind::National => "La piattaforma collaborativa delle Province italiane".into(),
        SpaceKind::Regional => "Le Province della regione in rete".into(),
        SpaceKind::Provincial => "Servizi della Provincia per i Comuni del territorio".into(),
    }
}
