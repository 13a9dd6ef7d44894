//! The token request (`private_key_jwt`) and ID Token validation.

use serde::Deserialize;
use serde_json::{Value, json};

use crate::jose::{self, Claims};
use crate::{IdTokenError, OidcError, PendingLogin, Provider, RelyingParty, RpKeys};

const CLIENT_ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const CLIENT_ASSERTION_TTL_SECS: i64 = 60;
/// Tolerated clock difference with the provider.
const LEEWAY_SECS: i64 = 60;

#[derive(Deserialize)]
pub(crate) struct TokenResponse {
    pub access_token: String,
    pub token_type: String,
    pub id_token: String,
}

#[derive(Deserialize)]
struct TokenErrorResponse {
    error: String,
    error_description: Option<String>,
}

/// Redeems the authorization code at the provider's token endpoint.
pub(crate) async fn exchange(
    rp: &RelyingParty,
    provider: &Provider,
    pending: &PendingLogin,
    code: &str,
) -> Result<TokenResponse, OidcError> {
    let now = chrono::Utc::now().timestamp();
    let assertion = rp.keys.sign_core(&json!({
        "iss": rp.client_id,
        "sub": rp.client_id,
        "aud": provider.token_endpoint(),
        "iat": now,
        "exp": now + CLIENT_ASSERTION_TTL_SECS,
        "jti": uuid::Uuid::new_v4().to_string(),
    }))?;
    let form = [
        ("client_id", rp.client_id.as_str()),
        ("client_assertion", &assertion),
        ("client_assertion_type", CLIENT_ASSERTION_TYPE),
        ("code", code),
        ("code_verifier", &pending.code_verifier),
        ("grant_type", "authorization_code"),
        ("redirect_uri", &rp.redirect_uri),
    ];
    let http_err = |e: reqwest::Error| OidcError::Http {
        url: provider.token_endpoint().to_owned(),
        message: e.to_string(),
    };
    let response = rp
        .http
        .post(provider.token_endpoint())
        .form(&form)
        .send()
        .await
        .map_err(http_err)?;
    let status = response.status();
    let body = response.bytes().await.map_err(http_err)?;
    if !status.is_success() {
        let (error, description) = match serde_json::from_slice::<TokenErrorResponse>(&body) {
            Ok(e) => (e.error, e.error_description),
            Err(_) => ("invalid_response".to_owned(), None),
        };
        return Err(OidcError::Token {
            status: status.as_u16(),
            error,
            description,
        });
    }
    let tokens: TokenResponse = serde_json::from_slice(&body).map_err(|e| OidcError::Token {
        status: status.as_u16(),
        error: "invalid_response".to_owned(),
        description: Some(e.to_string()),
    })?;
    if !tokens.token_type.eq_ignore_ascii_case("Bearer") {
        return Err(OidcError::Token {
            status: status.as_u16(),
            error: "invalid_response".to_owned(),
            description: Some(format!("token_type {} is not Bearer", tokens.token_type)),
        });
    }
    Ok(tokens)
}

/// What the ID Token must match.
pub(crate) struct Expected<'a> {
    pub client_id: &'a str,
    pub nonce: &'a str,
    pub acr_values: &'a [String],
    pub access_token: &'a str,
    /// Unix time.
    pub now: i64,
}

pub(crate) struct IdToken {
    pub subject: String,
    pub acr: String,
}

/// Decrypts (if it is a JWE) and verifies an ID Token.
pub(crate) fn validate_id_token(
    token: &str,
    keys: &RpKeys,
    provider: &Provider,
    expected: &Expected<'_>,
) -> Result<IdToken, IdTokenError> {
    let (claims, alg) = jose::open(token, keys, provider.jwks())?;
    let string = |name: &'static str| claims.get(name).and_then(Value::as_str);

    if string("iss") != Some(provider.issuer()) {
        return Err(IdTokenError::Issuer(string("iss").map(str::to_owned)));
    }
    check_audience(&claims, expected.client_id)?;
    check_times(&claims, expected.now)?;
    if string("nonce") != Some(expected.nonce) {
        return Err(IdTokenError::Nonce);
    }
    let subject = string("sub")
        .filter(|s| !s.is_empty())
        .ok_or(IdTokenError::MissingClaim("sub"))?;
    let acr = string("acr").ok_or(IdTokenError::MissingClaim("acr"))?;
    check_acr(acr, expected.acr_values)?;
    if let Some(at_hash) = string("at_hash")
        && jose::half_hash(&alg, expected.access_token).as_deref() != Some(at_hash)
    {
        return Err(IdTokenError::AtHash);
    }
    Ok(IdToken {
        subject: subject.to_owned(),
        acr: acr.to_owned(),
    })
}

/// `aud` (string or array) must contain the client; with several audiences `azp` must name it.
pub(crate) fn check_audience(claims: &Claims, client_id: &str) -> Result<(), IdTokenError> {
    let audiences: Vec<&str> = match claims.get("aud") {
        Some(Value::String(aud)) => vec![aud.as_str()],
        Some(Value::Array(auds)) => auds.iter().filter_map(Value::as_str).collect(),
        _ => return Err(IdTokenError::MissingClaim("aud")),
    };
    let azp_ok = match claims.get("azp").and_then(Value::as_str) {
        Some(azp) => azp == client_id,
        None => audiences.len() == 1,
    };
    if audiences.contains(&client_id) && azp_ok {
        Ok(())
    } else {
        Err(IdTokenError::Audience)
    }
}

pub(crate) fn check_times(claims: &Claims, now: i64) -> Result<(), IdTokenError> {
    let time = |name: &'static str| claims.get(name).and_then(Value::as_i64);
    let exp = time("exp").ok_or(IdTokenError::MissingClaim("exp"))?;
    let iat = time("iat").ok_or(IdTokenError::MissingClaim("iat"))?;
    if exp + LEEWAY_SECS <= now {
        return Err(IdTokenError::Expired);
    }
    if iat - LEEWAY_SECS > now || time("nbf").is_some_and(|nbf| nbf - LEEWAY_SECS > now) {
        return Err(IdTokenError::IssuedInFuture);
    }
    Ok(())
}

/// The SPID levels, also used by CIE.
fn acr_level(acr: &str) -> Option<u8> {
    match acr {
        "https://www.spid.gov.it/SpidL1" => Some(1),
        "https://www.spid.gov.it/SpidL2" => Some(2),
        "https://www.spid.gov.it/SpidL3" => Some(3),
        _ => None,
    }
}

/// The reached level must be at least the lowest requested one (the provider may go higher).
/// A value outside the SPID levels is accepted only if it was requested verbatim.
pub(crate) fn check_acr(acr: &str, requested: &[String]) -> Result<(), IdTokenError> {
    let lowest = requested
        .iter()
        .filter_map(|r| acr_level(r).map(|l| (l, r)))
        .min();
    let ok = match (acr_level(acr), lowest) {
        (Some(got), Some((required, _))) => got >= required,
        _ => requested.iter().any(|r| r == acr),
    };
    if ok {
        return Ok(());
    }
    Err(IdTokenError::AcrTooLow {
        got: acr.to_owned(),
        required: lowest.map_or_else(|| requested.join(" "), |(_, r)| r.clone()),
    })
}
