//! The UserInfo request and the user's attributes.
//!
//! SPID/CIE providers answer `application/jose`: a JWE to our `enc` key wrapping a JWS signed by
//! the provider. We also take `application/jwt` (signed only) and, by choice, plain
//! `application/json`: UserInfo is only called after the ID Token has been validated, over the
//! TLS connection to the endpoint named in the provider's metadata, with the access token issued
//! alongside that ID Token, and its `sub` must equal the ID Token's. What a signature would add
//! on top (non-repudiation of the attributes) is not something the platform relies on.

use serde_json::Value;

use crate::jose::{self, Claims};
use crate::tokens::{self, IdToken};
use crate::{Identity, OidcError, Provider, RelyingParty};

/// Where the codice fiscale may be, newest namespace first.
const FISCAL_NUMBER_CLAIMS: [&str; 3] = [
    "https://attributes.eid.gov.it/fiscal_number",
    "https://attributes.spid.gov.it/fiscal_number",
    "fiscal_number",
];

pub(crate) async fn fetch(
    rp: &RelyingParty,
    provider: &Provider,
    access_token: &str,
    subject: &str,
) -> Result<Claims, OidcError> {
    let http_err = |e: reqwest::Error| OidcError::Http {
        url: provider.userinfo_endpoint().to_owned(),
        message: e.to_string(),
    };
    let response = rp
        .http
        .get(provider.userinfo_endpoint())
        .bearer_auth(access_token)
        .header(
            reqwest::header::ACCEPT,
            "application/jose, application/jwt, application/json",
        )
        .send()
        .await
        .map_err(http_err)?;
    let status = response.status();
    if !status.is_success() {
        return Err(OidcError::UserInfo(format!(
            "the endpoint answered {status}"
        )));
    }
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        })
        .unwrap_or_default();
    let body = response.text().await.map_err(http_err)?;
    let claims = decode(rp, provider, &content_type, &body)?;
    check_claims(&claims, provider, rp.client_id(), subject)?;
    Ok(claims)
}

pub(crate) fn decode(
    rp: &RelyingParty,
    provider: &Provider,
    content_type: &str,
    body: &str,
) -> Result<Claims, OidcError> {
    match content_type {
        "application/jose" | "application/jwt" => {
            jose::open(body.trim(), &rp.keys, provider.jwks())
                .map(|(claims, _)| claims)
                .map_err(|e| OidcError::UserInfo(e.to_string()))
        }
        "application/json" => match serde_json::from_str(body) {
            Ok(Value::Object(claims)) => Ok(claims),
            _ => Err(OidcError::UserInfo("the JSON body is not an object".into())),
        },
        other => Err(OidcError::UserInfo(format!(
            "unexpected content type {other:?}"
        ))),
    }
}

/// `sub` must be the ID Token's; `iss` and `aud`, which signed responses carry, must be ours.
pub(crate) fn check_claims(
    claims: &Claims,
    provider: &Provider,
    client_id: &str,
    subject: &str,
) -> Result<(), OidcError> {
    if claims.get("sub").and_then(Value::as_str) != Some(subject) {
        return Err(OidcError::UserInfo(
            "sub differs from the ID token's".into(),
        ));
    }
    if let Some(iss) = claims.get("iss")
        && iss.as_str() != Some(provider.issuer())
    {
        return Err(OidcError::UserInfo(format!(
            "issuer {iss} is not the provider's"
        )));
    }
    if claims.contains_key("aud") {
        tokens::check_audience(claims, client_id)
            .map_err(|e| OidcError::UserInfo(e.to_string()))?;
    }
    Ok(())
}

pub(crate) fn identity(
    provider: &Provider,
    id_token: IdToken,
    claims: &Claims,
) -> Result<Identity, OidcError> {
    let text = |name: &str| {
        claims
            .get(name)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let required = |name: &str| {
        text(name)
            .ok_or_else(|| OidcError::UserInfo(format!("the provider did not release {name}")))
    };
    Ok(Identity {
        subject: id_token.subject,
        issuer: provider.issuer().to_owned(),
        acr: id_token.acr,
        fiscal_code: fiscal_code(claims),
        given_name: required("given_name")?,
        family_name: required("family_name")?,
        email: text("email"),
    })
}

/// The codice fiscale from any of the namespaces, without `TINIT-`, upper-case, not validated.
pub(crate) fn fiscal_code(claims: &Claims) -> Option<String> {
    let raw = FISCAL_NUMBER_CLAIMS
        .iter()
        .find_map(|name| claims.get(*name).and_then(Value::as_str))?
        .trim()
        .to_ascii_uppercase();
    let code = raw.strip_prefix("TINIT-").unwrap_or(&raw).trim();
    (!code.is_empty()).then(|| code.to_owned())
}
