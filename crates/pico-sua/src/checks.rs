//! The winning bidder of a tender and the checks on its requirements (*verifiche sui
//! requisiti*, D.Lgs. 36/2023 artt. 94-100): the award takes effect only when every check is
//! passed, so the tender cannot move on to the contract before.

use crate::access::Viewer;
use crate::domain::{CheckArea, CheckOutcome};
use crate::model::{self, CheckResult, NewAward, award, check};
use crate::tenders::{refuse, visible_tender};
use crate::{Euro, tenders};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{NaiveDate, Utc};
use pico_kernel::identity::{Actor, fiscal_code};
use pico_kernel::web::audit_log::record;
use pico_kernel::web::{ClientAddress, CurrentSpace, check_csrf};
use pico_kernel::{AppState, Error};
use serde::Deserialize;

/// The award form, as typed.
#[derive(Deserialize, Default)]
pub struct AwardForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    pub supplier_name: String,
    #[serde(default)]
    pub supplier_fiscal_code: String,
    #[serde(default)]
    pub amount: String,
    #[serde(default)]
    pub awarded_on: String,
}

impl AwardForm {
    pub fn of(award: Option<&award::Model>) -> Self {
        award.map_or_else(Self::default, |a| Self {
            csrf: String::new(),
            supplier_name: a.supplier_name.clone(),
            supplier_fiscal_code: a.supplier_fiscal_code.clone(),
            amount: Euro::from_cents(a.amount_cents).decimal().to_string(),
            awarded_on: a.awarded_on.to_string(),
        })
    }
}

/// A check as the tender page shows it.
pub struct CheckRow {
    pub check: check::Model,
    pub area: &'static str,
    pub outcome: CheckOutcome,
}

impl CheckRow {
    pub fn of(check: check::Model) -> Self {
        Self {
            area: CheckArea::parse(&check.area).map_or("", CheckArea::label),
            outcome: CheckOutcome::parse(&check.outcome).unwrap_or(CheckOutcome::Pending),
            check,
        }
    }

    pub fn checked_on_it(&self) -> String {
        self.check
            .checked_on
            .map_or_else(String::new, |d| d.format("%d/%m/%Y").to_string())
    }

    pub fn checked_on_iso(&self) -> String {
        self.check
            .checked_on
            .map_or_else(String::new, |d| d.to_string())
    }
}

/// Why the tender may not leave the award phase yet; `None` when it may.
pub fn blocker(award: Option<&award::Model>, checks: &[check::Model]) -> Option<String> {
    if award.is_none() {
        return Some("Prima di passare al contratto registra l'aggiudicatario.".into());
    }
    let failed: Vec<&str> = checks
        .iter()
        .filter(|c| c.outcome == CheckOutcome::Failed.key())
        .map(|c| c.requirement.as_str())
        .collect();
    if let Some(first) = failed.first() {
        return Some(format!(
            "La verifica «{first}» non è regolare: l'aggiudicazione non può diventare efficace."
        ));
    }
    let open = checks
        .iter()
        .filter(|c| c.outcome != CheckOutcome::Passed.key())
        .count();
    (open > 0).then(|| {
        format!(
            "Prima di passare al contratto completa le verifiche sull'aggiudicatario: {open} da fare."
        )
    })
}

/// A *partita IVA*: 11 digits, the last a check digit (Luhn, as the Agenzia delle Entrate
/// computes it).
fn partita_iva_ok(code: &str) -> bool {
    let digits: Vec<u32> = code.chars().filter_map(|c| c.to_digit(10)).collect();
    if digits.len() != 11 || code.len() != 11 {
        return false;
    }
    let sum: u32 = digits[..10]
        .iter()
        .enumerate()
        .map(|(i, &d)| {
            if i % 2 == 0 {
                d
            } else {
                let double = d * 2;
                if double > 9 { double - 9 } else { double }
            }
        })
        .sum();
    (10 - sum % 10) % 10 == digits[10]
}

fn check_award(form: &AwardForm) -> Result<NewAward, Vec<String>> {
    let mut errors = Vec::new();
    let supplier_name = form
        .supplier_name
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if supplier_name.is_empty() {
        errors.push("Indica la ragione sociale dell'aggiudicatario.".to_owned());
    } else if supplier_name.chars().count() > 300 {
        errors.push("La ragione sociale può avere al massimo 300 caratteri.".to_owned());
    }
    let code: String = form
        .supplier_fiscal_code
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase();
    let supplier_fiscal_code = if partita_iva_ok(&code) {
        code
    } else if code.len() == 16 {
        match fiscal_code::parse(&code) {
            Ok(code) => code,
            Err(e) => {
                errors.push(e.to_owned());
                code
            }
        }
    } else {
        errors.push(format!(
            "«{code}» non è una partita IVA valida (11 cifre) né un codice fiscale (16 caratteri)."
        ));
        code
    };
    let amount_cents = match Euro::parse(&form.amount) {
        Ok(euro) => euro.cents(),
        Err(e) => {
            errors.push(format!("Importo di aggiudicazione: {e}"));
            0
        }
    };
    let awarded_on = match NaiveDate::parse_from_str(form.awarded_on.trim(), "%Y-%m-%d") {
        Ok(day) if day <= Utc::now().date_naive() => day,
        Ok(_) => {
            errors.push("La data di aggiudicazione non può essere futura.".to_owned());
            NaiveDate::MIN
        }
        Err(_) => {
            errors.push("Indica la data di aggiudicazione.".to_owned());
            NaiveDate::MIN
        }
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(NewAward {
        supplier_name,
        supplier_fiscal_code,
        amount_cents,
        awarded_on,
    })
}

pub async fn record_award(
    State(state): State<AppState>,
    actor: Actor,
    from: ClientAddress,
    CurrentSpace(space): CurrentSpace,
    Path((_, id)): Path<(String, i32)>,
    axum::Form(form): axum::Form<AwardForm>,
) -> Result<Response, Error> {
    let viewer = Viewer::of(&state, &actor, &space).await?;
    viewer.require_operator(&actor)?;
    check_csrf(&actor, &form.csrf)?;
    let tender = visible_tender(&state, &space, &viewer, id).await?;
    let new = match check_award(&form) {
        Ok(new) => new,
        Err(errors) => {
            let problem = (StatusCode::UNPROCESSABLE_ENTITY, errors.join(" "));
            let typed = tenders::Typed::Award(form);
            return refuse(&state, &actor, space, &viewer, id, problem, typed).await;
        }
    };
    let by = actor.person().ok_or(Error::Unauthenticated)?.id;
    let saved = model::record_award(&state.db, &tender, new, by).await?;
    record(
        &state,
        &actor,
        &from,
        "sua.tender.award",
        format!("sua_tender:{id}"),
        Some(space.id),
        serde_json::json!({
            "supplier": saved.supplier_name,
            "fiscal_code": saved.supplier_fiscal_code,
            "amount_cents": saved.amount_cents,
            "awarded_on": saved.awarded_on,
        }),
    )
    .await?;
    Ok(
        Redirect::to(&space.path_to(&format!("/sua/gare/{id}?fatto=aggiudicatario")))
            .into_response(),
    )
}

#[derive(Deserialize)]
pub struct CheckForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    checked_on: String,
    #[serde(default)]
    evidence: String,
}

fn check_result(form: &CheckForm) -> Result<CheckResult, String> {
    let outcome = CheckOutcome::parse(form.outcome.trim())
        .ok_or_else(|| "Scegli l'esito della verifica.".to_owned())?;
    let evidence = form.evidence.trim().to_owned();
    if evidence.chars().count() > 1000 {
        return Err(
            "Gli estremi della documentazione possono avere al massimo 1000 caratteri.".into(),
        );
    }
    let checked_on = match form.checked_on.trim() {
        "" => None,
        value => match NaiveDate::parse_from_str(value, "%Y-%m-%d") {
            Ok(day) if day <= Utc::now().date_naive() => Some(day),
            Ok(_) => return Err("La data della verifica non può essere futura.".into()),
            Err(_) => return Err("La data della verifica non è una data valida.".into()),
        },
    };
    if outcome != CheckOutcome::Pending && (checked_on.is_none() || evidence.is_empty()) {
        return Err(
            "Per registrare un esito indica la data della verifica e gli estremi della documentazione (per esempio il numero di protocollo del certificato)."
                .into(),
        );
    }
    Ok(CheckResult {
        outcome,
        checked_on,
        evidence,
    })
}

pub async fn record_check(
    State(state): State<AppState>,
    actor: Actor,
    from: ClientAddress,
    CurrentSpace(space): CurrentSpace,
    Path((_, id, check_id)): Path<(String, i32, i32)>,
    axum::Form(form): axum::Form<CheckForm>,
) -> Result<Response, Error> {
    let viewer = Viewer::of(&state, &actor, &space).await?;
    viewer.require_operator(&actor)?;
    check_csrf(&actor, &form.csrf)?;
    let tender = visible_tender(&state, &space, &viewer, id).await?;
    let result = match check_result(&form) {
        Ok(result) => result,
        Err(message) => {
            let problem = (StatusCode::UNPROCESSABLE_ENTITY, message);
            return refuse(
                &state,
                &actor,
                space,
                &viewer,
                id,
                problem,
                tenders::Typed::Nothing,
            )
            .await;
        }
    };
    let by = actor.person().ok_or(Error::Unauthenticated)?.id;
    let saved = model::record_check(&state.db, &tender, check_id, result, by)
        .await?
        .ok_or(Error::NotFound)?;
    record(
        &state,
        &actor,
        &from,
        "sua.tender.check",
        format!("sua_tender:{id}"),
        Some(space.id),
        serde_json::json!({
            "check": saved.requirement,
            "outcome": saved.outcome,
            "checked_on": saved.checked_on,
        }),
    )
    .await?;
    Ok(
        Redirect::to(&space.path_to(&format!("/sua/gare/{id}?fatto=verifica#verifiche")))
            .into_response(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partita_iva_check_digit() {
        // The Agenzia delle Entrate's own, and the Province of Treviso's fiscal code, which
        // follows the same rule.
        assert!(partita_iva_ok("06363391001"));
        assert!(partita_iva_ok("80008870265"));
        assert!(!partita_iva_ok("06363391002"));
        assert!(!partita_iva_ok("0636339100"));
        assert!(!partita_iva_ok("0636339100A"));
    }

    #[test]
    fn the_contract_waits_for_every_check() {
        let award = award::Model {
            id: 1,
            tender_id: 1,
            supplier_name: "Alfa S.r.l.".into(),
            supplier_fiscal_code: "06363391001".into(),
            amount_cents: 100,
            awarded_on: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            recorded_by: 1,
            recorded_at: Utc::now(),
        };
        let check = |outcome: CheckOutcome| check::Model {
            id: 1,
            tender_id: 1,
            area: "generali".into(),
            requirement: "DURC".into(),
            outcome: outcome.key().into(),
            checked_on: None,
            evidence: String::new(),
            checked_by: None,
        };
        assert!(blocker(None, &[]).is_some());
        assert!(blocker(Some(&award), &[check(CheckOutcome::Pending)]).is_some());
        assert!(
            blocker(Some(&award), &[check(CheckOutcome::Failed)])
                .unwrap()
                .contains("non è regolare")
        );
        assert_eq!(blocker(Some(&award), &[check(CheckOutcome::Passed)]), None);
    }
}
