//! The authorization request: PKCE, `state`, `nonce` and the signed request object.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use rand::Rng;
use rand::distr::Alphanumeric;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::{Provider, RelyingParty};

/// The SPID/CIE rules ask for at least 32 alphanumeric characters for `state` and `nonce`.
const RANDOM_LEN: usize = 48;
/// RFC 7636 allows 43–128 characters for the code verifier.
const VERIFIER_LEN: usize = 64;
const REQUEST_OBJECT_TTL_SECS: i64 = 600;

/// What the RP must remember between [`RelyingParty::start`] and [`RelyingParty::finish`].
/// Keep it server-side (it holds the PKCE verifier), bound to the browser session.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingLogin {
    pub provider_key: String,
    pub state: String,
    pub nonce: String,
    pub code_verifier: String,
    pub acr_values: Vec<String>,
    pub created_at: DateTime<Utc>,
}

/// The `claims` request: SPID releases user attributes only through UserInfo.
pub(crate) fn requested_claims() -> serde_json::Value {
    json!({
        "userinfo": {
            "given_name": null,
            "family_name": null,
            "email": null,
            "https://attributes.eid.gov.it/fiscal_number": { "essential": true },
        }
    })
}

impl RelyingParty {
    /// Builds the URL to send the browser to, and the login state to keep until the callback.
    pub fn start(&self, provider: &Provider) -> (String, PendingLogin) {
        let config = provider.config();
        let now = Utc::now();
        let pending = PendingLogin {
            provider_key: config.key.clone(),
            state: random_alphanumeric(RANDOM_LEN),
            nonce: random_alphanumeric(RANDOM_LEN),
            code_verifier: random_alphanumeric(VERIFIER_LEN),
            acr_values: config.acr_values.clone(),
            created_at: now,
        };
        let scope = config.scope.join(" ");
        let code_challenge = pkce_challenge(&pending.code_verifier);

        let request_object = json!({
            "client_id": self.client_id,
            "iss": self.client_id,
            "aud": provider.issuer(),
            "iat": now.timestamp(),
            "exp": now.timestamp() + REQUEST_OBJECT_TTL_SECS,
            "jti": uuid::Uuid::new_v4().to_string(),
            "response_type": "code",
            "redirect_uri": self.redirect_uri,
            "scope": scope,
            "code_challenge": code_challenge,
            "code_challenge_method": "S256",
            "nonce": pending.nonce,
            "state": pending.state,
            "prompt": "consent login",
            "acr_values": pending.acr_values.join(" "),
            "claims": requested_claims(),
        });
        let request = self
            .keys
            .sign_core(&request_object)
            .expect("signing with a key validated at load cannot fail");

        let mut url = provider.authorization_endpoint.clone();
        url.query_pairs_mut()
            .append_pair("client_id", &self.client_id)
            .append_pair("response_type", "code")
            .append_pair("scope", &scope)
            .append_pair("code_challenge", &code_challenge)
            .append_pair("code_challenge_method", "S256")
            .append_pair("request", &request);
        (url.into(), pending)
    }
}

pub(crate) fn random_alphanumeric(len: usize) -> String {
    rand::rng()
        .sample_iter(&Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

pub(crate) fn pkce_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}
