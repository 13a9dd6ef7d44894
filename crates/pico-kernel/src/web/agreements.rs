//! The agreements (*convenzioni*) page of a Province's administration: which Enti of its
//! territory have signed one, from when to when, with the signed document.

use super::audit_log::record;
use super::{AppState, Chrome, ClientAddress, Crumb, CurrentSpace, Error, check_csrf, render};
use crate::agreements::{self, Agreement, NewAgreement};
use crate::identity::Actor;
use crate::policy::{Action, authorize};
use crate::spaces::{Space, SpaceKind};
use crate::territory::{self, model::comune};
use askama::Template;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::{NaiveDate, Utc};
use serde::Deserialize;

/// The largest signed document accepted.
const DOCUMENT_LIMIT: usize = 10 * 1024 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/{space}/gestione/convenzioni",
            get(list)
                .post(create)
                .layer(DefaultBodyLimit::max(DOCUMENT_LIMIT + 64 * 1024)),
        )
        .route("/{space}/gestione/convenzioni/{id}/termina", post(end))
        .route(
            "/{space}/gestione/convenzioni/{id}/documento",
            get(document),
        )
}

struct Row {
    agreement: Agreement,
    /// The first and last day in force, in Italian.
    from: String,
    until: Option<String>,
    ente: String,
    status: &'static str,
    active: bool,
}

/// What the form to add one holds, as typed.
#[derive(Default)]
struct Draft {
    comune: String,
    starts_on: String,
    ends_on: String,
}

#[derive(Template)]
#[template(path = "agreements.html")]
struct AgreementsPage {
    chrome: Chrome,
    space: Space,
    csrf: String,
    rows: Vec<Row>,
    comuni: Vec<comune::Model>,
    draft: Draft,
    today: String,
    error: Option<String>,
    notice: Option<&'static str>,
}

fn date_it(day: NaiveDate) -> String {
    day.format("%d/%m/%Y").to_string()
}

/// Only a Province has a territory to sign agreements with.
fn province_of(space: &Space) -> Result<String, Error> {
    match (&space.kind(), &space.istat_code) {
        (SpaceKind::Provincial, Some(code)) => Ok(code.clone()),
        _ => Err(Error::NotFound),
    }
}

async fn page(
    state: &AppState,
    actor: &Actor,
    space: Space,
    draft: Draft,
    error: Option<String>,
) -> Result<AgreementsPage, Error> {
    let comuni = territory::comuni_of(&state.db, &province_of(&space)?).await?;
    let today = Utc::now().date_naive();
    let rows = agreements::of_space(&state.db, space.id)
        .await?
        .into_iter()
        .map(|agreement| {
            let ente = comuni
                .iter()
                .find(|c| c.id == agreement.comune_id)
                .map_or_else(
                    || format!("Ente n. {}", agreement.comune_id),
                    |c| c.name.clone(),
                );
            let active = agreement.is_active_on(today);
            let status = if active {
                "In vigore"
            } else if agreement.starts_on > today {
                "Non ancora in vigore"
            } else {
                "Terminata"
            };
            Row {
                from: date_it(agreement.starts_on),
                until: agreement.ends_on.map(date_it),
                agreement,
                ente,
                status,
                active,
            }
        })
        .collect();
    let path = space.path_to("/gestione/convenzioni");
    let crumbs = vec![
        Crumb::link("Gestione", space.path_to("/gestione")),
        Crumb::here("Convenzioni"),
    ];
    Ok(AgreementsPage {
        chrome: Chrome::new(
            state,
            &space,
            actor,
            "Convenzioni con gli Enti",
            &path,
            crumbs,
        )
        .await?,
        csrf: actor.csrf_token(),
        rows,
        comuni,
        draft,
        today: today.to_string(),
        error,
        notice: None,
        space,
    })
}

#[derive(Deserialize)]
struct Done {
    fatto: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
    Query(done): Query<Done>,
) -> Result<Response, Error> {
    authorize(&actor, Action::ManageAgreements(&space))?;
    let mut page = page(&state, &actor, space, Draft::default(), None).await?;
    page.notice = match done.fatto.as_deref() {
        Some("aggiunta") => Some("Convenzione registrata."),
        Some("terminata") => Some("Convenzione terminata."),
        _ => None,
    };
    Ok(render(&page)?.into_response())
}

fn parse_day(value: &str, what: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d")
        .map_err(|_| format!("La data {what} non è valida: usa il formato gg/mm/aaaa."))
}

async fn create(
    State(state): State<AppState>,
    actor: Actor,
    from: ClientAddress,
    CurrentSpace(space): CurrentSpace,
    mut multipart: Multipart,
) -> Result<Response, Error> {
    authorize(&actor, Action::ManageAgreements(&space))?;
    let province = province_of(&space)?;
    let mut csrf = String::new();
    let mut draft = Draft::default();
    let mut file: Option<(String, Vec<u8>)> = None;
    let mut failure = None;
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or_default().to_owned();
                let filename = field.file_name().map(str::to_owned);
                match field.bytes().await {
                    Ok(bytes) => {
                        let text = || String::from_utf8_lossy(&bytes).into_owned();
                        match name.as_str() {
                            "csrf" => csrf = text(),
                            "comune" => draft.comune = text(),
                            "starts_on" => draft.starts_on = text(),
                            "ends_on" => draft.ends_on = text(),
                            "document" if !bytes.is_empty() => {
                                file = Some((filename.unwrap_or_default(), bytes.to_vec()))
                            }
                            _ => {}
                        }
                    }
                    Err(e) => {
                        failure = Some(e.status());
                        break;
                    }
                }
            }
            Ok(None) => break,
            Err(e) => {
                failure = Some(e.status());
                break;
            }
        }
    }
    if let Some(status) = failure {
        let message = if status == StatusCode::PAYLOAD_TOO_LARGE {
            format!(
                "Il documento è troppo grande: al massimo {} MB.",
                DOCUMENT_LIMIT / 1024 / 1024
            )
        } else {
            "Il caricamento non è riuscito: riprova.".to_owned()
        };
        let page = page(&state, &actor, space, draft, Some(message)).await?;
        return Ok((status, render(&page)?).into_response());
    }
    check_csrf(&actor, &csrf)?;
    let checked = async {
        let Ok(comune_id) = draft.comune.trim().parse::<i32>() else {
            return Ok(Err(
                "Scegli l'Ente che ha firmato la convenzione.".to_owned()
            ));
        };
        let comuni = territory::comuni_of(&state.db, &province).await?;
        if !comuni.iter().any(|c| c.id == comune_id) {
            return Ok(Err(
                "L'Ente scelto non è nel territorio della Provincia.".to_owned()
            ));
        }
        let starts_on = match parse_day(&draft.starts_on, "di inizio") {
            Ok(day) => day,
            Err(e) => return Ok(Err(e)),
        };
        let ends_on = match draft.ends_on.trim() {
            "" => None,
            value => match parse_day(value, "di fine") {
                Ok(day) if day < starts_on => {
                    return Ok(Err(
                        "La data di fine non può precedere quella di inizio.".to_owned()
                    ));
                }
                Ok(day) => Some(day),
                Err(e) => return Ok(Err(e)),
            },
        };
        let Some((name, bytes)) = file else {
            return Ok(Err("Allega il documento firmato (PDF).".to_owned()));
        };
        if bytes.len() > DOCUMENT_LIMIT {
            return Ok(Err(format!(
                "Il documento è troppo grande: al massimo {} MB.",
                DOCUMENT_LIMIT / 1024 / 1024
            )));
        }
        // The content decides, not the name: a signed PDF starts with its magic number.
        if !bytes.starts_with(b"%PDF-") {
            return Ok(Err(
                "Il documento firmato deve essere un file PDF.".to_owned()
            ));
        }
        Ok::<_, Error>(Ok((comune_id, starts_on, ends_on, name, bytes)))
    }
    .await;
    let (comune_id, starts_on, ends_on, name, bytes) = match checked {
        Ok(Ok(values)) => values,
        Ok(Err(message)) => {
            let message = format!("{message} Se avevi scelto un file, sceglilo di nuovo.");
            let page = page(&state, &actor, space, draft, Some(message)).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
        }
        Err(e) => return Err(e),
    };
    let key = state
        .storage
        .put(&format!("agreements/{}", space.id), "pdf", bytes)
        .await?;
    let by = actor.person().ok_or(Error::Unauthenticated)?.id;
    let document_name = name
        .rsplit(['/', '\\'])
        .next()
        .filter(|n| !n.trim().is_empty())
        .unwrap_or("convenzione.pdf")
        .chars()
        .take(200)
        .collect();
    let made = agreements::create(
        &state.db,
        NewAgreement {
            space_id: space.id,
            comune_id,
            starts_on,
            ends_on,
            document_key: key,
            document_name,
            created_by: by,
        },
    )
    .await?;
    record(
        &state,
        &actor,
        &from,
        "agreement.create",
        format!("agreement:{}", made.id),
        Some(space.id),
        serde_json::json!({
            "comune_id": comune_id,
            "starts_on": starts_on,
            "ends_on": ends_on,
        }),
    )
    .await?;
    Ok(Redirect::to(&space.path_to("/gestione/convenzioni?fatto=aggiunta")).into_response())
}

#[derive(Deserialize)]
struct EndForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    ends_on: String,
}

async fn end(
    State(state): State<AppState>,
    actor: Actor,
    from: ClientAddress,
    CurrentSpace(space): CurrentSpace,
    Path((_, id)): Path<(String, i32)>,
    Form(form): Form<EndForm>,
) -> Result<Response, Error> {
    authorize(&actor, Action::ManageAgreements(&space))?;
    check_csrf(&actor, &form.csrf)?;
    let agreement = agreements::find(&state.db, space.id, id)
        .await?
        .ok_or(Error::NotFound)?;
    let refuse = async |message: String| -> Result<Response, Error> {
        let page = page(
            &state,
            &actor,
            space.clone(),
            Draft::default(),
            Some(message),
        )
        .await?;
        Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
    };
    let day = match parse_day(&form.ends_on, "di fine") {
        Ok(day) => day,
        Err(e) => return refuse(e).await,
    };
    if day < agreement.starts_on {
        return refuse("La data di fine non può precedere quella di inizio.".into()).await;
    }
    let ended = agreements::end(&state.db, agreement, day).await?;
    record(
        &state,
        &actor,
        &from,
        "agreement.end",
        format!("agreement:{}", ended.id),
        Some(space.id),
        serde_json::json!({ "comune_id": ended.comune_id, "ends_on": day }),
    )
    .await?;
    Ok(Redirect::to(&space.path_to("/gestione/convenzioni?fatto=terminata")).into_response())
}

async fn document(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
    Path((_, id)): Path<(String, i32)>,
) -> Result<Response, Error> {
    authorize(&actor, Action::ManageAgreements(&space))?;
    let agreement = agreements::find(&state.db, space.id, id)
        .await?
        .ok_or(Error::NotFound)?;
    let file = state
        .storage
        .get(&agreement.document_key)
        .await?
        .ok_or(Error::NotFound)?;
    Ok(super::attachment(
        file.bytes,
        "application/pdf",
        &agreement.document_name,
    ))
}
