//! Demo campaigns for Treviso: one open, with Castelfranco Veneto's needs submitted and
//! Oderzo's saved as a draft; one already closed and turned into an aggregated tender.
//! Added once; never on a real installation.

use super::model::{self, AnswerLine, NewCampaign, NewItem, campaign};
use super::quantity::Quantity;
use crate::domain::{ContractType, Procedure};
use chrono::{Duration, NaiveDate, Utc};
use pico_kernel::agreements::{self, NewAgreement};
use pico_kernel::identity;
use pico_kernel::territory::model::comune;
use pico_kernel::{AppState, spaces};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

/// A one-page PDF standing for the signed agreement.
const DEMO_PDF: &[u8] = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";

/// (group, name, unit, specifications, reference price in cents)
type DemoItem = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Option<i64>,
);

const OFFICE: &[DemoItem] = &[
    (
        "Carta",
        "Carta A4 80 g/m²",
        "risme da 500 fogli",
        "Carta riciclata, marchio Ecolabel UE.",
        Some(389),
    ),
    (
        "Carta",
        "Carta A3 80 g/m²",
        "risme da 500 fogli",
        "",
        Some(790),
    ),
    (
        "Cancelleria",
        "Penne a sfera blu",
        "confezioni da 50",
        "",
        Some(1250),
    ),
    (
        "Cancelleria",
        "Raccoglitori ad anelli",
        "pezzi",
        "Dorso 8 cm, cartone riciclato.",
        None,
    ),
];

const SALT: &[DemoItem] = &[
    (
        "Sale",
        "Sale per il disgelo stradale, sfuso",
        "tonnellate",
        "Cloruro di sodio, granulometria 0-5 mm.",
        Some(9500),
    ),
    ("Sale", "Sale in sacchi da 25 kg", "sacchi", "", Some(850)),
    (
        "Spargisale",
        "Noleggio di spargisale con operatore",
        "ore",
        "",
        Some(6500),
    ),
];

async fn comune_id(state: &AppState, istat: &str) -> anyhow::Result<Option<i32>> {
    Ok(comune::Entity::find()
        .filter(comune::Column::IstatCode.eq(istat))
        .one(&state.db)
        .await?
        .map(|c| c.id))
}

async fn campaign_with(
    state: &AppState,
    space_id: i32,
    title: &str,
    description: &str,
    enti: Vec<i32>,
    items: &[DemoItem],
    by: i32,
) -> anyhow::Result<campaign::Model> {
    let db = &state.db;
    let made = model::create(
        db,
        NewCampaign {
            space_id,
            title: title.into(),
            description: description.into(),
            deadline: Utc::now() + Duration::days(20),
            enti,
            created_by: by,
        },
    )
    .await?;
    for (group, name, unit, specifications, price) in items {
        model::add_item(
            db,
            made.id,
            NewItem {
                group_name: (*group).into(),
                name: (*name).into(),
                unit: (*unit).into(),
                specifications: (*specifications).into(),
                reference_price_cents: *price,
            },
        )
        .await?;
    }
    model::send(db, made.id).await?;
    Ok(made)
}

async fn answer(
    state: &AppState,
    c: &campaign::Model,
    comune_id: i32,
    quantities: &[&str],
    submit: bool,
    by: i32,
) -> anyhow::Result<()> {
    let items = model::items_of(&state.db, c.id).await?;
    let lines = items
        .iter()
        .zip(quantities)
        .map(|(i, q)| {
            Ok(AnswerLine {
                item_id: i.id,
                quantity: Quantity::parse(q).map_err(anyhow::Error::msg)?,
                note: String::new(),
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    model::save_answer(&state.db, c.id, comune_id, lines, submit, by)
        .await?
        .map_err(|r| anyhow::anyhow!("demo answer refused: {r:?}"))
}

pub async fn seed(state: &AppState) -> anyhow::Result<()> {
    let db = &state.db;
    let Some(treviso) = spaces::by_slug(db, "treviso").await? else {
        return Ok(());
    };
    if campaign::Entity::find()
        .filter(campaign::Column::SpaceId.eq(treviso.id))
        .count(db)
        .await?
        > 0
    {
        return Ok(());
    }
    let (Some(castelfranco), Some(oderzo)) = (
        comune_id(state, "026012").await?,
        comune_id(state, "026051").await?,
    ) else {
        return Ok(());
    };
    let Some(operator) = identity::find_by_email(db, crate::demo::OPERATOR).await? else {
        return Ok(());
    };
    let today = Utc::now().date_naive();
    if !agreements::is_active(db, treviso.id, oderzo, today).await? {
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
                comune_id: oderzo,
                starts_on: NaiveDate::from_ymd_opt(2025, 6, 1).expect("valid date"),
                ends_on: None,
                document_key: key,
                document_name: "convenzione-sua-oderzo.pdf".into(),
                created_by: operator.id,
            },
        )
        .await?;
    }
    let asker = identity::find_by_email(db, "ente.castelfranco@demo.pico.localhost")
        .await?
        .map_or(operator.id, |p| p.id);

    // Closed and turned into an aggregated tender.
    let salt = campaign_with(
        state,
        treviso.id,
        "Sale e spargisale per l'inverno 2026-2027",
        "Fabbisogni di sale per il disgelo e di noleggio di spargisale, per una gara aggregata dei Comuni convenzionati.",
        vec![castelfranco, oderzo],
        SALT,
        operator.id,
    )
    .await?;
    answer(
        state,
        &salt,
        castelfranco,
        &["120", "300", "40"],
        true,
        asker,
    )
    .await?;
    answer(
        state,
        &salt,
        oderzo,
        &["85,5", "150", "24"],
        true,
        operator.id,
    )
    .await?;
    model::close(db, salt.id).await?;
    let salt = model::find(db, treviso.id, salt.id)
        .await?
        .expect("just made");
    let names = |id: i32| {
        if id == castelfranco {
            "Castelfranco Veneto".to_owned()
        } else {
            "Oderzo".to_owned()
        }
    };
    if let Some(plan) =
        super::tender_plan(db, &salt, ContractType::Supplies, Procedure::Open, names).await?
    {
        model::make_tender(db, &salt, plan, operator.id).await?;
    }

    // Open: Oderzo submitted; Castelfranco (whose demo account can go on) saved a draft.
    let office = campaign_with(
        state,
        treviso.id,
        "Carta e cancelleria per gli uffici comunali 2027",
        "Indicate il fabbisogno annuo dei vostri uffici: la Provincia bandirà una gara aggregata in due lotti.",
        vec![castelfranco, oderzo],
        OFFICE,
        operator.id,
    )
    .await?;
    answer(
        state,
        &office,
        oderzo,
        &["1.200", "80", "30", "150"],
        true,
        operator.id,
    )
    .await?;
    answer(
        state,
        &office,
        castelfranco,
        &["600", "", "12,5", ""],
        false,
        asker,
    )
    .await?;
    Ok(())
}
