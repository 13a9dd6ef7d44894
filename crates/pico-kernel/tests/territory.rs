//! Loading ISTAT's territory: idempotent seeding, and re-importing an updated list with
//! renamed, merged, moved and new comuni.

use pico_kernel::Registry;
use pico_kernel::territory::{self, model::comune};
use pico_kernel::test_support::TestApp;
use pico_kernel::{seed, spaces};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

fn shipped_csv() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data/istat/comuni.csv"
    ))
    .unwrap()
}

async fn by_code(app: &TestApp, code: &str) -> Option<comune::Model> {
    comune::Entity::find()
        .filter(comune::Column::IstatCode.eq(code))
        .one(&app.state.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn seeding_twice_creates_no_duplicates() {
    let app = TestApp::spawn(Registry::default()).await;
    let db = &app.state.db;
    assert_eq!(comune::Entity::find().count(db).await.unwrap(), 7896);
    assert_eq!(spaces::all(db).await.unwrap().len(), 128);
    seed::base(db).await.unwrap();
    seed::demo(db).await.unwrap();
    seed::demo(db).await.unwrap();
    assert_eq!(comune::Entity::find().count(db).await.unwrap(), 7896);
    assert_eq!(spaces::all(db).await.unwrap().len(), 128);
    assert_eq!(territory::regions(db).await.unwrap().len(), 20);
}

#[tokio::test]
async fn an_updated_istat_list_renames_merges_moves_and_adds_comuni() {
    let app = TestApp::spawn(Registry::default()).await;
    let db = &app.state.db;
    let castelfranco = by_code(&app, "026012").await.unwrap();
    let moving = by_code(&app, "026003").await.unwrap();
    let mut lines: Vec<String> = Vec::new();
    for line in shipped_csv().lines() {
        match &line[..6] {
            // Two comuni of Treviso merge into a new one.
            "026001" | "026002" => continue,
            "026012" => lines.push(line.replacen(
                "Castelfranco Veneto,Castelfranco Veneto",
                "Castelfranco,Castelfranco",
                1,
            )),
            // One comune moves to the province of Padova: new ISTAT code, same cadastral code.
            "026003" => lines.push(
                line.replacen("026003", "028999", 1)
                    .replacen(",026,026,TV,Treviso,", ",028,028,PD,Padova,", 1)
                    .replacen("ITH34", "ITH36", 1),
            ),
            _ => lines.push(line.to_owned()),
        }
    }
    lines.push("026999,Nuovo Comune della Marca,Nuovo Comune della Marca,,M999,026,026,TV,Treviso,1,05,Veneto,2,Nord-est,0,ITH34,,,".into());
    let report = territory::import_comuni(db, lines.join("\n").as_bytes())
        .await
        .unwrap();

    assert_eq!(report.created, ["Nuovo Comune della Marca"]);
    assert_eq!(
        report.renamed,
        [("Castelfranco Veneto".to_owned(), "Castelfranco".to_owned())]
    );
    assert_eq!(report.recoded.len(), 1);
    assert_eq!(report.suppressed.len(), 2);
    assert!(
        report
            .suppressed
            .iter()
            .all(|(_, s)| s.as_deref() == Some("Nuovo Comune della Marca"))
    );

    let renamed = by_code(&app, "026012").await.unwrap();
    assert_eq!(
        (renamed.id, renamed.name.as_str()),
        (castelfranco.id, "Castelfranco")
    );
    let moved = by_code(&app, "028999").await.unwrap();
    assert_eq!(
        (moved.id, moved.province_code.as_str()),
        (moving.id, "028"),
        "a move keeps the comune's identity"
    );
    let merged = by_code(&app, "026001").await.unwrap();
    let successor = by_code(&app, "026999").await.unwrap();
    assert!(merged.suppressed_at.is_some());
    assert_eq!(merged.successor_id, Some(successor.id));

    let treviso: Vec<String> = territory::comuni_of(db, "026")
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.istat_code)
        .collect();
    assert_eq!(treviso.len(), 94 - 2 - 1 + 1);
    assert!(treviso.contains(&"026999".to_owned()) && !treviso.contains(&"026001".to_owned()));
    assert!(
        territory::comuni_of(db, "028")
            .await
            .unwrap()
            .iter()
            .any(|c| c.istat_code == "028999")
    );

    // Importing the same list again changes nothing.
    let again = territory::import_comuni(db, lines.join("\n").as_bytes())
        .await
        .unwrap();
    assert!(again.is_empty(), "{again}");
}

#[tokio::test]
async fn a_broken_file_is_refused_and_nothing_changes() {
    let app = TestApp::spawn(Registry::default()).await;
    let db = &app.state.db;
    let mut csv = shipped_csv();
    csv.push_str("12345,Troppo corto,Troppo corto,,X000,026,026,TV,Treviso,1,05,Veneto,2,Nord-est,0,ITH34,,,\n");
    let error = territory::import_comuni(db, csv.as_bytes())
        .await
        .unwrap_err();
    assert!(error.to_string().contains("6 cifre"), "{error}");
    let headers_only =
        territory::import_comuni(db, shipped_csv().lines().next().unwrap().as_bytes()).await;
    assert!(
        headers_only.is_err(),
        "an empty list would suppress every comune"
    );
    assert_eq!(
        comune::Entity::find()
            .filter(comune::Column::SuppressedAt.is_null())
            .count(db)
            .await
            .unwrap(),
        7896
    );
}
