//! The JSON API (`/api/v1`), described by an OpenAPI 3 document generated from this code.
//! Errors are RFC 9457 problem documents.

use super::{AppState, Error, Problem};
use crate::identity::{Actor, Scope};
use crate::spaces::{self, SpaceKind};
use crate::territory::{self, ProvinceKind};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use std::collections::HashMap;
use utoipa::{OpenApi, ToSchema};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/spaces", get(list_spaces))
        .route(
            "/territory/provinces/{istat_code}/comuni",
            get(province_comuni),
        )
        .route("/me", get(me))
        .route("/openapi.json", get(openapi))
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Pi.Co. API",
        description = "API della piattaforma collaborativa delle Province italiane. Dati territoriali: Fonte ISTAT (CC BY).",
        version = "1"
    ),
    paths(list_spaces, province_comuni, me),
    modifiers(&BearerToken),
    components(schemas(
        MeDto,
        RoleDto,
        SpaceDto,
        SpaceKind,
        ProvinceComuni,
        ProvinceDto,
        ProvinceKind,
        ComuneDto,
        Problem
    ))
)]
struct ApiDoc;

/// Personal API tokens (`Authorization: Bearer pico_…`), created from the profile.
struct BearerToken;

impl utoipa::Modify for BearerToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme(
                "token",
                SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
            );
    }
}

/// The person the token (or session) belongs to.
#[derive(Serialize, ToSchema)]
struct MeDto {
    id: i32,
    name: String,
    email: String,
    roles: Vec<RoleDto>,
}

#[derive(Serialize, ToSchema)]
struct RoleDto {
    /// `platform_admin`, `space_admin`, `editor`, `helpdesk_agent`, `operator`, `ente_admin`, `ente_member`.
    role: String,
    /// The space the role applies in, when it is a space role.
    space_id: Option<i32>,
    /// The Ente (comune) the role applies in, when it is an Ente role.
    comune_id: Option<i32>,
    module: Option<String>,
}

/// Who is calling, with their roles.
#[utoipa::path(get, path = "/api/v1/me", tag = "identity", security(("token" = [])),
    responses(
        (status = 200, description = "The caller", body = MeDto),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
    ))]
async fn me(actor: Actor) -> Result<Json<MeDto>, Problem> {
    let person = actor.person().ok_or(Error::Unauthenticated)?;
    Ok(Json(MeDto {
        id: person.id,
        name: person.display_name.clone(),
        email: person.email.clone(),
        roles: person
            .grants
            .iter()
            .map(|g| {
                let (space_id, comune_id) = match g.scope {
                    Scope::Platform => (None, None),
                    Scope::Space { id, .. } => (Some(id), None),
                    Scope::Ente { comune_id } => (None, Some(comune_id)),
                };
                RoleDto {
                    role: g.role.as_str().into(),
                    space_id,
                    comune_id,
                    module: g.module_key.clone(),
                }
            })
            .collect(),
    }))
}

/// A space of the platform.
#[derive(Serialize, ToSchema)]
struct SpaceDto {
    kind: SpaceKind,
    name: String,
    slug: String,
    /// ISTAT code of the region (2 digits) or province (3 digits); none for the national space.
    istat_code: Option<String>,
    /// Car plate code of a province.
    plate: Option<String>,
    region_code: Option<String>,
    region: Option<String>,
    /// Absolute URL of the space's home page.
    url: String,
}

#[derive(Serialize, ToSchema)]
struct ProvinceComuni {
    province: ProvinceDto,
    comuni: Vec<ComuneDto>,
    /// Attribution required by the data licence.
    source: String,
}

#[derive(Serialize, ToSchema)]
struct ProvinceDto {
    istat_code: String,
    name: String,
    plate: String,
    kind: ProvinceKind,
    region_code: String,
}

#[derive(Serialize, ToSchema)]
struct ComuneDto {
    istat_code: String,
    name: String,
    name_other_language: Option<String>,
    cadastral_code: String,
    /// ISTAT resident population, 2023; absent for comuni created after that.
    population: Option<i32>,
    is_capital: bool,
}

/// Lists every space: national, regional and provincial.
#[utoipa::path(get, path = "/api/v1/spaces", tag = "spaces",
    responses((status = 200, description = "All spaces", body = [SpaceDto])))]
async fn list_spaces(State(state): State<AppState>) -> Result<Json<Vec<SpaceDto>>, Problem> {
    let regions: HashMap<String, String> = territory::regions(&state.db)
        .await?
        .into_iter()
        .map(|r| (r.code, r.name))
        .collect();
    let spaces = spaces::all(&state.db).await?;
    Ok(Json(
        spaces
            .into_iter()
            .map(|s| SpaceDto {
                kind: s.kind(),
                url: state.config.url(&s.path()),
                region: s.region_code.as_ref().and_then(|c| regions.get(c).cloned()),
                name: s.name,
                slug: s.slug,
                istat_code: s.istat_code,
                plate: s.plate,
                region_code: s.region_code,
            })
            .collect(),
    ))
}

/// Lists the comuni that exist today in a province (or metropolitan city, or free consortium).
#[utoipa::path(get, path = "/api/v1/territory/provinces/{istat_code}/comuni", tag = "territory",
    params(("istat_code" = String, Path, description = "ISTAT code of the province, 3 digits (e.g. 026 for Treviso, 258 for Roma)")),
    responses(
        (status = 200, description = "The province and its comuni, by name", body = ProvinceComuni),
        (status = 400, description = "The code is not 3 digits", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No province has this code", body = Problem, content_type = "application/problem+json"),
    ))]
async fn province_comuni(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Result<Json<ProvinceComuni>, Problem> {
    if !territory::is_province_code(&code) {
        return Err(Problem::new(
            StatusCode::BAD_REQUEST,
            format!(
                "«{code}» non è un codice ISTAT di provincia: servono 3 cifre, per esempio 026."
            ),
        ));
    }
    let province = territory::province(&state.db, &code)
        .await?
        .ok_or_else(|| {
            Problem::new(
                StatusCode::NOT_FOUND,
                format!("Nessuna provincia ha il codice ISTAT {code}."),
            )
        })?;
    let comuni = territory::comuni_of(&state.db, &code).await?;
    Ok(Json(ProvinceComuni {
        province: ProvinceDto {
            kind: province.kind(),
            istat_code: province.code,
            name: province.name,
            plate: province.plate,
            region_code: province.region_code,
        },
        comuni: comuni
            .into_iter()
            .map(|c| ComuneDto {
                istat_code: c.istat_code,
                name: c.name,
                name_other_language: c.name_other_language,
                cadastral_code: c.cadastral_code,
                population: c.population,
                is_capital: c.is_capital,
            })
            .collect(),
        source: "Fonte: ISTAT, Elenco dei comuni italiani (CC BY)".into(),
    }))
}

async fn openapi(State(state): State<AppState>) -> Json<utoipa::openapi::OpenApi> {
    let mut doc = ApiDoc::openapi();
    for module in state.registry.iter() {
        if let Some(part) = module.openapi() {
            doc.merge(part);
        }
    }
    Json(doc)
}
