//! The SUA's open data as the public and the tools that read it see it: the OCDS 1.1 release
//! package with a tender in every phase, valid against the official schemas (with
//! `PICO_TEST_PARSERS=1`, set by `scripts/test-all`, through Python's `jsonschema`), and the
//! CSV of the tenders. Requests not yet accepted and the timeline never appear.

use pico_kernel::test_support::TestApp;
use pico_kernel::{Registry, spaces};
use reqwest::StatusCode;
use serde_json::Value;
use std::collections::BTreeSet;
use std::sync::Arc;

async fn treviso_with_demo_tenders() -> TestApp {
    let app = TestApp::spawn(Registry::new(vec![Arc::new(pico_sua::Sua)])).await;
    pico_sua::demo::seed(&app.state).await.unwrap();
    app
}

fn validate_with_python(package: &Value) {
    if !std::env::var("PICO_TEST_PARSERS").is_ok_and(|v| v == "1") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("package.json");
    std::fs::write(&file, serde_json::to_vec(package).unwrap()).unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/ocds/validate.py");
    let output = std::process::Command::new("python3")
        .args([script, file.to_str().unwrap()])
        .output()
        .expect("python3 runs");
    assert!(
        output.status.success(),
        "the package is not valid OCDS 1.1:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[tokio::test]
async fn the_ocds_package_holds_every_tender_in_every_phase_and_nothing_internal() {
    let app = treviso_with_demo_tenders().await;
    let anonymous = app.browser();
    let response = anonymous.get("/api/v1/spaces/treviso/sua/ocds").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let text = response.text().await.unwrap();
    let package: Value = serde_json::from_str(&text).unwrap();
    validate_with_python(&package);

    assert_eq!(package["version"], "1.1");
    assert_eq!(package["publisher"]["name"], "Provincia di Treviso");
    let releases = package["releases"].as_array().unwrap();
    assert_eq!(releases.len(), 8, "one release per tender");
    let tags: BTreeSet<&str> = releases
        .iter()
        .map(|r| r["tag"][0].as_str().unwrap())
        .collect();
    assert_eq!(
        tags,
        BTreeSet::from(["planning", "tender", "award", "contract", "implementation"])
    );
    let ocids: BTreeSet<&str> = releases
        .iter()
        .map(|r| r["ocid"].as_str().unwrap())
        .collect();
    assert_eq!(ocids.len(), 8, "each tender has its own ocid");
    assert!(ocids.iter().all(|o| o.starts_with("ocds-pico00-treviso-")));

    let meals = releases
        .iter()
        .find(|r| r["tender"]["title"] == "Servizio di refezione scolastica 2027-2030")
        .expect("the tender in its call is published");
    assert_eq!(meals["tender"]["id"], "8479824C20");
    assert_eq!(meals["tender"]["status"], "active");
    assert_eq!(meals["tender"]["value"]["amount"], 1_260_000.0);
    assert_eq!(meals["tender"]["value"]["currency"], "EUR");
    assert_eq!(meals["tender"]["procurementMethod"], "open");
    assert_eq!(meals["tender"]["mainProcurementCategory"], "services");
    assert_eq!(
        meals["tender"]["items"][0]["classification"]["id"],
        "55524000-9"
    );
    assert!(meals["tender"]["tenderPeriod"]["endDate"].is_string());
    let station = &meals["parties"][0];
    assert_eq!(station["identifier"]["scheme"], "IT-CF");
    assert_eq!(station["identifier"]["id"], "80008870265");
    assert_eq!(station["additionalIdentifiers"][0]["scheme"], "AUSA");
    assert_eq!(meals["buyer"]["name"], "Comune di Castelfranco Veneto");

    let in_execution = releases
        .iter()
        .find(|r| r["tag"][0] == "implementation")
        .unwrap();
    assert_eq!(in_execution["awards"][0]["status"], "active");
    let supplier = &in_execution["awards"][0]["suppliers"][0];
    assert_eq!(supplier["name"], "Luce e Strade S.p.A.");
    assert!(
        in_execution["parties"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["id"] == supplier["id"] && p["roles"][0] == "supplier")
    );
    assert_eq!(in_execution["contracts"][0]["status"], "active");
    assert_eq!(
        in_execution["contracts"][0]["awardID"],
        in_execution["awards"][0]["id"]
    );

    // The aggregated tender of the demo campaign is in lots.
    let aggregated = releases
        .iter()
        .find(|r| r["tender"]["lots"].is_array())
        .expect("a tender in lots");
    assert_eq!(aggregated["tender"]["lots"].as_array().unwrap().len(), 2);
    assert!(
        package["extensions"][0]
            .as_str()
            .unwrap()
            .contains("ocds_lots_extension")
    );

    // The request still waiting for an answer, and what the timeline says, stay inside.
    assert!(!text.contains("sgombero neve"), "a pending request leaked");
    assert!(!text.contains("Fase «"), "the timeline leaked");
}

#[tokio::test]
async fn the_ocid_prefix_is_the_platforms() {
    let app = TestApp::spawn_with(Registry::new(vec![Arc::new(pico_sua::Sua)]), |config| {
        config.ocds_prefix = "ocds-abc123".into();
    })
    .await;
    pico_sua::demo::seed(&app.state).await.unwrap();
    let package: Value = app
        .browser()
        .get("/api/v1/spaces/treviso/sua/ocds")
        .await
        .json()
        .await
        .unwrap();
    assert!(package["releases"].as_array().unwrap().iter().all(|r| {
        r["ocid"]
            .as_str()
            .unwrap()
            .starts_with("ocds-abc123-treviso-")
    }));
}

#[tokio::test]
async fn the_tenders_as_csv() {
    let app = treviso_with_demo_tenders().await;
    let response = app
        .browser()
        .get("/api/v1/spaces/treviso/sua/gare.csv")
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let bytes = response.bytes().await.unwrap();
    let mut reader = csv::Reader::from_reader(bytes.as_ref());
    let headers = reader.headers().unwrap().clone();
    assert_eq!(&headers[1], "cig");
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 8);
    let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let meals = rows
        .iter()
        .find(|r| &r[column("cig")] == "8479824C20")
        .expect("the tender with its CIG");
    assert_eq!(&meals[column("importo")], "1260000.00");
    assert_eq!(&meals[column("fase")], "Bando e pubblicazione");
    assert_eq!(&meals[column("ente_titolare")], "Castelfranco Veneto");
    assert_eq!(&meals[column("cod_cpv")], "55524000-9");
    assert_eq!(
        &meals[column("aggiudicatario")],
        "",
        "no winner during the call"
    );
    let furniture = rows
        .iter()
        .find(|r| &r[column("cig")] == "B0123ABCDE")
        .unwrap();
    assert_eq!(&furniture[column("aggiudicatario")], "Arredi Veneti S.r.l.");
    assert_eq!(&furniture[column("importo_aggiudicazione")], "90160.00");
}

#[tokio::test]
async fn where_the_sua_is_off_the_api_answers_with_a_problem() {
    let app = treviso_with_demo_tenders().await;
    let brescia = spaces::by_slug(&app.state.db, "brescia")
        .await
        .unwrap()
        .unwrap();
    assert!(
        !spaces::enabled_modules(&app.state.db, brescia.id)
            .await
            .unwrap()
            .contains("sua")
    );
    for path in [
        "/api/v1/spaces/brescia/sua/ocds",
        "/api/v1/spaces/nessuna/sua/ocds",
        "/api/v1/spaces/brescia/sua/gare.csv",
    ] {
        let response = app.browser().get(path).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json",
            "{path}"
        );
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["status"], 404);
    }
    let described: Value = app
        .browser()
        .get("/api/v1/openapi.json")
        .await
        .json()
        .await
        .unwrap();
    assert!(described["paths"]["/api/v1/spaces/{space}/sua/ocds"]["get"].is_object());
}
