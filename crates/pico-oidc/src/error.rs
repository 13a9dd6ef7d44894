use thiserror::Error;

/// Everything that can go wrong in a SPID/CIE login. The Display texts are English, for logs;
/// the web layer maps variants to Italian messages.
#[derive(Debug, Error)]
pub enum OidcError {
    /// The RP's own keys could not be read, created or used.
    #[error("RP keys: {0}")]
    Keys(String),

    /// The provider's metadata or keys could not be fetched or do not fit the configuration.
    #[error("provider discovery failed: {0}")]
    Discovery(String),

    /// A provider endpoint could not be reached or answered something unreadable.
    #[error("HTTP request to {url} failed: {message}")]
    Http { url: String, message: String },

    /// The callback's `state` is missing or is not the one of this login (a forged or stale callback).
    #[error("the callback state does not match the pending login")]
    StateMismatch,

    /// The callback's `iss` is missing (where required) or names another provider (RFC 9207 mix-up defence).
    #[error("the callback issuer {got:?} is not the provider's issuer {expected}")]
    IssuerMismatch {
        expected: String,
        got: Option<String>,
    },

    /// The callback carries neither an authorization code nor an error.
    #[error("the callback has no authorization code")]
    MissingCode,

    /// The provider sent the user back with an error (`access_denied` when the user cancels, …).
    #[error("the provider answered {code}{}", description.as_deref().map(|d| format!(": {d}")).unwrap_or_default())]
    Provider {
        code: String,
        description: Option<String>,
    },

    /// The token endpoint refused the code; `error` is the provider's OAuth error code
    /// (`invalid_grant` for an expired or already used code, `invalid_client`, …).
    #[error("token request refused ({status}): {error}{}", description.as_deref().map(|d| format!(": {d}")).unwrap_or_default())]
    Token {
        status: u16,
        error: String,
        description: Option<String>,
    },

    /// The ID Token failed validation.
    #[error("invalid ID token: {0}")]
    IdToken(#[from] IdTokenError),

    /// The UserInfo response failed validation or lacks required claims.
    #[error("invalid UserInfo response: {0}")]
    UserInfo(String),
}

/// Why an ID Token (or a signed/encrypted UserInfo, which shares the checks) was rejected.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum IdTokenError {
    #[error("not a well-formed JWT: {0}")]
    Malformed(String),
    #[error("algorithm {0:?} is not allowed")]
    Algorithm(String),
    #[error("could not decrypt: {0}")]
    Decrypt(String),
    #[error("no provider key matches kid {0:?}")]
    UnknownKey(Option<String>),
    #[error("bad signature")]
    BadSignature,
    #[error("issuer {0:?} is not the provider's")]
    Issuer(Option<String>),
    #[error("audience does not contain this client")]
    Audience,
    #[error("expired")]
    Expired,
    #[error("issued in the future")]
    IssuedInFuture,
    #[error("nonce does not match the pending login")]
    Nonce,
    #[error("missing claim {0}")]
    MissingClaim(&'static str),
    #[error("authentication level {got} is lower than requested ({required})")]
    AcrTooLow { got: String, required: String },
    #[error("at_hash does not match the access token")]
    AtHash,
}
