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

const TENDERS: &[DemoTender] = &[
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
        object: "Fornitura di arredi per la biblioteca civica",
        contract_type: "forniture",
        amount_cents: 9_800_000,
        cpv: &["39155100"],
        procedure: "affidamento_diretto",
        phase: Phase::Award,
        cig: Some("B0123ABCDE"),
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
                pad_url: String::new(),
            },
            operator.id,
        )
        .await?;
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
