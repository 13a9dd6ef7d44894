//! The Province's tenders as an OCDS 1.1 release package (Open Contracting Data Standard), in
//! the shapes ANAC itself publishes: the contracting station by fiscal code (`IT-CF`) with its
//! AUSA code, items classified by CPV, amounts in euro. One `ocid` per tender, from the
//! platform's registered prefix, the space and the tender's number; the release is the tender
//! as it stands now, tagged by its phase. Only what transparency rules publish goes in:
//! requests still waiting for an answer, documents, notes and the timeline never do.

use crate::cpv;
use crate::domain::{ContractType, Phase, Procedure};
use crate::lots::lot;
use crate::model::{award, tender};
use chrono::{DateTime, NaiveDate, SecondsFormat, TimeZone, Utc};
use chrono_tz::Europe::Rome;
use pico_kernel::spaces::Space;
use pico_kernel::territory::{italian_name, model::comune};
use serde_json::{Value, json};

/// A tender with what its release needs besides its own row.
pub struct Published {
    pub tender: tender::Model,
    /// When it last changed: the release's date.
    pub changed_at: DateTime<Utc>,
    /// The Ente for whom the SUA acts.
    pub titolare: comune::Model,
    /// The other Enti taking part.
    pub participants: Vec<comune::Model>,
    /// Deadline of the call phase: the end of the period for bids.
    pub bids_until: Option<NaiveDate>,
    /// The winning bidder, once recorded; published only from the award phase on.
    pub award: Option<award::Model>,
    /// The lots, each with its CIG once it has one.
    pub lots: Vec<lot::Model>,
}

/// Who publishes, and where.
pub struct Publisher<'a> {
    pub ocid_prefix: &'a str,
    pub space: &'a Space,
    /// The address of the package itself.
    pub uri: String,
    pub published_at: DateTime<Utc>,
}

/// Tenders in lots use OCDS's lots extension.
const LOTS_EXTENSION: &str = "https://raw.githubusercontent.com/open-contracting-extensions/ocds_lots_extension/v1.1.5/extension.json";

/// Open data of Italian public bodies is CC BY 4.0 unless stated otherwise.
const LICENSE: &str = "https://creativecommons.org/licenses/by/4.0/";

pub fn package(publisher: &Publisher, tenders: &[Published]) -> Value {
    let mut package = json!({
        "uri": publisher.uri,
        "version": "1.1",
        "publishedDate": timestamp(publisher.published_at),
        "publisher": { "name": publisher.space.name },
        "license": LICENSE,
        "releases": tenders.iter().map(|t| release(publisher, t)).collect::<Vec<_>>(),
    });
    if tenders.iter().any(|t| !t.lots.is_empty()) {
        package["extensions"] = json!([LOTS_EXTENSION]);
    }
    package
}

pub fn ocid(publisher: &Publisher, tender: &tender::Model) -> String {
    format!(
        "{}-{}-{}",
        publisher.ocid_prefix, publisher.space.slug, tender.id
    )
}

fn release(publisher: &Publisher, p: &Published) -> Value {
    let t = &p.tender;
    let ocid = ocid(publisher, t);
    let phase = Phase::parse(&t.phase).unwrap_or(Phase::Programming);
    let station = station(publisher.space, t);
    let buyer = ente(&p.titolare, &["buyer"]);
    let mut parties = vec![station.clone(), buyer.clone()];
    parties.extend(
        p.participants
            .iter()
            .filter(|c| c.id != p.titolare.id)
            .map(|c| ente(c, &["payer"])),
    );
    let mut release = json!({
        "ocid": ocid,
        "id": format!("{ocid}-{}", p.changed_at.format("%Y%m%dT%H%M%SZ")),
        "date": timestamp(p.changed_at),
        "tag": [tag(phase)],
        "initiationType": "tender",
        "language": "it",
        "parties": parties,
        "buyer": { "id": buyer["id"], "name": buyer["name"] },
        "tender": tender_section(p, phase, &station),
    });
    if phase >= Phase::Award {
        let award_id = format!("{ocid}-aggiudicazione");
        release["awards"] = json!([{
            "id": award_id,
            "title": t.object,
            // The award takes effect once the checks on the winner are done (D.Lgs. 36/2023
            // art. 17): until the contract phase it is proposed, not in force.
            "status": if phase >= Phase::Contract { "active" } else { "pending" },
        }]);
        if let Some(a) = &p.award {
            // Recorded during the evaluation, the winner is published from the award on.
            let supplier = json!({
                "id": format!("IT-CF-{}", a.supplier_fiscal_code),
                "name": a.supplier_name,
                "identifier": {
                    "scheme": "IT-CF",
                    "id": a.supplier_fiscal_code,
                    "legalName": a.supplier_name,
                },
                "roles": ["supplier"],
            });
            let award = &mut release["awards"][0];
            award["suppliers"] = json!([{ "id": supplier["id"], "name": supplier["name"] }]);
            award["value"] = json!({ "amount": a.amount_cents as f64 / 100.0, "currency": "EUR" });
            award["date"] = json!(end_of_day(a.awarded_on));
            release["parties"]
                .as_array_mut()
                .expect("parties are a list")
                .push(supplier);
        }
        if phase >= Phase::Contract {
            release["contracts"] = json!([{
                "id": format!("{ocid}-contratto"),
                "awardID": award_id,
                "title": t.object,
                "status": if phase == Phase::Execution { "active" } else { "pending" },
            }]);
        }
    }
    release
}

fn tender_section(p: &Published, phase: Phase, station: &Value) -> Value {
    let t = &p.tender;
    let items: Vec<Value> = t
        .cpv_codes
        .split_whitespace()
        .enumerate()
        .map(|(i, code)| {
            let classification = match cpv::lookup(code) {
                Ok(known) => json!({
                    "scheme": "CPV",
                    "id": known.display_code,
                    "description": known.label,
                }),
                Err(_) => json!({ "scheme": "CPV", "id": code }),
            };
            json!({
                "id": (i + 1).to_string(),
                "description": classification["description"].as_str().unwrap_or(&t.object),
                "classification": classification,
            })
        })
        .collect();
    // Each lot's main object, as an item of the lot.
    let lot_items = p.lots.iter().filter_map(|l| {
        let known = cpv::lookup(l.cpv.as_deref()?).ok()?;
        Some(json!({
            "id": format!("lotto-{}", l.position),
            "description": l.title,
            "classification": {
                "scheme": "CPV",
                "id": known.display_code,
                "description": known.label,
            },
            "relatedLot": lot_id(l),
        }))
    });
    let items: Vec<Value> = items.into_iter().chain(lot_items).collect();
    let procedure = Procedure::parse(&t.procedure);
    let mut section = json!({
        "id": t.cig.clone().unwrap_or_else(|| t.id.to_string()),
        "title": t.object,
        "status": match phase {
            Phase::Programming | Phase::Design => "planning",
            Phase::Call | Phase::Evaluation => "active",
            Phase::Award | Phase::Contract | Phase::Execution => "complete",
        },
        "procuringEntity": { "id": station["id"], "name": station["name"] },
        "items": items,
        "value": { "amount": t.amount_cents as f64 / 100.0, "currency": "EUR" },
        "mainProcurementCategory": match ContractType::parse(&t.contract_type) {
            Some(ContractType::Works) => "works",
            Some(ContractType::Supplies) => "goods",
            _ => "services",
        },
    });
    if let Some(procedure) = procedure {
        section["procurementMethod"] = json!(match procedure {
            Procedure::Open => "open",
            Procedure::Restricted | Procedure::Competitive | Procedure::Dialogue => "selective",
            Procedure::Negotiated => "limited",
            Procedure::DirectAward => "direct",
        });
        section["procurementMethodDetails"] = json!(procedure.label());
    }
    if !p.lots.is_empty() {
        section["lots"] = p
            .lots
            .iter()
            .map(|l| {
                json!({
                    "id": lot_id(l),
                    "title": l.title,
                    "value": { "amount": l.amount_cents as f64 / 100.0, "currency": "EUR" },
                    "status": section["status"],
                })
            })
            .collect();
    }
    if let (Some(until), true) = (p.bids_until, phase >= Phase::Call) {
        section["tenderPeriod"] = json!({ "endDate": end_of_day(until) });
    }
    if phase >= Phase::Call && !t.pad_url.is_empty() {
        section["documents"] = json!([{
            "id": "procedura",
            "documentType": "tenderNotice",
            "title": format!("La procedura su {}", t.pad_name),
            "url": t.pad_url,
            "language": "it",
        }]);
    }
    section
}

/// A lot is known by its CIG, as ANAC does; before it has one, by its number.
fn lot_id(l: &lot::Model) -> String {
    l.cig
        .clone()
        .unwrap_or_else(|| format!("lotto-{}", l.position))
}

fn tag(phase: Phase) -> &'static str {
    match phase {
        Phase::Programming | Phase::Design => "planning",
        Phase::Call | Phase::Evaluation => "tender",
        Phase::Award => "award",
        Phase::Contract => "contract",
        Phase::Execution => "implementation",
    }
}

/// The Province's SUA, by the station's fiscal code where it is recorded.
fn station(space: &Space, t: &tender::Model) -> Value {
    if t.station_fiscal_code.is_empty() {
        return json!({
            "id": format!("SUA-{}", space.slug),
            "name": space.name,
            "roles": ["procuringEntity"],
        });
    }
    let mut party = json!({
        "id": format!("IT-CF-{}", t.station_fiscal_code),
        "name": space.name,
        "identifier": {
            "scheme": "IT-CF",
            "id": t.station_fiscal_code,
            "legalName": space.name,
        },
        "roles": ["procuringEntity"],
    });
    if !t.ausa_code.is_empty() {
        party["additionalIdentifiers"] = json!([{ "scheme": "AUSA", "id": t.ausa_code }]);
    }
    party
}

/// An Ente, by its ISTAT code: the platform does not know the Comuni's fiscal codes.
fn ente(c: &comune::Model, roles: &[&str]) -> Value {
    json!({
        "id": format!("IT-ISTAT-{}", c.istat_code),
        "name": format!("Comune di {}", italian_name(&c.name)),
        "address": { "locality": italian_name(&c.name), "countryName": "Italia" },
        "roles": roles,
    })
}

fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A deadline set as a day ends at midnight in Rome.
fn end_of_day(day: NaiveDate) -> String {
    let local = day.and_hms_opt(23, 59, 59).expect("a valid time");
    Rome.from_local_datetime(&local)
        .earliest()
        .map(|at| at.to_rfc3339_opts(SecondsFormat::Secs, false))
        .unwrap_or_else(|| format!("{day}T23:59:59Z"))
}
