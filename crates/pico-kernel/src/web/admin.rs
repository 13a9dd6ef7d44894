//! Managing a space: its name, tagline, primary colour, logo and vertical modules.

use super::audit_log::record;
use super::{AppState, Chrome, ClientAddress, Crumb, CurrentSpace, Error, check_csrf, render};
use crate::identity::Actor;
use crate::policy::{Action, authorize};
use crate::spaces::branding::{Logo, PrimaryColour};
use crate::spaces::{self, Space, model::space};
use askama::Template;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, IntoActiveModel, TransactionTrait};
use serde::Deserialize;

/// Requests larger than this are cut off before reaching the handler.
const UPLOAD_LIMIT: usize = 8 * 1024 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/{space}/gestione", get(show).post(update))
        .route(
            "/{space}/gestione/logo",
            post(upload_logo).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .route("/{space}/gestione/moduli", post(update_modules))
}

pub struct ModuleChoice {
    pub key: &'static str,
    pub label: &'static str,
    pub enabled: bool,
}

#[derive(Template)]
#[template(path = "manage.html")]
struct ManagePage {
    chrome: Chrome,
    space: Space,
    csrf: String,
    name: String,
    tagline: String,
    colour: String,
    modules: Vec<ModuleChoice>,
    saved: bool,
    error: Option<String>,
    /// Platform administrators also get the links to the platform's own pages.
    platform_admin: bool,
    /// The modules' own administration pages.
    module_pages: Vec<crate::MenuItem>,
}

#[derive(Deserialize)]
struct Saved {
    salvato: Option<String>,
}

async fn page(
    state: &AppState,
    actor: &Actor,
    space: Space,
    error: Option<String>,
    saved: bool,
) -> Result<ManagePage, Error> {
    let chrome = Chrome::new(
        state,
        &space,
        actor,
        "Gestione dello spazio",
        &space.path_to("/gestione"),
        vec![Crumb::here("Gestione")],
    )
    .await?;
    let enabled = spaces::enabled_modules(&state.db, space.id).await?;
    let modules = state
        .registry
        .switchable()
        .map(|m| ModuleChoice {
            key: m.key(),
            label: m.label(),
            enabled: enabled.contains(m.key()),
        })
        .collect();
    Ok(ManagePage {
        chrome,
        csrf: actor.csrf_token(),
        name: space.name.clone(),
        tagline: space.tagline.clone().unwrap_or_default(),
        colour: space.primary_colour.clone().unwrap_or_default(),
        modules,
        saved,
        error,
        platform_admin: crate::policy::allows(actor, Action::ViewPlatformAudit),
        module_pages: state
            .registry
            .iter()
            .flat_map(|m| m.manage_menu(&space))
            .collect(),
        space,
    })
}

async fn show(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
    axum::extract::Query(q): axum::extract::Query<Saved>,
) -> Result<Response, Error> {
    authorize(&actor, Action::ManageSpace(&space))?;
    Ok(render(&page(&state, &actor, space, None, q.salvato.is_some()).await?)?.into_response())
}

#[derive(Deserialize)]
struct SettingsForm {
    csrf: String,
    name: String,
    #[serde(default)]
    tagline: String,
    #[serde(default)]
    colour: String,
}

async fn update(
    State(state): State<AppState>,
    actor: Actor,
    from: ClientAddress,
    CurrentSpace(space): CurrentSpace,
    Form(form): Form<SettingsForm>,
) -> Result<Response, Error> {
    authorize(&actor, Action::ManageSpace(&space))?;
    check_csrf(&actor, &form.csrf)?;
    let name = form.name.trim();
    let tagline = form.tagline.trim();
    let colour = form.colour.trim();
    let invalid = if name.chars().count() < 3 || name.chars().count() > 120 {
        Some("Il nome dello spazio deve avere da 3 a 120 caratteri.".to_owned())
    } else if tagline.chars().count() > 200 {
        Some("Il sottotitolo può avere al massimo 200 caratteri.".to_owned())
    } else if colour.is_empty() {
        None
    } else {
        PrimaryColour::parse(colour).err().map(|e| e.to_string())
    };
    if let Some(message) = invalid {
        let mut page = page(&state, &actor, space, Some(message), false).await?;
        page.name = name.into();
        page.tagline = tagline.into();
        page.colour = colour.into();
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
    }
    let path = space.path_to("/gestione?salvato=1");
    let detail = serde_json::json!({ "name": name, "tagline": tagline, "colour": colour });
    record(
        &state,
        &actor,
        &from,
        "space.update",
        format!("space:{}", space.id),
        Some(space.id),
        detail,
    )
    .await?;
    let mut model: space::ActiveModel = space.into_active_model();
    model.name = Set(name.into());
    model.tagline = Set(Some(tagline.to_owned()).filter(|t| !t.is_empty()));
    model.primary_colour = Set(PrimaryColour::parse(colour).ok().map(|c| c.to_string()));
    model.updated_at = Set(Utc::now());
    model.update(&state.db).await?;
    Ok(Redirect::to(&path).into_response())
}

async fn upload_logo(
    State(state): State<AppState>,
    actor: Actor,
    from: ClientAddress,
    CurrentSpace(space): CurrentSpace,
    mut multipart: Multipart,
) -> Result<Response, Error> {
    authorize(&actor, Action::ManageSpace(&space))?;
    let too_large = || {
        format!(
            "Il file è troppo grande: il logo può pesare al massimo {} KB.",
            state.config.max_logo_bytes / 1024
        )
    };
    let mut csrf = String::new();
    let mut upload = None;
    let mut failure = None;
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or_default().to_owned();
                match field.bytes().await {
                    Ok(bytes) if name == "csrf" => {
                        csrf = String::from_utf8_lossy(&bytes).into_owned()
                    }
                    Ok(bytes) if name == "logo" => upload = Some(bytes.to_vec()),
                    Ok(_) => {}
                    Err(e) => {
                        failure = Some((e.status(), e.status() == StatusCode::PAYLOAD_TOO_LARGE));
                        break;
                    }
                }
            }
            Ok(None) => break,
            Err(e) => {
                failure = Some((e.status(), e.status() == StatusCode::PAYLOAD_TOO_LARGE));
                break;
            }
        }
    }
    let outcome = match failure {
        Some((status, true)) => Err((status, too_large())),
        Some((status, false)) => {
            Err((status, "Il caricamento non è riuscito: riprova.".to_owned()))
        }
        None => {
            check_csrf(&actor, &csrf)?;
            Logo::parse(upload.unwrap_or_default(), state.config.max_logo_bytes).map_err(|e| {
                let status = if matches!(e, crate::spaces::branding::LogoError::TooLarge { .. }) {
                    StatusCode::PAYLOAD_TOO_LARGE
                } else {
                    StatusCode::UNPROCESSABLE_ENTITY
                };
                (status, e.to_string())
            })
        }
    };
    let logo = match outcome {
        Ok(logo) => logo,
        Err((status, message)) => {
            let page = page(&state, &actor, space, Some(message), false).await?;
            return Ok((status, render(&page)?).into_response());
        }
    };
    let key = state
        .storage
        .put(&format!("spaces/{}", space.id), logo.extension, logo.bytes)
        .await?;
    let path = space.path_to("/gestione?salvato=1");
    let detail = serde_json::json!({ "file": key });
    record(
        &state,
        &actor,
        &from,
        "space.logo",
        format!("space:{}", space.id),
        Some(space.id),
        detail,
    )
    .await?;
    let mut model: space::ActiveModel = space.into_active_model();
    model.logo_key = Set(Some(key));
    model.updated_at = Set(Utc::now());
    model.update(&state.db).await?;
    Ok(Redirect::to(&path).into_response())
}

async fn update_modules(
    State(state): State<AppState>,
    actor: Actor,
    from: ClientAddress,
    CurrentSpace(space): CurrentSpace,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, Error> {
    authorize(&actor, Action::ManageSpace(&space))?;
    let csrf = form
        .iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.as_str())
        .unwrap_or_default();
    check_csrf(&actor, csrf)?;
    let chosen: Vec<&str> = form
        .iter()
        .filter(|(k, _)| k == "module")
        .map(|(_, v)| v.as_str())
        .collect();
    if let Some(unknown) = chosen
        .iter()
        .find(|key| state.registry.switchable().all(|m| m.key() != **key))
    {
        return Err(Error::BadRequest(format!(
            "Il modulo «{unknown}» non esiste."
        )));
    }
    let txn = state.db.begin().await?;
    for module in state.registry.switchable() {
        spaces::set_module(&txn, space.id, module.key(), chosen.contains(&module.key())).await?;
    }
    txn.commit().await?;
    let detail = serde_json::json!({ "enabled": chosen });
    record(
        &state,
        &actor,
        &from,
        "space.modules",
        format!("space:{}", space.id),
        Some(space.id),
        detail,
    )
    .await?;
    Ok(Redirect::to(&space.path_to("/gestione?salvato=1")).into_response())
}
