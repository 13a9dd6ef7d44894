//! Who sees what in a Province's SUA: its operators (and the space's administrators) see
//! everything of the space; the people of an Ente of its territory see their Ente's requests
//! and the tenders where their Ente is the titolare or takes part; a person in the RUP registry
//! sees the tenders assigned to them; nobody else sees anything.

use pico_kernel::identity::{Actor, Role, Scope};
use pico_kernel::policy::{Action, allows};
use pico_kernel::spaces::{Space, SpaceKind};
use pico_kernel::territory::{self, model::comune};
use pico_kernel::{AppState, Error};

/// The reader of a SUA page, as far as the space is concerned.
pub struct Viewer {
    pub operator: bool,
    /// The Enti of the space's territory the person acts for, by name.
    pub enti: Vec<comune::Model>,
    /// Every Comune of the territory, by name.
    pub territory: Vec<comune::Model>,
    /// The registry entries of the person as RUP.
    pub rups: Vec<i32>,
}

impl Viewer {
    pub async fn of(state: &AppState, actor: &Actor, space: &Space) -> Result<Self, Error> {
        let territory = match (space.kind(), &space.istat_code) {
            (SpaceKind::Provincial, Some(code)) => territory::comuni_of(&state.db, code).await?,
            _ => Vec::new(),
        };
        let mine: Vec<i32> = actor
            .person()
            .map(|p| {
                p.grants
                    .iter()
                    .filter(|g| matches!(g.role, Role::EnteAdmin | Role::EnteMember))
                    .filter_map(|g| match g.scope {
                        Scope::Ente { comune_id } => Some(comune_id),
                        _ => None,
                    })
                    .filter(|id| allows(actor, Action::ActForEnte { comune_id: *id }))
                    .collect()
            })
            .unwrap_or_default();
        let rups = match actor.person() {
            Some(p) => crate::model::rups_with_email(&state.db, space.id, &p.email).await?,
            None => Vec::new(),
        };
        let enti = territory
            .iter()
            .filter(|c| mine.contains(&c.id))
            .cloned()
            .collect();
        Ok(Self {
            operator: allows(
                actor,
                Action::Operate {
                    space,
                    module: crate::KEY,
                },
            ),
            enti,
            territory,
            rups,
        })
    }

    /// Refuses anyone who has nothing to do with this SUA: 401 to the anonymous, 403 to others.
    pub fn require_any(&self, actor: &Actor) -> Result<(), Error> {
        match actor {
            Actor::Anonymous => Err(Error::Unauthenticated),
            _ if self.operator || !self.enti.is_empty() || !self.rups.is_empty() => Ok(()),
            _ => Err(Error::Forbidden),
        }
    }

    pub fn require_operator(&self, actor: &Actor) -> Result<(), Error> {
        match actor {
            Actor::Anonymous => Err(Error::Unauthenticated),
            _ if self.operator => Ok(()),
            _ => Err(Error::Forbidden),
        }
    }

    pub fn ente_ids(&self) -> Vec<i32> {
        self.enti.iter().map(|c| c.id).collect()
    }

    /// Whether the viewer may read what concerns the Enti `comuni`.
    pub fn sees(&self, comuni: &[i32]) -> bool {
        self.operator || self.enti.iter().any(|e| comuni.contains(&e.id))
    }

    pub fn name_of(&self, comune_id: i32) -> String {
        self.territory
            .iter()
            .find(|c| c.id == comune_id)
            .map_or_else(|| format!("Ente n. {comune_id}"), |c| c.name.clone())
    }
}
