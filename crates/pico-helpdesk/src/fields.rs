//! Extra fields per category: administrators ask, for a category, for what its tickets need
//! (a tender's CIG, the Ente concerned, a number, a free text). Both ticket forms show every
//! category's fields, grouped by category; only the chosen category's are checked and kept.
//! A value is stored with the field's label, so removing a field keeps what tickets said.

use crate::admin::{self, Fields, guard, refuse, saved};
use axum::extract::{Path, State};
use axum::response::Response;
use axum_extra::extract::Form;
use pico_kernel::spaces::{Space, SpaceKind};
use pico_kernel::territory;
use pico_kernel::web::CurrentSpace;
use pico_kernel::{AppState, Error, identity::Actor};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    ModelTrait, PaginatorTrait, QueryFilter, QueryOrder,
};

pub const MAX_LABEL: usize = 100;
pub const MAX_VALUE: usize = 500;

pub mod field {
    use sea_orm::entity::prelude::*;

    /// A field a category's tickets ask for.
    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "helpdesk_field")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub space_id: i32,
        pub category_id: i32,
        pub label: String,
        /// See [`crate::fields::Kind`].
        pub kind: String,
        pub required: bool,
        pub position: i32,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod value {
    use sea_orm::entity::prelude::*;

    /// What a ticket said in an extra field, with the field's label at the time.
    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "helpdesk_ticket_field")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub ticket_id: i32,
        pub label: String,
        pub value: String,
        pub position: i32,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// What an extra field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    /// A Codice Identificativo Gara: ten letters and digits.
    Cig,
    /// One of the Comuni of the space's Province.
    Ente,
    Number,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Text, Kind::Cig, Kind::Ente, Kind::Number];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Text => "text",
            Kind::Cig => "cig",
            Kind::Ente => "ente",
            Kind::Number => "number",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Kind::Text => "Testo libero",
            Kind::Cig => "CIG",
            Kind::Ente => "Ente del territorio",
            Kind::Number => "Numero",
        }
    }

    /// The value as kept, or the Italian reason it is refused; `enti` are the names offered.
    fn check(self, text: &str, enti: &[String]) -> Result<String, &'static str> {
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        match self {
            Kind::Text if text.chars().count() > MAX_VALUE => {
                Err("Il testo è troppo lungo (al massimo 500 caratteri).")
            }
            Kind::Text => Ok(text),
            Kind::Cig => {
                let cig = text.to_uppercase();
                if cig.len() == 10 && cig.chars().all(|c| c.is_ascii_alphanumeric()) {
                    Ok(cig)
                } else {
                    Err("Il CIG è di 10 caratteri, lettere e cifre.")
                }
            }
            Kind::Ente if enti.contains(&text) => Ok(text),
            Kind::Ente => Err("Scegli un Ente dell'elenco."),
            Kind::Number => {
                let number = text.replace(',', ".");
                if !number.is_empty()
                    && number.len() <= 30
                    && number.parse::<f64>().is_ok_and(f64::is_finite)
                {
                    Ok(text)
                } else {
                    Err("Scrivi un numero, come 12 o 3,5.")
                }
            }
        }
    }
}

/// The extra fields of a space, by category and order.
pub async fn of_space(
    db: &impl ConnectionTrait,
    space_id: i32,
) -> Result<Vec<field::Model>, DbErr> {
    field::Entity::find()
        .filter(field::Column::SpaceId.eq(space_id))
        .order_by_asc(field::Column::CategoryId)
        .order_by_asc(field::Column::Position)
        .order_by_asc(field::Column::Id)
        .all(db)
        .await
}

/// Adds a field after the category's others.
pub async fn add(
    db: &impl ConnectionTrait,
    space_id: i32,
    category_id: i32,
    label: &str,
    kind: Kind,
    required: bool,
) -> Result<field::Model, DbErr> {
    let position = field::Entity::find()
        .filter(field::Column::CategoryId.eq(category_id))
        .count(db)
        .await? as i32;
    field::ActiveModel {
        space_id: Set(space_id),
        category_id: Set(category_id),
        label: Set(label.to_owned()),
        kind: Set(kind.as_str().to_owned()),
        required: Set(required),
        position: Set(position),
        ..Default::default()
    }
    .insert(db)
    .await
}

/// What a ticket said in the extra fields, in order.
pub async fn values_of(
    db: &impl ConnectionTrait,
    ticket_id: i32,
) -> Result<Vec<value::Model>, DbErr> {
    value::Entity::find()
        .filter(value::Column::TicketId.eq(ticket_id))
        .order_by_asc(value::Column::Position)
        .order_by_asc(value::Column::Id)
        .all(db)
        .await
}

/// Keeps checked values on a ticket.
pub async fn store(
    db: &impl ConnectionTrait,
    ticket_id: i32,
    values: Vec<Checked>,
) -> Result<(), DbErr> {
    for v in values {
        value::ActiveModel {
            ticket_id: Set(ticket_id),
            label: Set(v.label),
            value: Set(v.value),
            position: Set(v.position),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

/// The names of the Comuni an `Ente` field offers: the Province's, else none.
async fn enti(state: &AppState, space: &Space) -> Result<Vec<String>, DbErr> {
    Ok(match (space.kind(), &space.istat_code) {
        (SpaceKind::Provincial, Some(code)) => territory::comuni_of(&state.db, code)
            .await?
            .into_iter()
            .map(|c| c.name)
            .collect(),
        _ => Vec::new(),
    })
}

/// The form's name of a field's input.
fn input_name(id: i32) -> String {
    format!("campo_{id}")
}

/// Whether a form input is an extra field's.
pub fn is_input(name: &str) -> bool {
    name.starts_with("campo_")
}

/// One field of a form, as shown.
pub struct Shown {
    pub name: String,
    pub label: String,
    pub kind: &'static str,
    pub required: bool,
    pub value: String,
    pub error: Option<String>,
    pub options: Vec<String>,
}

impl Shown {
    pub fn is_ente(&self) -> bool {
        self.kind == Kind::Ente.as_str()
    }

    pub fn is_chosen(&self, option: &str) -> bool {
        self.value == option
    }
}

/// The fields of one category in a form.
pub struct Group {
    pub category_id: i32,
    pub category: String,
    pub fields: Vec<Shown>,
}

/// What was typed in a form's extra fields, and the refusals by input name.
#[derive(Default)]
pub struct Typed {
    pub values: Vec<(String, String)>,
    pub errors: Vec<(String, String)>,
}

impl Typed {
    fn value(&self, name: &str) -> &str {
        self.values
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, v)| v.as_str())
    }

    fn error(&self, name: &str) -> Option<String> {
        self.errors
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, e)| e.clone())
    }
}

/// Every category's fields for a ticket form, with what was typed.
pub async fn groups(state: &AppState, space: &Space, typed: &Typed) -> Result<Vec<Group>, Error> {
    let fields = of_space(&state.db, space.id).await?;
    if fields.is_empty() {
        return Ok(Vec::new());
    }
    let enti = enti(state, space).await?;
    let mut groups = Vec::new();
    for c in crate::model::categories_of(&state.db, space.id).await? {
        let shown: Vec<Shown> = fields
            .iter()
            .filter(|f| f.category_id == c.id)
            .map(|f| {
                let name = input_name(f.id);
                let kind = Kind::parse(&f.kind).unwrap_or(Kind::Text);
                Shown {
                    value: typed.value(&name).to_owned(),
                    error: typed.error(&name),
                    label: f.label.clone(),
                    kind: kind.as_str(),
                    required: f.required,
                    options: if kind == Kind::Ente {
                        enti.clone()
                    } else {
                        Vec::new()
                    },
                    name,
                }
            })
            .collect();
        if !shown.is_empty() {
            groups.push(Group {
                category_id: c.id,
                category: c.name,
                fields: shown,
            });
        }
    }
    Ok(groups)
}

/// A checked value, ready to keep.
pub struct Checked {
    label: String,
    value: String,
    position: i32,
}

/// Checks the chosen category's fields in what the form sent; the values to keep, or the
/// refusals by input name. Other categories' fields are ignored.
pub async fn check(
    state: &AppState,
    space: &Space,
    category_id: Option<i32>,
    typed: &Typed,
) -> Result<Result<Vec<Checked>, Vec<(String, String)>>, Error> {
    let Some(category_id) = category_id else {
        return Ok(Ok(Vec::new()));
    };
    let fields: Vec<field::Model> = of_space(&state.db, space.id)
        .await?
        .into_iter()
        .filter(|f| f.category_id == category_id)
        .collect();
    let enti = if fields.iter().any(|f| f.kind == Kind::Ente.as_str()) {
        enti(state, space).await?
    } else {
        Vec::new()
    };
    let mut values = Vec::new();
    let mut errors = Vec::new();
    for f in fields {
        let name = input_name(f.id);
        let text = typed.value(&name).trim();
        if text.is_empty() {
            if f.required {
                errors.push((name, format!("Indica «{}»: è obbligatorio.", f.label)));
            }
            continue;
        }
        match Kind::parse(&f.kind)
            .unwrap_or(Kind::Text)
            .check(text, &enti)
        {
            Ok(value) => values.push(Checked {
                label: f.label,
                value,
                position: f.position,
            }),
            Err(e) => errors.push((name, format!("«{}»: {e}", f.label))),
        }
    }
    Ok(if errors.is_empty() {
        Ok(values)
    } else {
        Err(errors)
    })
}

// ---------------------------------------------------------------------------------------
// Administration.

pub async fn create(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
    Form(fields): Form<Fields>,
) -> Result<Response, Error> {
    guard(&actor, &space, &fields)?;
    let categories = crate::model::categories_of(&state.db, space.id).await?;
    let category = admin::field(&fields, "categoria")
        .parse::<i32>()
        .ok()
        .filter(|id| categories.iter().any(|c| c.id == *id));
    let label = admin::field(&fields, "etichetta")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let (Some(category), Some(kind)) = (category, Kind::parse(admin::field(&fields, "tipo")))
    else {
        let error = if category.is_none() {
            "Scegli la categoria del campo."
        } else {
            "Scegli il tipo del campo."
        };
        return refuse(&state, &actor, space, "campo", fields, error.into()).await;
    };
    if label.is_empty() || label.chars().count() > MAX_LABEL {
        let error = format!("Scrivi l'etichetta del campo (al massimo {MAX_LABEL} caratteri).");
        return refuse(&state, &actor, space, "campo", fields, error).await;
    }
    let required = admin::field(&fields, "obbligatorio") == "si";
    add(&state.db, space.id, category, &label, kind, required).await?;
    Ok(saved(&space, "campi"))
}

pub async fn delete(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
    Path((_, id)): Path<(String, i32)>,
    Form(fields): Form<Fields>,
) -> Result<Response, Error> {
    guard(&actor, &space, &fields)?;
    let found = field::Entity::find_by_id(id)
        .one(&state.db)
        .await?
        .filter(|f| f.space_id == space.id)
        .ok_or(Error::NotFound)?;
    found.delete(&state.db).await?;
    Ok(saved(&space, "campi"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_checked_by_kind() {
        let enti = vec!["Treviso".to_owned(), "Oderzo".to_owned()];
        assert_eq!(
            Kind::Cig.check(" 7a1b2c3d4e ", &enti),
            Ok("7A1B2C3D4E".into())
        );
        assert!(Kind::Cig.check("7A1B2C3D4", &enti).is_err());
        assert!(Kind::Cig.check("7A1B2C3D4-", &enti).is_err());
        assert!(Kind::Cig.check("7A1B2C3D4È", &enti).is_err());
        assert_eq!(Kind::Ente.check("Oderzo", &enti), Ok("Oderzo".into()));
        assert!(Kind::Ente.check("Milano", &enti).is_err());
        assert_eq!(Kind::Number.check("3,5", &enti), Ok("3,5".into()));
        assert!(Kind::Number.check("tre", &enti).is_err());
        assert!(Kind::Number.check("NaN", &enti).is_err());
        assert!(Kind::Text.check(&"x".repeat(501), &enti).is_err());
    }
}
