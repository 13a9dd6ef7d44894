//! JWS verification against a provider's JWK Set, and nested JWE-then-JWS opening, with the
//! algorithm allow-list of the SPID/CIE rules (`none`, HS*, RSA1_5 are forbidden).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use josekit::jwk::Jwk;
use josekit::jws::{ES256, ES384, ES512, JwsVerifier, PS256, PS384, PS512, RS256, RS384, RS512};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256, Sha384, Sha512};

use crate::IdTokenError;
use crate::keys::RpKeys;

pub(crate) type Claims = Map<String, Value>;

/// What the rules allow for JWS; `none` and HS* (forbidden) are absent.
const ALLOWED_JWS_ALGS: [&str; 9] = [
    "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512",
];

/// The protected header of a compact JWS or JWE, without verifying anything.
pub(crate) fn decode_header(token: &str) -> Result<Claims, String> {
    let first = token.split('.').next().unwrap_or_default();
    let bytes = URL_SAFE_NO_PAD
        .decode(first)
        .map_err(|e| format!("header is not base64url: {e}"))?;
    match serde_json::from_slice(&bytes) {
        Ok(Value::Object(header)) => Ok(header),
        _ => Err("header is not a JSON object".into()),
    }
}

/// Opens a token the provider sent us: a compact JWS, or a JWE (to our `enc` key) wrapping one.
/// Returns the verified claims and the JWS algorithm (which `at_hash` depends on).
pub(crate) fn open(
    token: &str,
    keys: &RpKeys,
    op_jwks: &Value,
) -> Result<(Claims, String), IdTokenError> {
    match token.split('.').count() {
        3 => verify(token, op_jwks),
        5 => {
            let inner = keys.decrypt(token).map_err(IdTokenError::Decrypt)?;
            let inner = String::from_utf8(inner)
                .map_err(|_| IdTokenError::Malformed("JWE payload is not text".into()))?;
            if inner.split('.').count() != 3 {
                return Err(IdTokenError::Malformed(
                    "JWE payload is not a signed JWT".into(),
                ));
            }
            verify(inner.trim(), op_jwks)
        }
        _ => Err(IdTokenError::Malformed(
            "neither a JWS nor a JWE in compact form".into(),
        )),
    }
}

/// Verifies a compact JWS with the provider key named by its `kid` (or the provider's only
/// signing key when there is no `kid`).
pub(crate) fn verify(token: &str, op_jwks: &Value) -> Result<(Claims, String), IdTokenError> {
    let header = decode_header(token).map_err(IdTokenError::Malformed)?;
    let alg = header
        .get("alg")
        .and_then(Value::as_str)
        .unwrap_or("none")
        .to_owned();
    let kid = header.get("kid").and_then(Value::as_str).map(str::to_owned);
    if !ALLOWED_JWS_ALGS.contains(&alg.as_str()) {
        return Err(IdTokenError::Algorithm(alg));
    }
    let jwk =
        select_key(op_jwks, kid.as_deref()).ok_or_else(|| IdTokenError::UnknownKey(kid.clone()))?;
    let verifier = verifier(&alg, &jwk)?;
    let (payload, _) = josekit::jws::deserialize_compact(token, &*verifier)
        .map_err(|_| IdTokenError::BadSignature)?;
    match serde_json::from_slice(&payload) {
        Ok(Value::Object(claims)) => Ok((claims, alg)),
        _ => Err(IdTokenError::Malformed(
            "payload is not a JSON object".into(),
        )),
    }
}

fn select_key(op_jwks: &Value, kid: Option<&str>) -> Option<Jwk> {
    let keys = op_jwks.get("keys")?.as_array()?;
    let signing = keys
        .iter()
        .filter_map(Value::as_object)
        .filter(|k| k.get("use").and_then(Value::as_str) != Some("enc"));
    let mut jwk = match kid {
        Some(kid) => signing
            .clone()
            .find(|k| k.get("kid").and_then(Value::as_str) == Some(kid))?,
        None => {
            let all: Vec<_> = signing.collect();
            if all.len() != 1 {
                return None;
            }
            all[0]
        }
    }
    .clone();
    // josekit insists on a matching `kid` header when the key has one.
    if kid.is_none() {
        jwk.remove("kid");
    }
    Jwk::from_map(jwk).ok()
}

fn verifier(alg: &str, jwk: &Jwk) -> Result<Box<dyn JwsVerifier>, IdTokenError> {
    let wrong_key = |_| IdTokenError::UnknownKey(jwk.key_id().map(str::to_owned));
    Ok(match alg {
        "RS256" => Box::new(RS256.verifier_from_jwk(jwk).map_err(wrong_key)?),
        "RS384" => Box::new(RS384.verifier_from_jwk(jwk).map_err(wrong_key)?),
        "RS512" => Box::new(RS512.verifier_from_jwk(jwk).map_err(wrong_key)?),
        "PS256" => Box::new(PS256.verifier_from_jwk(jwk).map_err(wrong_key)?),
        "PS384" => Box::new(PS384.verifier_from_jwk(jwk).map_err(wrong_key)?),
        "PS512" => Box::new(PS512.verifier_from_jwk(jwk).map_err(wrong_key)?),
        "ES256" => Box::new(ES256.verifier_from_jwk(jwk).map_err(wrong_key)?),
        "ES384" => Box::new(ES384.verifier_from_jwk(jwk).map_err(wrong_key)?),
        "ES512" => Box::new(ES512.verifier_from_jwk(jwk).map_err(wrong_key)?),
        other => return Err(IdTokenError::Algorithm(other.to_owned())),
    })
}

/// The left half of the hash of `value`, base64url: OIDC Core's `at_hash` / `c_hash`. The hash is
/// the one of the JWS algorithm (SHA-256 for RS256, …).
pub(crate) fn half_hash(alg: &str, value: &str) -> Option<String> {
    let digest = if alg.ends_with("256") {
        Sha256::digest(value).to_vec()
    } else if alg.ends_with("384") {
        Sha384::digest(value).to_vec()
    } else if alg.ends_with("512") {
        Sha512::digest(value).to_vec()
    } else {
        return None;
    };
    Some(URL_SAFE_NO_PAD.encode(&digest[..digest.len() / 2]))
}
