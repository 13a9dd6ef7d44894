//! End-to-end logins against a real OpenID Provider (`tests/oidc/provider.mjs`, needs Node).

use std::sync::Arc;
use std::time::Duration;

use pico_oidc::testing::TestProvider;
use pico_oidc::{Callback, IdTokenError, OidcError, ProviderKind, RelyingParty, RpKeys};

const CLIENT_ID: &str = "http://127.0.0.1:8080";
const REDIRECT_URI: &str = "http://127.0.0.1:8080/auth/oidc/callback";
const MARIO: &str = "RSSMRA80A01L219M";

struct Setup {
    _keys_dir: tempfile::TempDir,
    keys: Arc<RpKeys>,
    op: TestProvider,
    rp: RelyingParty,
}

fn setup() -> Setup {
    let keys_dir = tempfile::tempdir().unwrap();
    let keys = Arc::new(RpKeys::load_or_create(keys_dir.path()).unwrap());
    let op = TestProvider::start(CLIENT_ID, REDIRECT_URI, &keys.core_jwks());
    let rp = RelyingParty::new(CLIENT_ID.into(), REDIRECT_URI.into(), Arc::clone(&keys));
    Setup {
        _keys_dir: keys_dir,
        keys,
        op,
        rp,
    }
}

#[tokio::test]
async fn a_citizen_signs_in_with_spid_and_the_platform_learns_who_she_is() {
    let s = setup();
    let provider =
        s.rp.discover(&s.op.config(ProviderKind::Spid))
            .await
            .unwrap();

    let (url, pending) = s.rp.start(&provider);
    let back = s.op.sign_in(&TestProvider::browser(), &url, MARIO).await;
    let identity =
        s.rp.finish(&provider, &pending, &Callback::from_query(&back))
            .await
            .unwrap();

    assert_eq!(identity.fiscal_code.as_deref(), Some(MARIO));
    assert_eq!(identity.given_name, "Mario");
    assert_eq!(identity.family_name, "Rossi");
    assert_eq!(identity.email.as_deref(), Some("mario.rossi@example.it"));
    assert_eq!(identity.acr, "https://www.spid.gov.it/SpidL2");
    assert_eq!(identity.issuer, s.op.issuer());
    assert_ne!(
        identity.subject, MARIO,
        "the subject is pairwise, not the account id"
    );
}

#[tokio::test]
async fn the_same_citizen_gets_the_same_subject_at_every_login_with_cie_scopes() {
    let s = setup();
    let provider =
        s.rp.discover(&s.op.config(ProviderKind::Cie))
            .await
            .unwrap();
    let mut subjects = Vec::new();
    for _ in 0..2 {
        let (url, pending) = s.rp.start(&provider);
        let back = s.op.sign_in(&TestProvider::browser(), &url, MARIO).await;
        let identity =
            s.rp.finish(&provider, &pending, &Callback::from_query(&back))
                .await
                .unwrap();
        assert_eq!(identity.fiscal_code.as_deref(), Some(MARIO));
        subjects.push(identity.subject);
    }
    assert_eq!(subjects[0], subjects[1]);
}

#[tokio::test]
async fn a_callback_with_another_state_is_refused() {
    let s = setup();
    let provider =
        s.rp.discover(&s.op.config(ProviderKind::Spid))
            .await
            .unwrap();
    let (url, pending) = s.rp.start(&provider);
    let back = s.op.sign_in(&TestProvider::browser(), &url, MARIO).await;

    let mut callback = Callback::from_query(&back);
    callback.state = Some(format!("{}x", pending.state));
    let err =
        s.rp.finish(&provider, &pending, &callback)
            .await
            .unwrap_err();
    assert!(matches!(err, OidcError::StateMismatch), "{err}");
}

#[tokio::test]
async fn an_id_token_for_another_nonce_is_refused() {
    let s = setup();
    let provider =
        s.rp.discover(&s.op.config(ProviderKind::Spid))
            .await
            .unwrap();
    let (url, mut pending) = s.rp.start(&provider);
    let back = s.op.sign_in(&TestProvider::browser(), &url, MARIO).await;

    pending.nonce = "A".repeat(48);
    let err =
        s.rp.finish(&provider, &pending, &Callback::from_query(&back))
            .await
            .unwrap_err();
    assert!(
        matches!(err, OidcError::IdToken(IdTokenError::Nonce)),
        "{err}"
    );
}

#[tokio::test]
async fn an_expired_code_is_refused_by_the_provider() {
    let s = setup();
    let rp = RelyingParty::new(
        s.op.short_client_id(),
        REDIRECT_URI.into(),
        Arc::clone(&s.keys),
    );
    let provider = rp.discover(&s.op.config_short_code_ttl()).await.unwrap();
    let (url, pending) = rp.start(&provider);
    let back = s.op.sign_in(&TestProvider::browser(), &url, MARIO).await;

    // The `-short` client's codes live one second; there is no clock to fast-forward in the OP.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let err = rp
        .finish(&provider, &pending, &Callback::from_query(&back))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, OidcError::Token { error, .. } if error == "invalid_grant"),
        "{err}"
    );
}

#[tokio::test]
async fn a_code_cannot_be_used_twice() {
    let s = setup();
    let provider =
        s.rp.discover(&s.op.config(ProviderKind::Spid))
            .await
            .unwrap();
    let (url, pending) = s.rp.start(&provider);
    let callback = Callback::from_query(&s.op.sign_in(&TestProvider::browser(), &url, MARIO).await);

    s.rp.finish(&provider, &pending, &callback).await.unwrap();
    let err =
        s.rp.finish(&provider, &pending, &callback)
            .await
            .unwrap_err();
    assert!(
        matches!(&err, OidcError::Token { error, .. } if error == "invalid_grant"),
        "{err}"
    );
}
