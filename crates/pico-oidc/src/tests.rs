//! Unit tests that need no provider: a fake OP key signs what a provider would send.

use std::os::unix::fs::PermissionsExt;
use std::sync::{Arc, OnceLock};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use josekit::jwe::{JweHeader, RSA_OAEP};
use josekit::jwk::alg::rsa::RsaKeyPair;
use josekit::jwk::{Jwk, KeyPair};
use josekit::jws::{HS256, JwsHeader, RS256};
use serde_json::{Value, json};

use crate::jose::{self, Claims};
use crate::provider::Provider;
use crate::tokens::{Expected, validate_id_token};
use crate::{
    Callback, IdTokenError, OidcError, Organization, PendingLogin, ProviderConfig, ProviderKind,
    RelyingParty, RpKeys, request, userinfo,
};

const CLIENT_ID: &str = "https://pico.provincia.example.it";
const REDIRECT_URI: &str = "https://pico.provincia.example.it/auth/oidc/callback";
const OP: &str = "https://op.example.it";
const NONCE: &str = "n0nceN0nceN0nceN0nceN0nceN0nceN0nce";
const ACCESS_TOKEN: &str = "an-access-token";
const SPID_L1: &str = "https://www.spid.gov.it/SpidL1";
const SPID_L2: &str = "https://www.spid.gov.it/SpidL2";
const SPID_L3: &str = "https://www.spid.gov.it/SpidL3";

/// The fake provider's signing key.
fn op_key() -> &'static Jwk {
    static KEY: OnceLock<Jwk> = OnceLock::new();
    KEY.get_or_init(|| {
        let mut jwk = RsaKeyPair::generate(2048).unwrap().to_jwk_key_pair();
        jwk.set_key_id("op-1");
        jwk
    })
}

fn op_jwks() -> Value {
    let mut public = op_key().to_public_key().unwrap();
    public.set_key_id("op-1");
    public.set_key_use("sig");
    json!({ "keys": [Value::Object(public.as_ref().clone())] })
}

fn provider() -> Provider {
    Provider {
        config: ProviderConfig {
            key: "spid-test".into(),
            kind: ProviderKind::Spid,
            name: "SPID di prova".into(),
            issuer: OP.into(),
            acr_values: vec![SPID_L2.into()],
            scope: vec!["openid".into()],
        },
        authorization_endpoint: format!("{OP}/auth").parse().unwrap(),
        token_endpoint: format!("{OP}/token"),
        userinfo_endpoint: format!("{OP}/userinfo"),
        jwks: op_jwks(),
        iss_parameter_supported: true,
    }
}

/// An RP; its keys are generated once per test run (RSA key generation is slow), or a second,
/// different set with `other`.
fn relying_party_with(other: bool) -> RelyingParty {
    static KEYS: [OnceLock<Arc<RpKeys>>; 2] = [OnceLock::new(), OnceLock::new()];
    let keys = KEYS[usize::from(other)].get_or_init(|| Arc::new(RpKeys::generate()));
    RelyingParty::new(CLIENT_ID.into(), REDIRECT_URI.into(), Arc::clone(keys))
}

fn relying_party() -> RelyingParty {
    relying_party_with(false)
}

fn sign_as_op(claims: &Value) -> String {
    let signer = RS256.signer_from_jwk(op_key()).unwrap();
    josekit::jws::serialize_compact(claims.to_string().as_bytes(), &JwsHeader::new(), &signer)
        .unwrap()
}

fn claims_of(jwt: &str, jwks: &Value) -> Claims {
    jose::verify(jwt, jwks).unwrap().0
}

fn header_of(jwt: &str) -> Claims {
    jose::decode_header(jwt).unwrap()
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn id_token_claims() -> Value {
    json!({
        "iss": OP,
        "sub": "pairwise-subject",
        "aud": CLIENT_ID,
        "iat": now(),
        "nbf": now(),
        "exp": now() + 600,
        "jti": "6c5b0ac0-5d4c-4b7e-9f41-0a1f6b9d2e3a",
        "nonce": NONCE,
        "acr": SPID_L2,
        "at_hash": jose::half_hash("RS256", ACCESS_TOKEN).unwrap(),
    })
}

fn validate(rp: &RelyingParty, token: &str) -> Result<String, IdTokenError> {
    let requested = [SPID_L2.to_owned()];
    let expected = Expected {
        client_id: CLIENT_ID,
        nonce: NONCE,
        acr_values: &requested,
        access_token: ACCESS_TOKEN,
        now: now(),
    };
    validate_id_token(token, &rp.keys, &provider(), &expected).map(|t| t.acr)
}

fn with(mut claims: Value, name: &str, value: Value) -> Value {
    claims[name] = value;
    claims
}

fn encrypt_for_rp(rp: &RelyingParty, payload: &str, alg: &str, enc: &str) -> String {
    let enc_jwk = rp.keys.core_jwks()["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["use"] == "enc")
        .cloned()
        .unwrap();
    let mut enc_jwk = Jwk::from_map(enc_jwk.as_object().unwrap().clone()).unwrap();
    enc_jwk.set_algorithm(alg);
    let mut header = JweHeader::new();
    header.set_content_encryption(enc);
    header.set_content_type("JWT");
    let encrypter: Box<dyn josekit::jwe::JweEncrypter> = match alg {
        "RSA-OAEP" => Box::new(RSA_OAEP.encrypter_from_jwk(&enc_jwk).unwrap()),
        "RSA-OAEP-256" => Box::new(
            josekit::jwe::RSA_OAEP_256
                .encrypter_from_jwk(&enc_jwk)
                .unwrap(),
        ),
        #[allow(deprecated)] // Only to prove that it is refused.
        "RSA1_5" => Box::new(josekit::jwe::RSA1_5.encrypter_from_jwk(&enc_jwk).unwrap()),
        _ => unreachable!(),
    };
    josekit::jwe::serialize_compact(payload.as_bytes(), &header, &*encrypter).unwrap()
}

// --- authorization request -------------------------------------------------------------------

#[test]
fn the_authorization_request_carries_a_signed_request_object_with_every_required_claim() {
    let rp = relying_party();
    let (url, pending) = rp.start(&provider());

    let url = url::Url::parse(&url).unwrap();
    assert!(url.as_str().starts_with("https://op.example.it/auth?"));
    let query: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
    assert_eq!(query["client_id"], CLIENT_ID);
    assert_eq!(query["response_type"], "code");
    assert_eq!(query["scope"], "openid");
    assert_eq!(query["code_challenge_method"], "S256");

    let request = &query["request"];
    let header = header_of(request);
    assert_eq!(header["alg"], "RS256");
    assert_eq!(header["kid"], rp.keys.core_jwks()["keys"][0]["kid"]);
    let claims = claims_of(request, &rp.keys.core_jwks());

    for random in [&pending.state, &pending.nonce] {
        assert!(
            random.len() >= 32 && random.chars().all(|c| c.is_ascii_alphanumeric()),
            "{random}"
        );
    }
    assert_ne!(pending.state, pending.nonce);
    assert_eq!(claims["state"], pending.state.as_str());
    assert_eq!(claims["nonce"], pending.nonce.as_str());
    assert_eq!(claims["client_id"], CLIENT_ID);
    assert_eq!(claims["iss"], CLIENT_ID);
    assert_eq!(claims["aud"], OP);
    assert_eq!(claims["response_type"], "code");
    assert_eq!(claims["redirect_uri"], REDIRECT_URI);
    assert_eq!(
        claims["scope"],
        query["scope"].as_str(),
        "scope must equal the HTTP parameter"
    );
    assert_eq!(claims["prompt"], "consent login");
    assert_eq!(claims["acr_values"], SPID_L2);
    assert_eq!(claims["code_challenge_method"], "S256");
    let (iat, exp) = (
        claims["iat"].as_i64().unwrap(),
        claims["exp"].as_i64().unwrap(),
    );
    assert!(iat <= now() && exp > now());
    assert_eq!(
        claims["claims"]["userinfo"]["https://attributes.eid.gov.it/fiscal_number"]["essential"],
        true
    );
    for name in ["given_name", "family_name", "email"] {
        assert!(
            claims["claims"]["userinfo"].get(name).is_some(),
            "{name} requested"
        );
    }

    let verifier = &pending.code_verifier;
    assert!((43..=128).contains(&verifier.len()));
    assert_eq!(
        URL_SAFE_NO_PAD.encode(<sha2::Sha256 as sha2::Digest>::digest(verifier)),
        claims["code_challenge"]
    );
    assert_eq!(claims["code_challenge"], query["code_challenge"].as_str());
}

#[test]
fn a_pending_login_survives_a_round_trip_through_storage() {
    let rp = relying_party();
    let (_, pending) = rp.start(&provider());
    let stored = serde_json::to_string(&pending).unwrap();
    assert_eq!(
        serde_json::from_str::<PendingLogin>(&stored).unwrap(),
        pending
    );
    assert_eq!(pending.provider_key, "spid-test");
}

#[test]
fn random_values_differ_between_logins() {
    assert_ne!(
        request::random_alphanumeric(48),
        request::random_alphanumeric(48)
    );
}

// --- callback --------------------------------------------------------------------------------

fn pending() -> PendingLogin {
    PendingLogin {
        provider_key: "spid-test".into(),
        state: "S".repeat(40),
        nonce: NONCE.into(),
        code_verifier: "v".repeat(64),
        acr_values: vec![SPID_L2.into()],
        created_at: chrono::Utc::now(),
    }
}

fn check(query: &str) -> Result<String, OidcError> {
    crate::check_callback(&provider(), &pending(), &Callback::from_query(query)).map(str::to_owned)
}

#[test]
fn the_callback_must_carry_this_logins_state_and_the_providers_issuer() {
    let state = "S".repeat(40);
    let iss = "https%3A%2F%2Fop.example.it";
    assert_eq!(
        check(&format!("?code=abc&state={state}&iss={iss}")).unwrap(),
        "abc"
    );
    assert!(matches!(
        check(&format!("code=abc&state={state}x&iss={iss}")),
        Err(OidcError::StateMismatch)
    ));
    assert!(matches!(
        check(&format!("code=abc&iss={iss}")),
        Err(OidcError::StateMismatch)
    ));
    assert!(matches!(
        check(&format!(
            "code=abc&state={state}&iss=https%3A%2F%2Fevil.example"
        )),
        Err(OidcError::IssuerMismatch { .. })
    ));
    assert!(
        matches!(
            check(&format!("code=abc&state={state}")),
            Err(OidcError::IssuerMismatch { got: None, .. })
        ),
        "a provider that announces RFC 9207 must send iss"
    );
    assert!(matches!(
        check(&format!("state={state}&iss={iss}")),
        Err(OidcError::MissingCode)
    ));
    let mut elsewhere = pending();
    elsewhere.provider_key = "cie-test".into();
    let callback = Callback::from_query(&format!("code=abc&state={state}&iss={iss}"));
    assert!(matches!(
        crate::check_callback(&provider(), &elsewhere, &callback),
        Err(OidcError::StateMismatch)
    ));
}

#[test]
fn a_user_who_cancels_comes_back_with_the_providers_error() {
    let state = "S".repeat(40);
    let err = check(&format!(
        "https://rp/cb?error=access_denied&error_description=User+cancelled&state={state}"
    ))
    .unwrap_err();
    assert!(
        matches!(&err, OidcError::Provider { code, description } if code == "access_denied" && description.as_deref() == Some("User cancelled"))
    );
    // An error the provider could not bind to our request has no state: still the provider's error.
    assert!(matches!(
        check("error=invalid_request_object"),
        Err(OidcError::Provider { .. })
    ));
    // But a wrong state is a forgery, whatever it claims.
    assert!(matches!(
        check("error=access_denied&state=other"),
        Err(OidcError::StateMismatch)
    ));
}

// --- ID token --------------------------------------------------------------------------------

#[test]
fn a_valid_id_token_is_accepted_signed_or_signed_then_encrypted() {
    let rp = relying_party();
    let jws = sign_as_op(&id_token_claims());
    assert_eq!(validate(&rp, &jws).unwrap(), SPID_L2);
    let jwe = encrypt_for_rp(&rp, &jws, "RSA-OAEP-256", "A128CBC-HS256");
    assert_eq!(validate(&rp, &jwe).unwrap(), SPID_L2);
}

#[test]
fn an_id_token_for_someone_else_is_refused() {
    let rp = relying_party();
    let token = |name, value| sign_as_op(&with(id_token_claims(), name, value));
    assert_eq!(
        validate(&rp, &token("aud", json!("https://other.example.it"))),
        Err(IdTokenError::Audience)
    );
    assert_eq!(
        validate(
            &rp,
            &token("aud", json!([CLIENT_ID, "https://other.example.it"]))
        ),
        Err(IdTokenError::Audience),
        "several audiences need azp"
    );
    assert_eq!(
        validate(&rp, &token("iss", json!("https://evil.example.it"))),
        Err(IdTokenError::Issuer(Some("https://evil.example.it".into())))
    );
    assert_eq!(
        validate(&rp, &token("nonce", json!("another-nonce"))),
        Err(IdTokenError::Nonce)
    );
    assert_eq!(
        validate(&rp, &token("at_hash", json!("AAAAAAAAAAAAAAAAAAAAAA"))),
        Err(IdTokenError::AtHash)
    );
    assert_eq!(
        validate(&rp, &token("exp", json!(now() - 3600))),
        Err(IdTokenError::Expired)
    );
    assert_eq!(
        validate(&rp, &token("iat", json!(now() + 3600))),
        Err(IdTokenError::IssuedInFuture)
    );
    assert_eq!(
        validate(&rp, &token("sub", json!(""))),
        Err(IdTokenError::MissingClaim("sub"))
    );
}

#[test]
fn the_authentication_level_must_reach_the_lowest_requested_one() {
    let rp = relying_party();
    let token = |acr: &str| sign_as_op(&with(id_token_claims(), "acr", json!(acr)));
    assert_eq!(
        validate(&rp, &token(SPID_L1)),
        Err(IdTokenError::AcrTooLow {
            got: SPID_L1.into(),
            required: SPID_L2.into()
        })
    );
    assert_eq!(
        validate(&rp, &token(SPID_L3)).unwrap(),
        SPID_L3,
        "a higher level is fine"
    );
    let mut claims = id_token_claims();
    claims.as_object_mut().unwrap().remove("acr");
    assert_eq!(
        validate(&rp, &sign_as_op(&claims)),
        Err(IdTokenError::MissingClaim("acr"))
    );
}

#[test]
fn unsigned_and_hmac_id_tokens_are_refused() {
    let rp = relying_party();
    let payload = URL_SAFE_NO_PAD.encode(id_token_claims().to_string());

    let none = format!(
        "{}.{payload}.",
        URL_SAFE_NO_PAD.encode(r#"{"alg":"none","kid":"op-1"}"#)
    );
    assert_eq!(
        validate(&rp, &none),
        Err(IdTokenError::Algorithm("none".into()))
    );

    // The classic confusion: HMAC keyed with the provider's public modulus.
    let n = op_jwks()["keys"][0]["n"].as_str().unwrap().to_owned();
    let mut header = JwsHeader::new();
    header.set_key_id("op-1");
    let hs256 = josekit::jws::serialize_compact(
        id_token_claims().to_string().as_bytes(),
        &header,
        &HS256.signer_from_bytes(n.as_bytes()).unwrap(),
    )
    .unwrap();
    assert_eq!(
        validate(&rp, &hs256),
        Err(IdTokenError::Algorithm("HS256".into()))
    );

    let mut forged = sign_as_op(&id_token_claims());
    forged.truncate(forged.len() - 4);
    forged.push_str("AAAA");
    assert_eq!(validate(&rp, &forged), Err(IdTokenError::BadSignature));

    let other_rp = relying_party_with(true);
    let foreign = other_rp.keys.sign_core(&id_token_claims()).unwrap();
    assert!(matches!(
        validate(&rp, &foreign),
        Err(IdTokenError::UnknownKey(_))
    ));
}

// --- UserInfo --------------------------------------------------------------------------------

fn userinfo_claims(fiscal_claim: &str) -> Value {
    json!({
        "iss": OP,
        "aud": CLIENT_ID,
        "sub": "pairwise-subject",
        "iat": now(),
        "exp": now() + 600,
        fiscal_claim: "TINIT-RSSMRA80A01L219M",
        "given_name": "Mario",
        "family_name": "Rossi",
        "email": "mario.rossi@example.it",
    })
}

#[test]
fn an_encrypted_userinfo_made_with_josekit_decrypts_to_the_users_attributes() {
    let rp = relying_party();
    let provider = provider();
    let jws = sign_as_op(&userinfo_claims(
        "https://attributes.eid.gov.it/fiscal_number",
    ));
    let jwe = encrypt_for_rp(&rp, &jws, "RSA-OAEP", "A256CBC-HS512");

    let claims = userinfo::decode(&rp, &provider, "application/jose", &jwe).unwrap();
    userinfo::check_claims(&claims, &provider, CLIENT_ID, "pairwise-subject").unwrap();
    let id_token = crate::tokens::IdToken {
        subject: "pairwise-subject".into(),
        acr: SPID_L2.into(),
    };
    let identity = userinfo::identity(&provider, id_token, &claims).unwrap();
    assert_eq!(identity.fiscal_code.as_deref(), Some("RSSMRA80A01L219M"));
    assert_eq!(
        (identity.given_name.as_str(), identity.family_name.as_str()),
        ("Mario", "Rossi")
    );
    assert_eq!(identity.email.as_deref(), Some("mario.rossi@example.it"));
    assert_eq!(identity.issuer, OP);

    assert!(matches!(
        userinfo::check_claims(&claims, &provider, CLIENT_ID, "someone-else"),
        Err(OidcError::UserInfo(_))
    ));
}

#[test]
fn userinfo_that_is_encrypted_but_not_signed_or_uses_rsa1_5_is_refused() {
    let rp = relying_party();
    let provider = provider();
    let plain = userinfo_claims("fiscal_number").to_string();
    let unsigned = encrypt_for_rp(&rp, &plain, "RSA-OAEP", "A256CBC-HS512");
    assert!(userinfo::decode(&rp, &provider, "application/jose", &unsigned).is_err());

    let jws = sign_as_op(&userinfo_claims("fiscal_number"));
    let rsa1_5 = encrypt_for_rp(&rp, &jws, "RSA1_5", "A256CBC-HS512");
    let err = userinfo::decode(&rp, &provider, "application/jose", &rsa1_5).unwrap_err();
    assert!(err.to_string().contains("RSA1_5"), "{err}");
}

#[test]
fn the_fiscal_code_is_read_from_either_namespace_without_the_tinit_prefix() {
    for name in [
        "https://attributes.eid.gov.it/fiscal_number",
        "https://attributes.spid.gov.it/fiscal_number",
        "fiscal_number",
    ] {
        let claims = json!({ name: "tinit-rssmra80a01l219m" });
        assert_eq!(
            userinfo::fiscal_code(claims.as_object().unwrap()).as_deref(),
            Some("RSSMRA80A01L219M"),
            "{name}"
        );
    }
    let bare = json!({ "fiscal_number": "RSSMRA80A01L219M" });
    assert_eq!(
        userinfo::fiscal_code(bare.as_object().unwrap()).as_deref(),
        Some("RSSMRA80A01L219M")
    );
    let empty = json!({ "fiscal_number": "TINIT-" });
    assert_eq!(userinfo::fiscal_code(empty.as_object().unwrap()), None);
    assert_eq!(userinfo::fiscal_code(&Claims::new()), None);
}

// --- federation ------------------------------------------------------------------------------

#[test]
fn the_entity_configuration_is_signed_with_the_federation_key_and_describes_the_rp() {
    let rp = relying_party();
    let org = Organization {
        name: "Provincia di Esempio".into(),
        homepage_uri: "https://www.provincia.example.it".into(),
        policy_uri: "https://www.provincia.example.it/privacy".into(),
        logo_uri: "https://www.provincia.example.it/logo.svg".into(),
        contacts: vec!["protocollo@pec.provincia.example.it".into()],
        authority_hints: vec!["https://registry.spid.gov.it".into()],
    };
    let jwt = rp.entity_configuration(&org);

    assert_eq!(header_of(&jwt)["typ"], "entity-statement+jwt");
    assert!(
        jose::verify(&jwt, &rp.keys.core_jwks()).is_err(),
        "not signed with a core key"
    );
    let ec = claims_of(&jwt, &rp.keys.federation_jwks());
    assert_eq!(ec["iss"], CLIENT_ID);
    assert_eq!(ec["sub"], CLIENT_ID);
    assert_eq!(
        ec["exp"].as_i64().unwrap() - ec["iat"].as_i64().unwrap(),
        86_400
    );
    assert_eq!(ec["jwks"], rp.keys.federation_jwks());
    assert_eq!(
        ec["authority_hints"],
        json!(["https://registry.spid.gov.it"])
    );

    let rp_meta = &ec["metadata"]["openid_relying_party"];
    assert_eq!(rp_meta["client_id"], CLIENT_ID);
    assert_eq!(rp_meta["client_registration_types"], json!(["automatic"]));
    assert_eq!(rp_meta["redirect_uris"], json!([REDIRECT_URI]));
    assert_eq!(rp_meta["response_types"], json!(["code"]));
    assert_eq!(rp_meta["jwks"], rp.keys.core_jwks());
    assert_eq!(rp_meta["token_endpoint_auth_method"], "private_key_jwt");
    assert_eq!(rp_meta["userinfo_encrypted_response_alg"], "RSA-OAEP");
    assert_eq!(rp_meta["userinfo_encrypted_response_enc"], "A256CBC-HS512");
    assert_eq!(rp_meta["client_name"], "Provincia di Esempio");
    for name in [
        "grant_types",
        "id_token_signed_response_alg",
        "userinfo_signed_response_alg",
    ] {
        assert!(rp_meta.get(name).is_some(), "{name}");
    }
    let entity = &ec["metadata"]["federation_entity"];
    assert_eq!(entity["organization_name"], "Provincia di Esempio");
    assert_eq!(
        entity["contacts"],
        json!(["protocollo@pec.provincia.example.it"])
    );
    for name in [
        "homepage_uri",
        "policy_uri",
        "logo_uri",
        "federation_resolve_endpoint",
    ] {
        assert!(
            entity[name]
                .as_str()
                .is_some_and(|v| v.starts_with("https://")),
            "{name}"
        );
    }
}

// --- keys ------------------------------------------------------------------------------------

#[test]
fn keys_are_created_once_private_and_kept_across_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let first = RpKeys::load_or_create(dir.path()).unwrap();
    let second = RpKeys::load_or_create(dir.path()).unwrap();
    assert_eq!(first.core_jwks(), second.core_jwks());
    assert_eq!(first.federation_jwks(), second.federation_jwks());

    for file in ["core-sig.pem", "core-enc.pem", "federation-sig.pem"] {
        let mode = std::fs::metadata(dir.path().join(file))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{file}");
    }
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        3,
        "no temporary files left"
    );
}

#[test]
fn published_keys_are_public_distinct_and_named_by_their_thumbprint() {
    let dir = tempfile::tempdir().unwrap();
    let keys = RpKeys::load_or_create(dir.path()).unwrap();
    let core = keys.core_jwks();
    let (sig, enc) = (&core["keys"][0], &core["keys"][1]);
    let fed = &keys.federation_jwks()["keys"][0];

    assert_eq!(
        (sig["use"].as_str(), sig["alg"].as_str()),
        (Some("sig"), Some("RS256"))
    );
    assert_eq!(
        (enc["use"].as_str(), enc["alg"].as_str()),
        (Some("enc"), Some("RSA-OAEP"))
    );
    assert_eq!(
        (fed["use"].as_str(), fed["alg"].as_str()),
        (Some("sig"), Some("RS256"))
    );
    for key in [sig, enc, fed] {
        assert!(
            key.get("d").is_none() && key.get("p").is_none(),
            "public part only"
        );
        let jwk = Jwk::from_map(key.as_object().unwrap().clone()).unwrap();
        assert_eq!(
            key["kid"].as_str().unwrap(),
            crate::keys::thumbprint(&jwk).unwrap()
        );
    }
    assert_ne!(fed["n"], sig["n"]);
    assert_ne!(fed["n"], enc["n"]);
    assert_ne!(sig["n"], enc["n"]);

    let debug = format!("{keys:?}");
    assert!(
        !debug.contains("PRIVATE") && debug.contains(sig["kid"].as_str().unwrap()),
        "{debug}"
    );
}

#[test]
fn the_thumbprint_matches_the_rfc_7638_example() {
    let jwk = Jwk::from_map(
        json!({
            "kty": "RSA",
            "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
            "e": "AQAB",
            "alg": "RS256",
            "kid": "2011-04-29"
        })
        .as_object()
        .unwrap()
        .clone(),
    )
    .unwrap();
    assert_eq!(
        crate::keys::thumbprint(&jwk).unwrap(),
        "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
    );
}
