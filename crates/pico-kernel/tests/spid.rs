//! Signing in with SPID or CIE, end to end against a real OpenID provider (`oidc-provider`,
//! configured like a SPID provider by tests/oidc/provider.mjs): redirects followed, tokens
//! checked, the person found by fiscal code; forged and stale answers refused with a page.

use pico_kernel::identity::model::person;
use pico_kernel::oidc::{CALLBACK_PATH, pending};
use pico_kernel::test_support::{TestApp, field_value, texts};
use pico_kernel::{Config, Registry};
use pico_oidc::testing::TestProvider;
use pico_oidc::{PendingLogin, ProviderKind, RpKeys};
use reqwest::StatusCode;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter,
};

const MARIO: &str = "RSSMRA80A01L219M";

/// A platform whose only provider is a local SPID test provider. With `short_codes` it uses
/// the provider's second client, whose authorization codes live one second.
async fn platform(short_codes: bool) -> (TestApp, TestProvider) {
    let mut op = None;
    let app = TestApp::spawn_with(Registry::default(), |config: &mut Config| {
        let keys = RpKeys::load_or_create(&config.data_dir.join("oidc-keys")).unwrap();
        let provider = TestProvider::start(
            &config.oidc_client_id(),
            &config.url(CALLBACK_PATH),
            &keys.core_jwks(),
        );
        if short_codes {
            config.oidc_client_id = provider.short_client_id();
            config.oidc_providers = vec![provider.config_short_code_ttl()];
        } else {
            config.oidc_providers = vec![provider.config(ProviderKind::Spid)];
        }
        op = Some(provider);
    })
    .await;
    (app, op.expect("provider started"))
}

fn location(response: &reqwest::Response) -> String {
    response.headers()[reqwest::header::LOCATION]
        .to_str()
        .unwrap()
        .to_owned()
}

/// The local path of a URL on the platform.
fn path_of(url: &str) -> String {
    let url = url::Url::parse(url).unwrap();
    format!("{}?{}", url.path(), url.query().unwrap_or_default())
}

/// Presses "Entra con SPID", signs in at the provider; returns the way back to the platform.
async fn through_the_provider(app: &TestApp, op: &TestProvider, fiscal_code: &str) -> String {
    let login = app.page("/accedi?next=/profilo", StatusCode::OK).await;
    let button = scraper::Selector::parse("#spid-cie ~ ul a").unwrap();
    let button = login.select(&button).next().expect("a SPID button");
    assert_eq!(button.text().collect::<String>(), "Entra con SPID");
    let start = app.get(button.value().attr("href").unwrap()).await;
    assert_eq!(start.status(), StatusCode::SEE_OTHER);
    let authorization = location(&start);
    assert!(
        authorization.starts_with(op.issuer()),
        "sent to the provider"
    );
    path_of(
        &op.sign_in(&TestProvider::browser(), &authorization, fiscal_code)
            .await,
    )
}

async fn accounts_with(app: &TestApp, fiscal_code: &str) -> u64 {
    person::Entity::find()
        .filter(person::Column::FiscalCode.eq(fiscal_code))
        .count(&app.state.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_person_signs_in_with_spid_and_is_recognised_by_fiscal_code() {
    let (app, op) = platform(false).await;
    let back = through_the_provider(&app, &op, MARIO).await;
    let signed_in = app.get(&back).await;
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&signed_in),
        "/profilo",
        "back where the person was going"
    );

    let profile = app.page("/profilo", StatusCode::OK).await;
    assert_eq!(field_value(&profile, "name"), "Mario Rossi");
    assert_eq!(field_value(&profile, "fiscal_code"), MARIO);
    assert!(profile.html().contains("mario.rossi@example.it"));

    // Signing in again, from another browser, finds the same account.
    let again = app.browser();
    let login = again.page("/accedi", StatusCode::OK).await;
    assert_eq!(texts(&login, "#spid-cie ~ ul a"), ["Entra con SPID"]);
    let start = again.get("/accedi/spid-cie/spid-test").await;
    let back = op
        .sign_in(&TestProvider::browser(), &location(&start), MARIO)
        .await;
    assert_eq!(
        again.get(&path_of(&back)).await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(again.get("/profilo").await.status(), StatusCode::OK);
    assert_eq!(accounts_with(&app, MARIO).await, 1);
}

#[tokio::test]
async fn a_tampered_state_is_refused() {
    let (app, op) = platform(false).await;
    let back = through_the_provider(&app, &op, MARIO).await;
    let url = url::Url::parse(&app.url(&back)).unwrap();
    let forged: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| {
            let v = if k == "state" {
                format!("{v}x")
            } else {
                v.into_owned()
            };
            (k.into_owned(), v)
        })
        .collect();
    let response = app
        .client
        .get(app.url(CALLBACK_PATH))
        .query(&forged)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let page = scraper::Html::parse_document(&response.text().await.unwrap());
    assert_eq!(texts(&page, "h1"), ["Accesso non riuscito"]);
    assert!(page.html().contains("non è valida o è scaduta"));
    assert_eq!(
        app.get("/profilo").await.status(),
        StatusCode::SEE_OTHER,
        "not signed in"
    );
    assert_eq!(accounts_with(&app, MARIO).await, 0);
}

#[tokio::test]
async fn an_id_token_with_another_nonce_is_refused() {
    let (app, op) = platform(false).await;
    let back = through_the_provider(&app, &op, MARIO).await;
    // The login the platform is waiting for now expects another nonce than the one the
    // provider put in the ID token.
    let row = pending::Entity::find()
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    let mut login: PendingLogin = serde_json::from_str(&row.pending).unwrap();
    login.nonce = "A".repeat(40);
    let mut row: pending::ActiveModel = row.into();
    row.pending = Set(serde_json::to_string(&login).unwrap());
    row.update(&app.state.db).await.unwrap();

    let response = app.get(&back).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("La risposta del gestore dell&#39;identità non è valida")
    );
    assert_eq!(
        app.get("/profilo").await.status(),
        StatusCode::SEE_OTHER,
        "not signed in"
    );
    assert_eq!(accounts_with(&app, MARIO).await, 0);
}

#[tokio::test]
async fn an_expired_authorization_code_is_refused() {
    let (app, op) = platform(true).await;
    let back = through_the_provider(&app, &op, MARIO).await;
    // The provider's codes for this client live one second: this wait is what expires it.
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let response = app.get(&back).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("è scaduto o è già stato usato")
    );
    assert_eq!(accounts_with(&app, MARIO).await, 0);
}

#[tokio::test]
async fn the_entity_configuration_is_published_signed() {
    let (app, _op) = platform(false).await;
    let response = app.get("/.well-known/openid-federation").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"],
        "application/entity-statement+jwt"
    );
    let jwt = response.text().await.unwrap();
    let keys = RpKeys::load_or_create(&app.state.config.data_dir.join("oidc-keys")).unwrap();
    // Verified with the federation key, it describes this platform as a relying party.
    let claims = pico_oidc_claims(&jwt, &keys);
    assert_eq!(claims["iss"], app.state.config.oidc_client_id());
    let rp = &claims["metadata"]["openid_relying_party"];
    assert_eq!(rp["redirect_uris"][0], app.url(CALLBACK_PATH));
    assert_eq!(rp["token_endpoint_auth_method"], "private_key_jwt");
}

/// The claims of a JWT signed with the federation key, after checking the signature.
fn pico_oidc_claims(jwt: &str, keys: &RpKeys) -> serde_json::Value {
    use josekit::jws::RS256;
    let jwk = josekit::jwk::Jwk::from_map(
        keys.federation_jwks()["keys"][0]
            .as_object()
            .unwrap()
            .clone(),
    )
    .unwrap();
    let verifier = RS256.verifier_from_jwk(&jwk).unwrap();
    let (payload, _) = josekit::jwt::decode_with_verifier(jwt, &verifier).unwrap();
    serde_json::to_value(payload.claims_set()).unwrap()
}
