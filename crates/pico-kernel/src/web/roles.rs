//! Who holds which role: administrators of a space see the roles in it, in its Enti and in the
//! spaces below it, grant new ones and revoke them. Every change goes to the audit log.

use super::audit_log::record;
use super::{AppState, Chrome, ClientAddress, Crumb, CurrentSpace, Error, check_csrf, render};
use crate::identity::model::{person, role_grant};
use crate::identity::{self, Actor, Role};
use crate::module::ModuleKind;
use crate::policy::{Action, allows, authorize};
use crate::spaces::{self, Space, SpaceKind};
use crate::territory::model::comune;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use sea_orm::{ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use serde::Deserialize;
use std::collections::HashMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/{space}/gestione/ruoli", get(show).post(grant))
        .route("/{space}/gestione/ruoli/revoca", post(revoke))
}

#[derive(Template)]
#[template(path = "roles.html")]
struct RolesPage {
    chrome: Chrome,
    space: Space,
    csrf: String,
    grants: Vec<GrantRow>,
    roles: Vec<(&'static str, &'static str)>,
    enti: Vec<(i32, String)>,
    modules: Vec<(&'static str, &'static str)>,
    form: GrantForm,
    notice: Option<&'static str>,
    error: Option<String>,
}

struct GrantRow {
    id: i32,
    person: String,
    email: String,
    role: &'static str,
    scope: String,
    can_revoke: bool,
}

#[derive(Deserialize, Default)]
struct GrantForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    ente: String,
    #[serde(default)]
    module: String,
}

#[derive(Deserialize)]
struct Done {
    fatto: Option<String>,
}

/// What the space covers: its spaces (itself and those below) and the comuni of their
/// territory, by id with their names.
struct Covered {
    spaces: HashMap<i32, Space>,
    comuni: HashMap<i32, String>,
}

async fn covered(state: &AppState, space: &Space) -> Result<Covered, Error> {
    let spaces: HashMap<i32, Space> = spaces::covered_by(&state.db, space)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let provinces: Vec<String> = spaces
        .values()
        .filter(|s| s.kind() == SpaceKind::Provincial)
        .filter_map(|s| s.istat_code.clone())
        .collect();
    let comuni = comune::Entity::find()
        .filter(comune::Column::ProvinceCode.is_in(provinces))
        .filter(comune::Column::SuppressedAt.is_null())
        .order_by_asc(comune::Column::Name)
        .all(&state.db)
        .await?
        .into_iter()
        .map(|c| (c.id, format!("Comune di {}", c.name)))
        .collect();
    Ok(Covered { spaces, comuni })
}

fn roles_grantable(actor: &Actor, space: &Space) -> Vec<Role> {
    Role::ALL
        .into_iter()
        .filter(|role| *role != Role::PlatformAdmin || space.kind() == SpaceKind::National)
        .filter(|role| allows(actor, Action::GrantRole { space, role: *role }))
        .collect()
}

async fn page(
    state: &AppState,
    actor: &Actor,
    space: Space,
    form: GrantForm,
    notice: Option<&'static str>,
    error: Option<String>,
) -> Result<RolesPage, Error> {
    let covered = covered(state, &space).await?;
    let mut condition = Condition::any()
        .add(role_grant::Column::SpaceId.is_in(covered.spaces.keys().copied()))
        .add(role_grant::Column::ComuneId.is_in(covered.comuni.keys().copied()));
    if space.kind() == SpaceKind::National {
        condition = condition.add(
            Condition::all()
                .add(role_grant::Column::SpaceId.is_null())
                .add(role_grant::Column::ComuneId.is_null()),
        );
    }
    let rows = role_grant::Entity::find()
        .filter(condition)
        .order_by_asc(role_grant::Column::Id)
        .all(&state.db)
        .await?;
    let people: HashMap<i32, person::Model> = person::Entity::find()
        .filter(person::Column::Id.is_in(rows.iter().map(|g| g.person_id)))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let grantable = roles_grantable(actor, &space);
    let grants = rows
        .into_iter()
        .filter_map(|grant| {
            let person = people.get(&grant.person_id)?.clone();
            let role = Role::parse(&grant.role)?;
            let mut scope = match (grant.space_id, grant.comune_id) {
                (Some(id), _) => covered.spaces.get(&id)?.name.clone(),
                (None, Some(id)) => covered.comuni.get(&id)?.clone(),
                (None, None) => "Tutta la piattaforma".into(),
            };
            if let Some(module) = &grant.module_key {
                scope.push_str(&format!(" – modulo {module}"));
            }
            Some(GrantRow {
                id: grant.id,
                person: person.display_name,
                email: person.email,
                role: role.label(),
                scope,
                can_revoke: grantable.contains(&role),
            })
        })
        .collect();
    let chrome = Chrome::new(
        state,
        &space,
        actor,
        "Ruoli e permessi",
        &space.path_to("/gestione/ruoli"),
        vec![
            Crumb::link("Gestione", space.path_to("/gestione")),
            Crumb::here("Ruoli e permessi"),
        ],
    )
    .await?;
    let mut enti: Vec<(i32, String)> = covered.comuni.into_iter().collect();
    enti.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(RolesPage {
        chrome,
        csrf: actor.csrf_token(),
        grants,
        roles: grantable.iter().map(|r| (r.as_str(), r.label())).collect(),
        enti,
        modules: state
            .registry
            .iter()
            .filter(|m| m.kind() != ModuleKind::Core)
            .map(|m| (m.key(), m.label()))
            .collect(),
        form,
        notice,
        error,
        space,
    })
}

async fn show(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
    Query(done): Query<Done>,
) -> Result<Response, Error> {
    authorize(&actor, Action::ManageRoles(&space))?;
    let notice = match done.fatto.as_deref() {
        Some("assegnato") => Some("Ruolo assegnato."),
        Some("revocato") => Some("Ruolo revocato."),
        _ => None,
    };
    let page = page(&state, &actor, space, GrantForm::default(), notice, None).await?;
    Ok(render(&page)?.into_response())
}

/// Why a grant cannot be made, in Italian.
async fn check_grant(
    state: &AppState,
    actor: &Actor,
    space: &Space,
    form: &GrantForm,
) -> Result<
    Result<
        (
            person::Model,
            Role,
            Option<i32>,
            Option<i32>,
            Option<String>,
        ),
        String,
    >,
    Error,
> {
    let Some(role) = Role::parse(&form.role) else {
        return Ok(Err("Scegli un ruolo.".into()));
    };
    if !roles_grantable(actor, space).contains(&role) {
        return Err(Error::Forbidden);
    }
    let Some(person) = identity::find_by_email(&state.db, &form.email).await? else {
        return Ok(Err(format!(
            "Nessun account con l'indirizzo «{}»: chiedi alla persona di registrarsi.",
            form.email.trim()
        )));
    };
    let ente_role = matches!(role, Role::EnteAdmin | Role::EnteMember);
    let (space_id, comune_id) = match (role, form.ente.trim()) {
        (Role::PlatformAdmin, _) => (None, None),
        (_, "") if ente_role => return Ok(Err("Per questo ruolo scegli l'Ente.".into())),
        (_, ente) if ente_role => {
            let id = ente.parse::<i32>().ok();
            let covered = covered(state, space).await?;
            match id.filter(|id| covered.comuni.contains_key(id)) {
                Some(id) => (None, Some(id)),
                None => {
                    return Ok(Err(
                        "L'Ente scelto non fa parte di questo territorio.".into()
                    ));
                }
            }
        }
        (_, "") => (Some(space.id), None),
        _ => return Ok(Err("L'Ente si indica solo per i ruoli dell'Ente.".into())),
    };
    let module = match (role, form.module.trim()) {
        (Role::Operator, "") => {
            return Ok(Err("Per l'operatore di modulo scegli il modulo.".into()));
        }
        (Role::Operator, key) => match state.registry.get(key) {
            Some(m) if m.kind() != ModuleKind::Core => Some(m.key().to_owned()),
            _ => return Ok(Err("Il modulo scelto non esiste.".into())),
        },
        _ => None,
    };
    let duplicate = role_grant::Entity::find()
        .filter(role_grant::Column::PersonId.eq(person.id))
        .filter(role_grant::Column::Role.eq(role.as_str()))
        .filter(match space_id {
            Some(id) => role_grant::Column::SpaceId.eq(id),
            None => role_grant::Column::SpaceId.is_null(),
        })
        .filter(match comune_id {
            Some(id) => role_grant::Column::ComuneId.eq(id),
            None => role_grant::Column::ComuneId.is_null(),
        })
        .filter(match &module {
            Some(key) => role_grant::Column::ModuleKey.eq(key.as_str()),
            None => role_grant::Column::ModuleKey.is_null(),
        })
        .count(&state.db)
        .await?
        > 0;
    if duplicate {
        return Ok(Err(format!("{} ha già questo ruolo.", person.display_name)));
    }
    Ok(Ok((person, role, space_id, comune_id, module)))
}

async fn grant(
    State(state): State<AppState>,
    actor: Actor,
    from: ClientAddress,
    CurrentSpace(space): CurrentSpace,
    Form(form): Form<GrantForm>,
) -> Result<Response, Error> {
    authorize(&actor, Action::ManageRoles(&space))?;
    check_csrf(&actor, &form.csrf)?;
    let (person, role, space_id, comune_id, module) =
        match check_grant(&state, &actor, &space, &form).await? {
            Ok(grant) => grant,
            Err(message) => {
                let page = page(&state, &actor, space, form, None, Some(message)).await?;
                return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
            }
        };
    identity::grant(
        &state.db,
        person.id,
        role,
        space_id,
        comune_id,
        module.as_deref(),
    )
    .await?;
    let detail = serde_json::json!({
        "person": person.email, "role": role.as_str(),
        "space_id": space_id, "comune_id": comune_id, "module": module,
    });
    record(
        &state,
        &actor,
        &from,
        "role.grant",
        format!("person:{}", person.id),
        Some(space.id),
        detail,
    )
    .await?;
    Ok(Redirect::to(&space.path_to("/gestione/ruoli?fatto=assegnato")).into_response())
}

#[derive(Deserialize)]
struct RevokeForm {
    #[serde(default)]
    csrf: String,
    id: i32,
}

async fn revoke(
    State(state): State<AppState>,
    actor: Actor,
    from: ClientAddress,
    CurrentSpace(space): CurrentSpace,
    Form(form): Form<RevokeForm>,
) -> Result<Response, Error> {
    authorize(&actor, Action::ManageRoles(&space))?;
    check_csrf(&actor, &form.csrf)?;
    let grant = role_grant::Entity::find_by_id(form.id)
        .one(&state.db)
        .await?
        .ok_or(Error::NotFound)?;
    let covered = covered(&state, &space).await?;
    let in_scope = match (grant.space_id, grant.comune_id) {
        (Some(id), _) => covered.spaces.contains_key(&id),
        (None, Some(id)) => covered.comuni.contains_key(&id),
        (None, None) => space.kind() == SpaceKind::National,
    };
    let role = Role::parse(&grant.role).ok_or(Error::NotFound)?;
    if !in_scope {
        return Err(Error::NotFound);
    }
    authorize(
        &actor,
        Action::GrantRole {
            space: &space,
            role,
        },
    )?;
    if role == Role::PlatformAdmin {
        let admins = role_grant::Entity::find()
            .filter(role_grant::Column::Role.eq(Role::PlatformAdmin.as_str()))
            .count(&state.db)
            .await?;
        if admins <= 1 {
            return Err(Error::BadRequest(
                "Non si può revocare l'ultimo amministratore della piattaforma.".into(),
            ));
        }
    }
    role_grant::Entity::delete_by_id(grant.id)
        .exec(&state.db)
        .await?;
    let detail = serde_json::json!({
        "role": grant.role, "space_id": grant.space_id,
        "comune_id": grant.comune_id, "module": grant.module_key,
    });
    record(
        &state,
        &actor,
        &from,
        "role.revoke",
        format!("person:{}", grant.person_id),
        Some(space.id),
        detail,
    )
    .await?;
    Ok(Redirect::to(&space.path_to("/gestione/ruoli?fatto=revocato")).into_response())
}
