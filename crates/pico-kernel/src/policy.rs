//! The one policy: every handler asks [`authorize`] before touching data. Menus use
//! [`allows`] to hide what is forbidden, but hiding is never the protection.

use crate::identity::{Actor, Grant, Role, Scope};
use crate::spaces::{Space, SpaceKind};
use crate::web::Error;

/// What an actor wants to do.
#[derive(Debug, Clone, Copy)]
pub enum Action<'a> {
    /// Read the public pages of a space.
    ViewSpace(&'a Space),
    /// Change a space's name, branding and modules.
    ManageSpace(&'a Space),
    /// Read a module's pages in a space; a module switched off does not exist there.
    UseModule { space: &'a Space, enabled: bool },
    /// See who holds which role in a space (and its Enti, and the spaces below it).
    ManageRoles(&'a Space),
    /// Give or take away `role` in a space or one of its Enti.
    GrantRole { space: &'a Space, role: Role },
    /// Approve or refuse a request to join the Ente `comune_id`, in the space of its Province.
    DecideEnteRequest { space: &'a Space, comune_id: i32 },
    /// Read the audit log of a space (and the spaces below it).
    ViewAudit(&'a Space),
    /// Write, publish, archive and delete the content of a space (pages, news, events, media,
    /// newsletters), and decline what the spaces above share with it.
    EditContent(&'a Space),
    /// Read the audit log of the whole platform, and see and retry its background jobs.
    ViewPlatformAudit,
    /// Record, end and read the agreements (*convenzioni*) between a Province's space and the
    /// Enti of its territory.
    ManageAgreements(&'a Space),
    /// Do the work of a vertical module (`module` is its key) in a space: its operators, and
    /// the space's administrators.
    Operate { space: &'a Space, module: &'a str },
    /// Act in the name of the Ente `comune_id`: its administrators and members. Whether the
    /// Ente belongs to the space's territory is the caller's check.
    ActForEnte { comune_id: i32 },
    /// Set up the help desk of a space: working hours, teams, categories, routing, SLA.
    ManageHelpdesk(&'a Space),
    /// Work the ticket queue of a space's help desk: read every ticket, reply, add internal
    /// notes, change priority, category, team and status.
    WorkTickets(&'a Space),
    /// Open a ticket in a space's help desk.
    OpenTicket(&'a Space),
    /// Read and answer one's own ticket (`requester_id` is the ticket's) in a space's help
    /// desk; the space's agents read every ticket there.
    ViewTicket { space: &'a Space, requester_id: i32 },
}

pub fn authorize(actor: &Actor, action: Action<'_>) -> Result<(), Error> {
    if allows(actor, action) {
        return Ok(());
    }
    Err(match (actor, action) {
        (_, Action::UseModule { .. }) => Error::NotFound,
        (Actor::Anonymous, _) => Error::Unauthenticated,
        (Actor::Person(_), _) => Error::Forbidden,
    })
}

pub fn allows(actor: &Actor, action: Action<'_>) -> bool {
    match action {
        Action::ViewSpace(_) => true,
        Action::UseModule { enabled, .. } => enabled,
        Action::ManageSpace(space) | Action::ManageRoles(space) | Action::ViewAudit(space) => {
            holds(actor, Role::SpaceAdmin, space)
        }
        // Only a platform administrator makes another one.
        Action::GrantRole { space, role } => {
            holds(actor, Role::SpaceAdmin, space)
                && (role != Role::PlatformAdmin || is_platform_admin(actor))
        }
        Action::DecideEnteRequest { space, comune_id } => {
            holds(actor, Role::SpaceAdmin, space)
                || holds_in_ente(actor, Role::EnteAdmin, comune_id)
        }
        Action::EditContent(space) => {
            holds(actor, Role::Editor, space) || holds(actor, Role::SpaceAdmin, space)
        }
        Action::ViewPlatformAudit => is_platform_admin(actor),
        Action::ManageAgreements(space) => holds(actor, Role::SpaceAdmin, space),
        Action::Operate { space, module } => {
            holds(actor, Role::SpaceAdmin, space)
                || holds_matching(actor, space, |grant| {
                    grant.role == Role::Operator && grant.module_key.as_deref() == Some(module)
                })
        }
        Action::ActForEnte { comune_id } => {
            holds_in_ente(actor, Role::EnteAdmin, comune_id)
                || holds_in_ente(actor, Role::EnteMember, comune_id)
        }
        Action::ManageHelpdesk(space) => holds(actor, Role::SpaceAdmin, space),
        Action::WorkTickets(space) => {
            holds(actor, Role::HelpdeskAgent, space) || holds(actor, Role::SpaceAdmin, space)
        }
        Action::OpenTicket(_) => actor.person().is_some(),
        Action::ViewTicket {
            space,
            requester_id,
        } => {
            actor.person().is_some_and(|p| p.id == requester_id)
                || allows(actor, Action::WorkTickets(space))
        }
    }
}

fn is_platform_admin(actor: &Actor) -> bool {
    actor.person().is_some_and(|p| {
        p.grants
            .iter()
            .any(|g| g.role == Role::PlatformAdmin && g.scope == Scope::Platform)
    })
}

fn holds_in_ente(actor: &Actor, role: Role, comune_id: i32) -> bool {
    actor.person().is_some_and(|p| {
        p.grants
            .iter()
            .any(|g| g.role == role && g.scope == Scope::Ente { comune_id })
    })
}

/// Whether the actor holds `role` over `space`: a platform administrator holds every role, a
/// grant in the national space covers every space, one in a regional space covers the
/// provinces of that region.
fn holds(actor: &Actor, role: Role, space: &Space) -> bool {
    holds_matching(actor, space, |grant| grant.role == role)
}

/// Whether the actor holds, over `space`, a grant that `wanted` accepts (see [`holds`]).
fn holds_matching(actor: &Actor, space: &Space, wanted: impl Fn(&Grant) -> bool) -> bool {
    let Actor::Person(person) = actor else {
        return false;
    };
    person.grants.iter().any(|grant| match &grant.scope {
        Scope::Platform => grant.role == Role::PlatformAdmin,
        Scope::Space {
            id,
            kind,
            region_code,
        } => {
            wanted(grant)
                && match kind {
                    SpaceKind::National => true,
                    SpaceKind::Regional => {
                        *id == space.id
                            || (space.kind() == SpaceKind::Provincial
                                && *region_code == space.region_code)
                    }
                    SpaceKind::Provincial => *id == space.id,
                }
        }
        Scope::Ente { .. } => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::Person;

    fn space(id: i32, kind: SpaceKind, region: Option<&str>) -> Space {
        Space {
            id,
            kind: kind.as_str().into(),
            slug: format!("s{id}"),
            name: format!("Spazio {id}"),
            tagline: None,
            istat_code: None,
            plate: None,
            region_code: region.map(Into::into),
            parent_id: None,
            primary_colour: None,
            logo_key: None,
            updated_at: chrono::Utc::now(),
        }
    }

    fn person(grants: Vec<Grant>) -> Actor {
        Actor::Person(Person {
            id: 1,
            email: "a@b.it".into(),
            display_name: "A".into(),
            grants,
            csrf_token: String::new(),
            password_temporary: false,
        })
    }

    fn admin_of(space: &Space) -> Grant {
        Grant {
            role: Role::SpaceAdmin,
            scope: Scope::Space {
                id: space.id,
                kind: space.kind(),
                region_code: space.region_code.clone(),
            },
            module_key: None,
        }
    }

    #[test]
    fn space_administration_follows_the_hierarchy() {
        let national = space(1, SpaceKind::National, None);
        let veneto = space(2, SpaceKind::Regional, Some("05"));
        let treviso = space(3, SpaceKind::Provincial, Some("05"));
        let brescia = space(4, SpaceKind::Provincial, Some("03"));

        let treviso_admin = person(vec![admin_of(&treviso)]);
        assert!(allows(&treviso_admin, Action::ManageSpace(&treviso)));
        assert!(!allows(&treviso_admin, Action::ManageSpace(&brescia)));
        assert!(!allows(&treviso_admin, Action::ManageSpace(&veneto)));

        let veneto_admin = person(vec![admin_of(&veneto)]);
        assert!(allows(&veneto_admin, Action::ManageSpace(&treviso)));
        assert!(!allows(&veneto_admin, Action::ManageSpace(&brescia)));

        let upi_admin = person(vec![admin_of(&national)]);
        assert!(allows(&upi_admin, Action::ManageSpace(&brescia)));

        let platform = person(vec![Grant {
            role: Role::PlatformAdmin,
            scope: Scope::Platform,
            module_key: None,
        }]);
        assert!(allows(&platform, Action::ManageSpace(&veneto)));

        assert!(matches!(
            authorize(&Actor::Anonymous, Action::ManageSpace(&treviso)),
            Err(Error::Unauthenticated)
        ));
        assert!(matches!(
            authorize(&treviso_admin, Action::ManageSpace(&brescia)),
            Err(Error::Forbidden)
        ));
    }

    #[test]
    fn a_module_switched_off_is_not_found_for_everybody() {
        let treviso = space(3, SpaceKind::Provincial, Some("05"));
        let admin = person(vec![admin_of(&treviso)]);
        assert!(matches!(
            authorize(
                &admin,
                Action::UseModule {
                    space: &treviso,
                    enabled: false
                }
            ),
            Err(Error::NotFound)
        ));
        assert!(
            authorize(
                &Actor::Anonymous,
                Action::UseModule {
                    space: &treviso,
                    enabled: true
                }
            )
            .is_ok()
        );
    }

    fn agent_of(space: &Space) -> Grant {
        Grant {
            role: Role::HelpdeskAgent,
            ..admin_of(space)
        }
    }

    #[test]
    fn help_desk_agents_work_the_queue_of_their_space_only() {
        let treviso = space(3, SpaceKind::Provincial, Some("05"));
        let brescia = space(4, SpaceKind::Provincial, Some("03"));
        let agent = person(vec![agent_of(&brescia)]);
        assert!(allows(&agent, Action::WorkTickets(&brescia)));
        assert!(!allows(&agent, Action::WorkTickets(&treviso)));
        // Agents answer tickets; they do not set up the help desk.
        assert!(!allows(&agent, Action::ManageHelpdesk(&brescia)));
        let admin = person(vec![admin_of(&treviso)]);
        assert!(allows(&admin, Action::ManageHelpdesk(&treviso)));
        assert!(allows(&admin, Action::WorkTickets(&treviso)));
        assert!(matches!(
            authorize(&Actor::Anonymous, Action::OpenTicket(&treviso)),
            Err(Error::Unauthenticated)
        ));
    }

    #[test]
    fn a_requester_sees_their_own_ticket_and_nobody_else_s() {
        let treviso = space(3, SpaceKind::Provincial, Some("05"));
        // `person` makes person 1.
        let requester = person(Vec::new());
        let own = Action::ViewTicket {
            space: &treviso,
            requester_id: 1,
        };
        let other = Action::ViewTicket {
            space: &treviso,
            requester_id: 2,
        };
        assert!(allows(&requester, own));
        assert!(matches!(
            authorize(&requester, other),
            Err(Error::Forbidden)
        ));
        assert!(allows(&person(vec![agent_of(&treviso)]), other));
        assert!(!allows(&Actor::Anonymous, own));
    }

    fn operator_of(space: &Space, module: &str) -> Grant {
        Grant {
            role: Role::Operator,
            module_key: Some(module.into()),
            ..admin_of(space)
        }
    }

    #[test]
    fn agreements_are_kept_by_the_province_administrators() {
        let treviso = space(3, SpaceKind::Provincial, Some("05"));
        let brescia = space(4, SpaceKind::Provincial, Some("03"));
        let admin = person(vec![admin_of(&treviso)]);
        assert!(allows(&admin, Action::ManageAgreements(&treviso)));
        assert!(!allows(&admin, Action::ManageAgreements(&brescia)));
        let operator = person(vec![operator_of(&treviso, "sua")]);
        assert!(!allows(&operator, Action::ManageAgreements(&treviso)));
    }

    #[test]
    fn a_module_is_operated_by_its_own_operators_of_the_space_and_the_administrators() {
        let treviso = space(3, SpaceKind::Provincial, Some("05"));
        let brescia = space(4, SpaceKind::Provincial, Some("03"));
        fn sua(space: &Space) -> Action<'_> {
            Action::Operate {
                space,
                module: "sua",
            }
        }
        assert!(allows(
            &person(vec![operator_of(&treviso, "sua")]),
            sua(&treviso)
        ));
        assert!(!allows(
            &person(vec![operator_of(&brescia, "sua")]),
            sua(&treviso)
        ));
        assert!(!allows(
            &person(vec![operator_of(&treviso, "sit")]),
            sua(&treviso)
        ));
        assert!(allows(&person(vec![admin_of(&treviso)]), sua(&treviso)));
        assert!(!allows(&person(vec![admin_of(&treviso)]), sua(&brescia)));
        assert!(matches!(
            authorize(&Actor::Anonymous, sua(&treviso)),
            Err(Error::Unauthenticated)
        ));
    }

    #[test]
    fn only_the_people_of_an_ente_act_in_its_name() {
        let member = person(vec![Grant {
            role: Role::EnteMember,
            scope: Scope::Ente { comune_id: 7 },
            module_key: None,
        }]);
        assert!(allows(&member, Action::ActForEnte { comune_id: 7 }));
        assert!(!allows(&member, Action::ActForEnte { comune_id: 8 }));
        let treviso = space(3, SpaceKind::Provincial, Some("05"));
        assert!(!allows(
            &person(vec![admin_of(&treviso)]),
            Action::ActForEnte { comune_id: 7 }
        ));
    }
}
