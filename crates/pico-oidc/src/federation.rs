//! The RP's OpenID Federation Entity Configuration, served at `/.well-known/openid-federation`
//! (`Content-Type: application/entity-statement+jwt`). Trust chain resolution and trust marks
//! are not handled here.

use serde::Deserialize;
use serde_json::json;

use crate::RelyingParty;

const ENTITY_CONFIGURATION_TTL_SECS: i64 = 24 * 60 * 60;

/// The organisation running the RP, as published in `metadata.federation_entity`.
#[derive(Clone, Debug, Deserialize)]
pub struct Organization {
    pub name: String,
    pub homepage_uri: String,
    pub policy_uri: String,
    /// The rules ask for an SVG logo.
    pub logo_uri: String,
    /// The rules ask for a PEC address.
    pub contacts: Vec<String>,
    /// Trust Anchor or intermediary (e.g. a Soggetto Aggregatore) entity ids; empty before onboarding.
    #[serde(default)]
    pub authority_hints: Vec<String>,
}

impl RelyingParty {
    /// The self-signed Entity Configuration JWT (RS256, federation key, `typ: entity-statement+jwt`).
    pub fn entity_configuration(&self, org: &Organization) -> String {
        let now = chrono::Utc::now().timestamp();
        let base = self.client_id.trim_end_matches('/');
        let claims = json!({
            "iss": self.client_id,
            "sub": self.client_id,
            "iat": now,
            "exp": now + ENTITY_CONFIGURATION_TTL_SECS,
            "jwks": self.keys.federation_jwks(),
            "authority_hints": org.authority_hints,
            "metadata": {
                "openid_relying_party": {
                    "client_id": self.client_id,
                    "client_registration_types": ["automatic"],
                    "client_name": org.name,
                    "redirect_uris": [self.redirect_uri],
                    // Listed as the rules' metadata example does; this RP never asks for
                    // offline_access, so no refresh token is issued to it.
                    "grant_types": ["authorization_code", "refresh_token"],
                    "response_types": ["code"],
                    "jwks": self.keys.core_jwks(),
                    "id_token_signed_response_alg": "RS256",
                    "userinfo_signed_response_alg": "RS256",
                    "userinfo_encrypted_response_alg": "RSA-OAEP",
                    "userinfo_encrypted_response_enc": "A256CBC-HS512",
                    "token_endpoint_auth_method": "private_key_jwt",
                },
                "federation_entity": {
                    "organization_name": org.name,
                    "homepage_uri": org.homepage_uri,
                    "policy_uri": org.policy_uri,
                    "logo_uri": org.logo_uri,
                    "contacts": org.contacts,
                    "federation_resolve_endpoint": format!("{base}/resolve"),
                },
            },
        });
        self.keys
            .sign_entity_statement(&claims)
            .expect("signing with a key validated at load cannot fail")
    }
}
