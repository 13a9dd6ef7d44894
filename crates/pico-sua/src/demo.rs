//! Demo SUA for Treviso: the module switched on, an SUA operator, an agreement with
//! Castelfranco Veneto, a request waiting for an answer and tenders in several phases.
//! Added once; never on a real installation.

use crate::domain::Phase;
use crate::model::{self, AnacData, NewRequest, request};
use chrono::NaiveDate;
use pico_kernel::agreements::{self, NewAgreement};
use pico_kernel::identity::{self, Role};
use pico_kernel::seed::DEMO_PASSWORD;
use pico_kernel::territory::model::comune;
use pico_kernel::{AppState, spaces};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

/// The SUA operator of the demo.
pub const OPERATOR: &str = "sua.treviso@demo.pico.localhost";

/// A one-page PDF standing for the signed agreement.
const DEMO_PDF: &[u8] = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";

struct DemoTender {
    object: &'static str,
    contract_type: &'static str,
    amount_cents: i64,
    cpv: &'static [&'static str],
    procedure: &'static str,
    phase: Phase,
    cig: Option<&'static str>,
}

/// One tender in each phase, so that every page and the OCDS export show them all.
const TENDERS: &[DemoTender] = &[
    DemoTender {
        object: "Manutenzione del verde pubblico 2027-2029",
        contract_type: "servizi",
        amount_cents: 21_000_000,
        cpv: &["77310000"],
        procedure: "aperta",
        phase: Phase::Programming,
        cig: None,
    },
    DemoTender {
        object: "Riqualificazione energetica della scuola primaria «G. Marconi»",
        contract_type: "lavori",
        amount_cents: 48_500_000,
        cpv: &["45214210", "45321000"],
        procedure: "negoziata",
        phase: Phase::Design,
        cig: None,
    },
    DemoTender {
        object: "Servizio di refezione scolastica 2027-2030",
        contract_type: "servizi",
        amount_cents: 126_000_000,
        cpv: &["55524000"],
        procedure: "aperta",
        phase: Phase::Call,
        cig: Some("8479824C20"),
    },
    DemoTender {
        object: "Fornitura di due scuolabus elettrici",
        contract_type: "forniture",
        amount_cents: 54_000_000,
        cpv: &["34144910"],
        procedure: "aperta",
        phase: Phase::Evaluation,
        cig: Some("9234567DC0"),
    },
    DemoTender {
        object: "Fornitura di arredi per la biblioteca civica",
        contract_type: "forniture",
        amount_cents: 9_800_000,
        cpv: &["39155100"],
        procedure: "affidamento_diretto",
        phase: Phase::Award,
        cig: Some("B0123ABCDE"),
    },
    DemoTender {
        object: "Servizio di pulizia degli uffici comunali",
        contract_type: "servizi",
        amount_cents: 16_400_000,
        cpv: &["90919200"],
        procedure: "negoziata",
        phase: Phase::Contract,
        cig: Some("9345678974"),
    },
    DemoTender {
        object: "Manutenzione dell'illuminazione pubblica",
        contract_type: "lavori",
        amount_cents: 31_250_000,
        cpv: &["45316110"],
        procedure: "negoziata",
        phase: Phase::Execution,
        cig: Some("8500437E82"),
    },
];

/// Demo winners, one per tender from the award phase on (fictitious companies, valid VAT
/// numbers).
fn winner(phase: Phase) -> (&'static str, &'static str) {
    match phase {
        Phase::Award => ("Arredi Veneti S.r.l.", "04123450266"),
        Phase::Contract => ("Pulizie Marca Trevigiana Soc. Coop.", "03987650268"),
        _ => ("Luce e Strade S.p.A.", "04555010265"),
    }
}

/// The winner of the tender; past the award phase, every check on it passed.
async fn award_with_checks(
    db: &sea_orm::DatabaseConnection,
    tender: &model::tender::Model,
    t: &DemoTender,
    by: i32,
) -> anyhow::Result<()> {
    let (name, code) = winner(t.phase);
    let today = chrono::Utc::now().date_naive();
    model::record_award(
        db,
        tender,
        model::NewAward {
            supplier_name: name.into(),
            supplier_fiscal_code: code.into(),
            amount_cents: t.amount_cents * 92 / 100,
            awarded_on: today - chrono::Duration::days(20),
        },
        by,
    )
    .await?;
    if t.phase == Phase::Award {
        return Ok(());
    }
    for check in model::checks_of(db, tender.id).await? {
        model::record_check(
            db,
            tender,
            check.id,
            model::CheckResult {
                outcome: crate::domain::CheckOutcome::Passed,
                checked_on: Some(today - chrono::Duration::days(10)),
                evidence:
                    "Acquisito tramite il fascicolo virtuale dell'operatore economico (FVOE)."
                        .into(),
            },
            by,
        )
        .await?;
    }
    Ok(())
}

/// The demo RUP registry: name, qualification, e-mail, works, services, supplies, available.
const RUPS: &[(&str, &str, &str, bool, bool, bool, bool)] = &[
    (
        "Ing. Chiara Zanatta",
        "Funzionaria tecnica, ingegnera civile",
        "chiara.zanatta@demo.pico.localhost",
        true,
        true,
        false,
        true,
    ),
    (
        "Dott. Marco Bianchi",
        "Funzionario amministrativo",
        "marco.bianchi@demo.pico.localhost",
        false,
        true,
        true,
        true,
    ),
    (
        "Geom. Laura De Nardi",
        "Istruttrice tecnica",
        "laura.denardi@demo.pico.localhost",
        true,
        false,
        false,
        false,
    ),
];

async fn seed_rups(
    db: &sea_orm::DatabaseConnection,
    space_id: i32,
) -> anyhow::Result<Vec<model::rup::Model>> {
    use sea_orm::{ActiveModelTrait, ActiveValue::Set};
    let mut made = Vec::new();
    for (name, qualification, email, works, services, supplies, available) in RUPS {
        made.push(
            model::rup::ActiveModel {
                space_id: Set(space_id),
                name: Set((*name).into()),
                comune_id: Set(None),
                qualification: Set((*qualification).into()),
                works: Set(*works),
                services: Set(*services),
                supplies: Set(*supplies),
                email: Set((*email).into()),
                phone: Set("0422 656000".into()),
                available: Set(*available),
                created_at: Set(chrono::Utc::now()),
                ..Default::default()
            }
            .insert(db)
            .await?,
        );
    }
    Ok(made)
}

pub async fn seed(state: &AppState) -> anyhow::Result<()> {
    let db = &state.db;
    if request::Entity::find().count(db).await? > 0 {
        return Ok(());
    }
    let Some(treviso) = spaces::by_slug(db, "treviso").await? else {
        return Ok(());
    };
    let Some(castelfranco) = comune::Entity::find()
        .filter(comune::Column::IstatCode.eq("026012"))
        .one(db)
        .await?
    else {
        return Ok(());
    };
    spaces::set_module(db, treviso.id, crate::KEY, true).await?;
    let operator = match identity::find_by_email(db, OPERATOR).await? {
        Some(p) => p,
        None => {
            let p = identity::create_person(db, OPERATOR, "Giorgio Marangon", DEMO_PASSWORD, true)
                .await?;
            identity::grant(
                db,
                p.id,
                Role::Operator,
                Some(treviso.id),
                None,
                Some(crate::KEY),
            )
            .await?;
            p
        }
    };
    let asker = identity::find_by_email(db, "ente.castelfranco@demo.pico.localhost")
        .await?
        .map_or(operator.id, |p| p.id);
    let key = state
        .storage
        .put(
            &format!("agreements/{}", treviso.id),
            "pdf",
            DEMO_PDF.to_vec(),
        )
        .await?;
    agreements::create(
        db,
        NewAgreement {
            space_id: treviso.id,
            comune_id: castelfranco.id,
            starts_on: NaiveDate::from_ymd_opt(2025, 1, 1).expect("valid date"),
            ends_on: None,
            document_key: key,
            document_name: "convenzione-sua-castelfranco-veneto.pdf".into(),
            created_by: operator.id,
        },
    )
    .await?;
    let rups = seed_rups(db, treviso.id).await?;
    let ask = |object: &str, contract_type: &str, amount_cents, cpv: &[&str], procedure: &str| {
        NewRequest {
            space_id: treviso.id,
            comune_id: castelfranco.id,
            object: object.into(),
            contract_type: contract_type.into(),
            amount_cents,
            cpv_codes: cpv.iter().map(|c| (*c).to_owned()).collect(),
            procedure: procedure.into(),
            timeline: "Aggiudicazione entro la fine dell'anno.".into(),
            created_by: asker,
        }
    };
    for t in TENDERS {
        let request = model::create_request(
            db,
            ask(
                t.object,
                t.contract_type,
                t.amount_cents,
                t.cpv,
                t.procedure,
            ),
            Vec::new(),
        )
        .await?;
        let Some(tender) = model::accept(db, &request, operator.id).await? else {
            continue;
        };
        let tender = model::update_anac(
            db,
            tender,
            AnacData {
                cig: t.cig.map(Into::into),
                cup: None,
                station_fiscal_code: "80008870265".into(),
                ausa_code: "0000226345".into(),
                rup_name: "Ing. Chiara Zanatta".into(),
                pad_name: "Piattaforma di e-procurement della Provincia".into(),
                pad_url: t.cig.map_or(String::new(), |cig| {
                    format!("https://e-procurement.example.org/procedure/{cig}")
                }),
            },
            operator.id,
        )
        .await?;
        if t.phase >= Phase::Award {
            award_with_checks(db, &tender, t, operator.id).await?;
        }
        let contract = crate::domain::ContractType::parse(t.contract_type);
        if let Some(rup) = rups
            .iter()
            .find(|r| r.available && crate::rup::competent(r, contract))
        {
            model::assign_rup(db, &tender, rup, operator.id).await?;
        }
        if t.phase >= Phase::Call {
            // Bids close in a month for the tender in its call; the others' closed before.
            let today = chrono::Utc::now().date_naive();
            let due = if t.phase == Phase::Call {
                today + chrono::Duration::days(30)
            } else {
                today - chrono::Duration::days(60)
            };
            model::update_phase(
                db,
                &tender,
                Phase::Call,
                Some(due),
                "Ing. Chiara Zanatta".into(),
                operator.id,
            )
            .await?;
        }
        let mut phase = Phase::ALL[0];
        while phase != t.phase {
            model::advance(db, &tender, phase, operator.id).await?;
            phase = phase.next().expect("the target phase comes later");
        }
    }
    model::create_request(
        db,
        ask(
            "Servizio di sgombero neve 2026-2027",
            "servizi",
            7_500_000,
            &["90620000"],
            "negoziata",
        ),
        Vec::new(),
    )
    .await?;
    crate::campaigns::demo::seed(state).await?;
    Ok(())
}
