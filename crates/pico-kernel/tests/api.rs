//! The JSON API and the probes, as an integrator sees them.

use pico_kernel::Registry;
use pico_kernel::test_support::TestApp;
use reqwest::StatusCode;
use serde_json::Value;

async fn json(app: &TestApp, path: &str, expected: StatusCode) -> (Value, String) {
    let response = app.get(path).await;
    assert_eq!(response.status(), expected, "GET {path}");
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    (response.json().await.unwrap(), content_type)
}

#[tokio::test]
async fn probes_answer() {
    let app = TestApp::spawn(Registry::default()).await;
    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
    let (body, _) = json(&app, "/readyz", StatusCode::OK).await;
    assert_eq!(body["database"], "ok");
}

#[tokio::test]
async fn readiness_fails_when_the_database_is_gone() {
    let app = TestApp::spawn(Registry::default()).await;
    app.state.db.clone().close().await.unwrap();
    assert_eq!(
        app.get("/readyz").await.status(),
        StatusCode::SERVICE_UNAVAILABLE
    );
    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn spaces_are_listed_with_kind_codes_region_and_url() {
    let app = TestApp::spawn(Registry::default()).await;
    let (body, _) = json(&app, "/api/v1/spaces", StatusCode::OK).await;
    let spaces = body.as_array().unwrap();
    assert_eq!(spaces.len(), 1 + 20 + 107);
    let count = |kind: &str| spaces.iter().filter(|s| s["kind"] == kind).count();
    assert_eq!(
        (count("national"), count("regional"), count("provincial")),
        (1, 20, 107)
    );
    let treviso = spaces.iter().find(|s| s["slug"] == "treviso").unwrap();
    assert_eq!(treviso["name"], "Provincia di Treviso");
    assert_eq!(treviso["istat_code"], "026");
    assert_eq!(treviso["plate"], "TV");
    assert_eq!(treviso["region"], "Veneto");
    assert_eq!(treviso["url"], app.url("/treviso").as_str());
    let national = spaces.iter().find(|s| s["kind"] == "national").unwrap();
    assert_eq!(national["url"], app.url("/").as_str());
    // Plates and slugs are unique.
    let mut slugs: Vec<&str> = spaces.iter().map(|s| s["slug"].as_str().unwrap()).collect();
    slugs.sort();
    slugs.dedup();
    assert_eq!(slugs.len(), spaces.len());
}

#[tokio::test]
async fn the_comuni_of_a_province_by_istat_code() {
    let app = TestApp::spawn(Registry::default()).await;
    let (body, _) = json(
        &app,
        "/api/v1/territory/provinces/026/comuni",
        StatusCode::OK,
    )
    .await;
    assert_eq!(body["province"]["name"], "Treviso");
    assert_eq!(body["province"]["kind"], "provincia");
    let comuni = body["comuni"].as_array().unwrap();
    assert_eq!(comuni.len(), 94);
    let capital = comuni.iter().find(|c| c["is_capital"] == true).unwrap();
    assert_eq!(capital["istat_code"], "026086");
    assert!(capital["population"].as_i64().unwrap() > 80_000);
    assert!(body["source"].as_str().unwrap().contains("ISTAT"));

    let (rome, _) = json(
        &app,
        "/api/v1/territory/provinces/258/comuni",
        StatusCode::OK,
    )
    .await;
    assert_eq!(rome["province"]["kind"], "citta_metropolitana");
    assert_eq!(rome["comuni"].as_array().unwrap().len(), 121);
}

#[tokio::test]
async fn bad_istat_codes_get_problem_documents() {
    let app = TestApp::spawn(Registry::default()).await;
    let (problem, content_type) = json(
        &app,
        "/api/v1/territory/provinces/26/comuni",
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(content_type, "application/problem+json");
    assert_eq!(problem["status"], 400);
    assert!(problem["detail"].as_str().unwrap().contains("3 cifre"));
    let (problem, content_type) = json(
        &app,
        "/api/v1/territory/provinces/999/comuni",
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(content_type, "application/problem+json");
    assert_eq!(problem["title"], "Pagina non trovata");
    let (problem, content_type) = json(&app, "/api/v1/nothing-here", StatusCode::NOT_FOUND).await;
    assert_eq!(content_type, "application/problem+json");
    assert_eq!(problem["status"], 404);
}

#[tokio::test]
async fn the_openapi_document_describes_both_endpoints() {
    let app = TestApp::spawn(Registry::default()).await;
    let (doc, _) = json(&app, "/api/v1/openapi.json", StatusCode::OK).await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    assert!(doc["paths"]["/api/v1/spaces"]["get"].is_object());
    let comuni = &doc["paths"]["/api/v1/territory/provinces/{istat_code}/comuni"]["get"];
    assert!(comuni["responses"]["404"]["content"]["application/problem+json"].is_object());
    assert!(doc["components"]["schemas"]["Problem"].is_object());
}
