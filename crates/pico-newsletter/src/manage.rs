//! What editors do: see the list and the campaigns, compose a campaign from published content,
//! send a test to themselves, then send it to the list and follow each message.

use crate::model::{self, Composition, Delivery, ListCounts, campaign, delivery};
use crate::sending::{self, Item};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use pico_kernel::identity::Actor;
use pico_kernel::mail;
use pico_kernel::policy::{Action, authorize};
use pico_kernel::spaces::Space;
use pico_kernel::web::audit_log::record;
use pico_kernel::web::{Chrome, ClientAddress, Crumb, CurrentSpace, check_csrf, render};
use pico_kernel::{AppState, Error};
use pico_portal::date;
use pico_portal::model::{ListFilter, content, kind_of};
use serde::Deserialize;

/// How many recent items the composer offers.
const CHOICES: u64 = 40;
/// How many recipients a campaign's page lists.
const LISTED: u64 = 200;

async fn chrome(
    state: &AppState,
    actor: &Actor,
    space: &Space,
    title: &str,
    path: &str,
) -> Result<Chrome, Error> {
    let mut crumbs = vec![Crumb::link("Gestione", space.path_to("/gestione"))];
    if title == "Newsletter" {
        crumbs.push(Crumb::here("Newsletter"));
    } else {
        crumbs.push(Crumb::link(
            "Newsletter",
            space.path_to("/newsletter/gestione"),
        ));
        crumbs.push(Crumb::here(title));
    }
    Ok(Chrome::new(state, space, actor, title, path, crumbs).await?)
}

fn status_label(status: &str) -> &'static str {
    match status {
        model::DRAFT => "Bozza",
        model::SENDING => "In invio",
        _ => "Inviata",
    }
}

struct CampaignRow {
    id: i32,
    subject: String,
    status: &'static str,
    recipients: i32,
    when: String,
}

#[derive(Template)]
#[template(path = "manage.html")]
struct ManagePage {
    chrome: Chrome,
    space: Space,
    counts: ListCounts,
    campaigns: Vec<CampaignRow>,
    notice: Option<&'static str>,
}

#[derive(Deserialize)]
pub struct Done {
    fatto: Option<String>,
}

pub async fn dashboard(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
    Query(done): Query<Done>,
) -> Result<Response, Error> {
    authorize(&actor, Action::EditContent(&space))?;
    let campaigns = model::campaigns_of(&state.db, space.id)
        .await?
        .into_iter()
        .map(|c| CampaignRow {
            id: c.id,
            status: status_label(&c.status),
            recipients: c.recipients,
            when: date(c.sent_at.unwrap_or(c.created_at)),
            subject: c.subject,
        })
        .collect();
    let page = ManagePage {
        chrome: chrome(
            &state,
            &actor,
            &space,
            "Newsletter",
            &space.path_to("/newsletter/gestione"),
        )
        .await?,
        counts: model::list_counts(&state.db, space.id).await?,
        campaigns,
        notice: (done.fatto.as_deref() == Some("eliminata")).then_some("Bozza eliminata."),
        space,
    };
    Ok(render(&page)?.into_response())
}

/// A published item the composer offers.
struct Choice {
    id: i32,
    label: String,
    checked: bool,
}

#[derive(Template)]
#[template(path = "campaign.html")]
struct CampaignPage {
    chrome: Chrome,
    space: Space,
    csrf: String,
    /// `None` while composing a new one.
    campaign: Option<campaign::Model>,
    subject: String,
    intro: String,
    choices: Vec<Choice>,
    error: Option<String>,
    notice: Option<String>,
    /// The items the message presents, as it stands.
    items: Vec<Item>,
    confirmed: u64,
    me: String,
    progress: Vec<(Delivery, u64)>,
    deliveries: Vec<delivery::Model>,
}

impl CampaignPage {
    fn editable(&self) -> bool {
        self.campaign
            .as_ref()
            .is_none_or(|c| c.status == model::DRAFT)
    }

    fn action(&self) -> String {
        match &self.campaign {
            Some(c) => self
                .space
                .path_to(&format!("/newsletter/gestione/{}", c.id)),
            None => self.space.path_to("/newsletter/gestione/nuova"),
        }
    }

    fn truncated(&self) -> bool {
        self.campaign
            .as_ref()
            .is_some_and(|c| c.recipients as usize > self.deliveries.len())
    }

    fn delivery_label(&self, status: &str) -> &'static str {
        Delivery::parse(status).map_or("", Delivery::label)
    }
}

#[derive(Deserialize, Default)]
pub struct CampaignForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    intro: String,
    #[serde(default)]
    contenuti: Vec<String>,
}

/// The items a campaign of `space` may present: the latest its readers see.
async fn offered(state: &AppState, space: &Space) -> Result<Vec<content::Model>, Error> {
    Ok(
        pico_portal::model::list(&state.db, space, None, ListFilter::default(), 0, CHOICES)
            .await?
            .items,
    )
}

async fn campaign_page(
    state: &AppState,
    actor: &Actor,
    space: Space,
    campaign: Option<campaign::Model>,
    composition: Composition,
) -> Result<CampaignPage, Error> {
    let offered = offered(state, &space).await?;
    let choices = offered
        .iter()
        .map(|item| Choice {
            id: item.id,
            label: format!(
                "{}: {}{}",
                kind_of(item).label(),
                item.title,
                item.published_at
                    .or(item.starts_at)
                    .map(|at| format!(" ({})", date(at)))
                    .unwrap_or_default()
            ),
            checked: composition.content_ids.contains(&item.id),
        })
        .collect();
    let items = sending::items(&state.db, &state.config, &space, &composition.content_ids).await?;
    let (progress, deliveries) = match &campaign {
        Some(c) if c.status != model::DRAFT => (
            model::progress(&state.db, c.id).await?,
            model::deliveries(&state.db, c.id, LISTED).await?,
        ),
        _ => (Vec::new(), Vec::new()),
    };
    let title = campaign
        .as_ref()
        .map_or("Nuova campagna".to_owned(), |c| c.subject.clone());
    let path = match &campaign {
        Some(c) => space.path_to(&format!("/newsletter/gestione/{}", c.id)),
        None => space.path_to("/newsletter/gestione/nuova"),
    };
    Ok(CampaignPage {
        chrome: chrome(state, actor, &space, &title, &path).await?,
        csrf: actor.csrf_token(),
        confirmed: model::list_counts(&state.db, space.id).await?.confirmed,
        me: actor.person().map(|p| p.email.clone()).unwrap_or_default(),
        campaign,
        subject: composition.subject,
        intro: composition.intro,
        choices,
        error: None,
        notice: None,
        items,
        progress,
        deliveries,
        space,
    })
}

/// Checks a composition against what the space's readers may see now.
async fn check(
    state: &AppState,
    space: &Space,
    form: &CampaignForm,
) -> Result<Result<Composition, String>, Error> {
    let subject = form
        .subject
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if subject.is_empty() || subject.chars().count() > 150 {
        return Ok(Err(
            "Scrivi l'oggetto del messaggio (al massimo 150 caratteri).".into(),
        ));
    }
    let intro = form.intro.trim().replace("\r\n", "\n");
    if intro.chars().count() > 5000 {
        return Ok(Err(
            "Il testo introduttivo può avere al massimo 5000 caratteri.".into(),
        ));
    }
    let mut content_ids = Vec::new();
    for id in &form.contenuti {
        match id.parse::<i32>() {
            Ok(id) if !content_ids.contains(&id) => content_ids.push(id),
            Ok(_) => {}
            Err(_) => return Ok(Err("Uno dei contenuti scelti non esiste.".into())),
        }
    }
    let offered = offered(state, space).await?;
    if !content_ids
        .iter()
        .all(|id| offered.iter().any(|item| item.id == *id))
    {
        return Ok(Err(
            "Uno dei contenuti scelti non è più pubblicato: controlla la scelta.".into(),
        ));
    }
    if content_ids.is_empty() && intro.is_empty() {
        return Ok(Err(
            "Scrivi un testo introduttivo o scegli almeno un contenuto da presentare.".into(),
        ));
    }
    Ok(Ok(Composition {
        subject,
        intro,
        content_ids,
    }))
}

fn composition_of(campaign: &campaign::Model) -> Composition {
    Composition {
        subject: campaign.subject.clone(),
        intro: campaign.intro.clone(),
        content_ids: model::content_ids(campaign),
    }
}

pub async fn new_form(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
) -> Result<Response, Error> {
    authorize(&actor, Action::EditContent(&space))?;
    let page = campaign_page(&state, &actor, space, None, Composition::default()).await?;
    Ok(render(&page)?.into_response())
}

async fn refuse(
    state: &AppState,
    actor: &Actor,
    space: Space,
    campaign: Option<campaign::Model>,
    form: CampaignForm,
    error: String,
) -> Result<Response, Error> {
    let ids = form
        .contenuti
        .iter()
        .filter_map(|id| id.parse().ok())
        .collect();
    let composition = Composition {
        subject: form.subject,
        intro: form.intro,
        content_ids: ids,
    };
    let mut page = campaign_page(state, actor, space, campaign, composition).await?;
    page.error = Some(error);
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
}

pub async fn create(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
    Form(form): Form<CampaignForm>,
) -> Result<Response, Error> {
    authorize(&actor, Action::EditContent(&space))?;
    check_csrf(&actor, &form.csrf)?;
    let composition = match check(&state, &space, &form).await? {
        Ok(c) => c,
        Err(error) => return refuse(&state, &actor, space, None, form, error).await,
    };
    let by = actor.person().ok_or(Error::Unauthenticated)?.id;
    let created = model::create_campaign(&state.db, space.id, composition, by).await?;
    Ok(Redirect::to(&space.path_to(&format!(
        "/newsletter/gestione/{}?fatto=salvata",
        created.id
    )))
    .into_response())
}

async fn find(state: &AppState, space: &Space, id: i32) -> Result<campaign::Model, Error> {
    model::campaign_of(&state.db, space.id, id)
        .await?
        .ok_or(Error::NotFound)
}

pub async fn show(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
    Path((_, id)): Path<(String, i32)>,
    Query(done): Query<Done>,
) -> Result<Response, Error> {
    authorize(&actor, Action::EditContent(&space))?;
    let campaign = find(&state, &space, id).await?;
    let composition = composition_of(&campaign);
    let mut page = campaign_page(&state, &actor, space, Some(campaign), composition).await?;
    page.notice = match done.fatto.as_deref() {
        Some("salvata") => Some("Campagna salvata.".into()),
        Some("prova") => Some(format!("Messaggio di prova inviato a {}.", page.me)),
        Some("inviata") => Some("Invio avviato: i messaggi partono uno alla volta.".into()),
        _ => None,
    };
    Ok(render(&page)?.into_response())
}

pub async fn save(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
    Path((_, id)): Path<(String, i32)>,
    Form(form): Form<CampaignForm>,
) -> Result<Response, Error> {
    authorize(&actor, Action::EditContent(&space))?;
    check_csrf(&actor, &form.csrf)?;
    let campaign = find(&state, &space, id).await?;
    let composition = match check(&state, &space, &form).await? {
        Ok(c) => c,
        Err(error) => return refuse(&state, &actor, space, Some(campaign), form, error).await,
    };
    if !model::update_campaign(&state.db, id, composition).await? {
        return refuse(
            &state,
            &actor,
            space,
            Some(campaign),
            form,
            "La campagna è già stata inviata: non si può più modificare.".into(),
        )
        .await;
    }
    Ok(
        Redirect::to(&space.path_to(&format!("/newsletter/gestione/{id}?fatto=salvata")))
            .into_response(),
    )
}

#[derive(Deserialize)]
pub struct ActionForm {
    #[serde(default)]
    csrf: String,
}

/// The campaign's message as it would go out now.
async fn message(
    state: &AppState,
    space: &Space,
    campaign: &campaign::Model,
) -> Result<(String, String), Error> {
    let items = sending::items(
        &state.db,
        &state.config,
        space,
        &model::content_ids(campaign),
    )
    .await?;
    sending::compose(
        &state.config,
        space,
        &campaign.subject,
        &campaign.intro,
        &items,
    )
    .map_err(|e| Error::Internal(e.into()))
}

pub async fn test(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
    Path((_, id)): Path<(String, i32)>,
    axum::Form(form): axum::Form<ActionForm>,
) -> Result<Response, Error> {
    authorize(&actor, Action::EditContent(&space))?;
    check_csrf(&actor, &form.csrf)?;
    let campaign = find(&state, &space, id).await?;
    let me = actor.person().ok_or(Error::Unauthenticated)?.email.clone();
    let (text, html) = message(&state, &space, &campaign).await?;
    // A test has no subscription behind it: its unsubscribe link leads to the list's page.
    let mut mail = sending::personal(
        &state.config,
        &space,
        &me,
        &format!("[Prova] {}", campaign.subject),
        (&text, &html),
        "prova",
    );
    mail.unsubscribe = None;
    mail::queue(&state.db, mail).await?;
    Ok(
        Redirect::to(&space.path_to(&format!("/newsletter/gestione/{id}?fatto=prova")))
            .into_response(),
    )
}

pub async fn send(
    State(state): State<AppState>,
    actor: Actor,
    from: ClientAddress,
    CurrentSpace(space): CurrentSpace,
    Path((_, id)): Path<(String, i32)>,
    axum::Form(form): axum::Form<ActionForm>,
) -> Result<Response, Error> {
    authorize(&actor, Action::EditContent(&space))?;
    check_csrf(&actor, &form.csrf)?;
    let campaign = find(&state, &space, id).await?;
    let (text, html) = message(&state, &space, &campaign).await?;
    let Some(recipients) =
        model::start_sending(&state.db, &campaign, text, html, sending::JOB).await?
    else {
        let mut page = campaign_page(
            &state,
            &actor,
            space,
            Some(campaign.clone()),
            composition_of(&campaign),
        )
        .await?;
        page.error = Some("La campagna è già stata inviata.".into());
        return Ok((StatusCode::CONFLICT, render(&page)?).into_response());
    };
    record(
        &state,
        &actor,
        &from,
        "newsletter.send",
        format!("newsletter_campaign:{id}"),
        Some(space.id),
        serde_json::json!({ "subject": campaign.subject, "recipients": recipients }),
    )
    .await?;
    Ok(
        Redirect::to(&space.path_to(&format!("/newsletter/gestione/{id}?fatto=inviata")))
            .into_response(),
    )
}

pub async fn delete(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
    Path((_, id)): Path<(String, i32)>,
    axum::Form(form): axum::Form<ActionForm>,
) -> Result<Response, Error> {
    authorize(&actor, Action::EditContent(&space))?;
    check_csrf(&actor, &form.csrf)?;
    if !model::delete_draft(&state.db, space.id, id).await? {
        return Err(Error::NotFound);
    }
    Ok(Redirect::to(&space.path_to("/newsletter/gestione?fatto=eliminata")).into_response())
}
