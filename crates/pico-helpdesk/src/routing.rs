//! Which team a ticket goes to, and which agent of the team takes it. Both are pure functions
//! of what the database holds, so that the same ticket always lands in the same place.

/// What routing rules look at in a ticket.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Subject {
    pub category_id: Option<i32>,
    /// The module the requester came from (`sua`, `newsletter`…).
    pub module_key: Option<String>,
    /// The space the requester belongs to (the Province of their Ente), when known.
    pub requester_space_id: Option<i32>,
}

/// A routing rule of a space: every criterion it sets must match; one it leaves empty
/// matches anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub position: i32,
    pub category_id: Option<i32>,
    pub module_key: Option<String>,
    pub requester_space_id: Option<i32>,
    pub team_id: i32,
}

impl Rule {
    pub fn matches(&self, subject: &Subject) -> bool {
        self.category_id
            .is_none_or(|c| subject.category_id == Some(c))
            && self
                .module_key
                .as_ref()
                .is_none_or(|m| subject.module_key.as_ref() == Some(m))
            && self
                .requester_space_id
                .is_none_or(|s| subject.requester_space_id == Some(s))
    }
}

/// The team of the first matching rule, in order of position (then of creation, which the
/// caller gives as the order of the slice), or the default team.
pub fn route(rules: &[Rule], default_team: Option<i32>, subject: &Subject) -> Option<i32> {
    let mut ordered: Vec<&Rule> = rules.iter().collect();
    ordered.sort_by_key(|r| r.position);
    ordered
        .into_iter()
        .find(|r| r.matches(subject))
        .map(|r| r.team_id)
        .or(default_team)
}

/// How a team hands its tickets to its agents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    /// In turn, among the available agents, by ascending person id.
    RoundRobin,
    /// To the available agent with the fewest open tickets (ties: the lowest person id).
    LeastLoaded,
}

impl Strategy {
    pub const ALL: [Strategy; 2] = [Strategy::RoundRobin, Strategy::LeastLoaded];

    pub fn as_str(self) -> &'static str {
        match self {
            Strategy::RoundRobin => "round_robin",
            Strategy::LeastLoaded => "least_loaded",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Strategy::RoundRobin => "A turno tra gli operatori disponibili",
            Strategy::LeastLoaded => "All'operatore con meno ticket aperti",
        }
    }
}

/// An agent of a team as assignment sees them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate {
    pub person_id: i32,
    pub available: bool,
    /// Tickets assigned to them and not yet resolved or closed.
    pub open_tickets: u64,
}

/// The agent who takes the next ticket, `None` when nobody in the team is available (the
/// ticket then waits in the team's queue). `last` is who took the team's previous ticket.
pub fn assign(strategy: Strategy, candidates: &[Candidate], last: Option<i32>) -> Option<i32> {
    let mut available: Vec<&Candidate> = candidates.iter().filter(|c| c.available).collect();
    available.sort_by_key(|c| c.person_id);
    match strategy {
        Strategy::RoundRobin => available
            .iter()
            .find(|c| last.is_some_and(|l| c.person_id > l))
            .or(available.first())
            .map(|c| c.person_id),
        Strategy::LeastLoaded => available
            .iter()
            .min_by_key(|c| (c.open_tickets, c.person_id))
            .map(|c| c.person_id),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(position: i32, category: Option<i32>, module: Option<&str>, team: i32) -> Rule {
        Rule {
            position,
            category_id: category,
            module_key: module.map(Into::into),
            requester_space_id: None,
            team_id: team,
        }
    }

    #[test]
    fn the_first_matching_rule_wins_and_the_default_team_takes_the_rest() {
        let rules = vec![
            rule(2, None, Some("sua"), 20),
            rule(1, Some(7), Some("sua"), 10),
            Rule {
                requester_space_id: Some(99),
                ..rule(3, None, None, 30)
            },
        ];
        let sua_access = Subject {
            category_id: Some(7),
            module_key: Some("sua".into()),
            requester_space_id: None,
        };
        assert_eq!(route(&rules, Some(1), &sua_access), Some(10));
        let sua_other = Subject {
            category_id: Some(8),
            ..sua_access.clone()
        };
        assert_eq!(route(&rules, Some(1), &sua_other), Some(20));
        let from_99 = Subject {
            requester_space_id: Some(99),
            ..Subject::default()
        };
        assert_eq!(route(&rules, Some(1), &from_99), Some(30));
        assert_eq!(route(&rules, Some(1), &Subject::default()), Some(1));
        assert_eq!(route(&rules, None, &Subject::default()), None);
    }

    fn agent(person_id: i32, available: bool, open_tickets: u64) -> Candidate {
        Candidate {
            person_id,
            available,
            open_tickets,
        }
    }

    #[test]
    fn round_robin_takes_turns_among_available_agents() {
        let team = [agent(5, true, 0), agent(3, true, 9), agent(4, false, 0)];
        assert_eq!(assign(Strategy::RoundRobin, &team, None), Some(3));
        assert_eq!(assign(Strategy::RoundRobin, &team, Some(3)), Some(5));
        // Agent 4 is away: skipped.
        assert_eq!(assign(Strategy::RoundRobin, &team, Some(5)), Some(3));
        // The previous one left the team: the next id after theirs.
        assert_eq!(assign(Strategy::RoundRobin, &team, Some(4)), Some(5));
    }

    #[test]
    fn least_loaded_picks_the_agent_with_fewest_open_tickets() {
        let team = [agent(5, true, 2), agent(3, true, 4), agent(4, false, 0)];
        assert_eq!(assign(Strategy::LeastLoaded, &team, None), Some(5));
        let tie = [agent(5, true, 2), agent(3, true, 2)];
        assert_eq!(assign(Strategy::LeastLoaded, &tie, Some(3)), Some(3));
    }

    #[test]
    fn nobody_available_leaves_the_ticket_to_the_team() {
        let team = [agent(5, false, 0)];
        assert_eq!(assign(Strategy::RoundRobin, &team, None), None);
        assert_eq!(assign(Strategy::LeastLoaded, &[], None), None);
    }
}
