//! The RP's own RSA keys: one to sign (request objects, client assertions), one to receive
//! encrypted UserInfo / ID Tokens, and a separate federation key for the Entity Configuration
//! (the SPID/CIE rules require federation keys to differ from the OIDC Core keys).

use std::fmt;
use std::fs;
use std::io::{ErrorKind, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use josekit::jwe::{JweDecrypter, RSA_OAEP, RSA_OAEP_256};
use josekit::jwk::alg::rsa::RsaKeyPair;
use josekit::jwk::{Jwk, KeyPair};
use josekit::jws::{JwsHeader, RS256};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::OidcError;

const KEY_BITS: u32 = 2048;

/// The RP's three key pairs. `Debug` shows key ids only; private keys never leave this type
/// except as the PEM files it writes itself.
pub struct RpKeys {
    sig: RpKey,
    enc: RpKey,
    fed: RpKey,
}

struct RpKey {
    private_pem: Vec<u8>,
    public_jwk: Value,
    kid: String,
}

impl RpKeys {
    /// Loads the keys from `dir` (`core-sig.pem`, `core-enc.pem`, `federation-sig.pem`), creating
    /// whichever is missing. New files are mode 0600 and the directory, if created, 0700.
    pub fn load_or_create(dir: &Path) -> Result<RpKeys, OidcError> {
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|e| OidcError::Keys(format!("cannot create {}: {e}", dir.display())))?;
        Ok(RpKeys {
            sig: RpKey::load_or_create(dir, "core-sig.pem", "sig", "RS256")?,
            enc: RpKey::load_or_create(dir, "core-enc.pem", "enc", "RSA-OAEP")?,
            fed: RpKey::load_or_create(dir, "federation-sig.pem", "sig", "RS256")?,
        })
    }

    /// Fresh keys that live in memory only.
    #[cfg(test)]
    pub(crate) fn generate() -> RpKeys {
        let key = |key_use, alg| {
            let pem = RsaKeyPair::generate(KEY_BITS).unwrap().to_pem_private_key();
            RpKey::from_pem(pem, key_use, alg).unwrap()
        };
        RpKeys {
            sig: key("sig", "RS256"),
            enc: key("enc", "RSA-OAEP"),
            fed: key("sig", "RS256"),
        }
    }

    /// The OIDC Core public keys (`sig` and `enc`) as a JWK Set, for the RP metadata (and for
    /// registering the RP at a test OP).
    pub fn core_jwks(&self) -> Value {
        json!({ "keys": [self.sig.public_jwk, self.enc.public_jwk] })
    }

    /// The federation public key as a JWK Set, for the Entity Configuration's top-level `jwks`.
    pub fn federation_jwks(&self) -> Value {
        json!({ "keys": [self.fed.public_jwk] })
    }

    /// Signs request objects and client assertions.
    pub(crate) fn sign_core(&self, claims: &Value) -> Result<String, OidcError> {
        self.sig.sign(None, claims)
    }

    /// Signs the Entity Configuration.
    pub(crate) fn sign_entity_statement(&self, claims: &Value) -> Result<String, OidcError> {
        self.fed.sign(Some("entity-statement+jwt"), claims)
    }

    /// Decrypts a compact JWE addressed to the `enc` key (RSA-OAEP or RSA-OAEP-256 with
    /// A128CBC-HS256 or A256CBC-HS512; RSA1_5 and anything else are refused).
    pub(crate) fn decrypt(&self, jwe: &str) -> Result<Vec<u8>, String> {
        let header = crate::jose::decode_header(jwe)?;
        let alg = header
            .get("alg")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let enc = header
            .get("enc")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if !matches!(enc, "A128CBC-HS256" | "A256CBC-HS512") {
            return Err(format!("content encryption {enc:?} is not allowed"));
        }
        let decrypter: Box<dyn JweDecrypter> = match alg {
            "RSA-OAEP" => Box::new(
                RSA_OAEP
                    .decrypter_from_pem(&self.enc.private_pem)
                    .map_err(|e| e.to_string())?,
            ),
            "RSA-OAEP-256" => Box::new(
                RSA_OAEP_256
                    .decrypter_from_pem(&self.enc.private_pem)
                    .map_err(|e| e.to_string())?,
            ),
            other => return Err(format!("key management algorithm {other:?} is not allowed")),
        };
        let (plaintext, _header) =
            josekit::jwe::deserialize_compact(jwe, &*decrypter).map_err(|e| e.to_string())?;
        Ok(plaintext)
    }
}

impl fmt::Debug for RpKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RpKeys")
            .field("sig", &self.sig.kid)
            .field("enc", &self.enc.kid)
            .field("fed", &self.fed.kid)
            .finish()
    }
}

impl RpKey {
    fn load_or_create(
        dir: &Path,
        file: &str,
        key_use: &str,
        alg: &str,
    ) -> Result<RpKey, OidcError> {
        let path = dir.join(file);
        let pem = match fs::read(&path) {
            Ok(pem) => pem,
            Err(e) if e.kind() == ErrorKind::NotFound => create_pem(dir, file)?,
            Err(e) => {
                return Err(OidcError::Keys(format!(
                    "cannot read {}: {e}",
                    path.display()
                )));
            }
        };
        RpKey::from_pem(pem, key_use, alg)
            .map_err(|e| OidcError::Keys(format!("{}: {e}", path.display())))
    }

    fn from_pem(private_pem: Vec<u8>, key_use: &str, alg: &str) -> Result<RpKey, String> {
        let pair = RsaKeyPair::from_pem(&private_pem).map_err(|e| e.to_string())?;
        if pair.key_len() * 8 < KEY_BITS {
            return Err(format!(
                "RSA key has {} bits, at least {KEY_BITS} are required",
                pair.key_len() * 8
            ));
        }
        let mut jwk = pair.to_jwk_public_key();
        let kid = thumbprint(&jwk)?;
        jwk.set_key_id(kid.clone());
        jwk.set_key_use(key_use);
        jwk.set_algorithm(alg);
        let public_jwk = Value::Object(jwk.as_ref().clone());
        Ok(RpKey {
            private_pem,
            public_jwk,
            kid,
        })
    }

    fn sign(&self, typ: Option<&str>, claims: &Value) -> Result<String, OidcError> {
        let signer = RS256
            .signer_from_pem(&self.private_pem)
            .map_err(|e| OidcError::Keys(e.to_string()))?;
        let mut header = JwsHeader::new();
        header.set_key_id(self.kid.clone());
        if let Some(typ) = typ {
            header.set_token_type(typ);
        }
        let payload = serde_json::to_vec(claims).map_err(|e| OidcError::Keys(e.to_string()))?;
        josekit::jws::serialize_compact(&payload, &header, &signer)
            .map_err(|e| OidcError::Keys(e.to_string()))
    }
}

/// Generates a key and stores it without ever exposing a half-written or world-readable file:
/// it is written 0600 under a temporary name, then hard-linked into place, which fails if another
/// process created the key meanwhile (then that key wins).
fn create_pem(dir: &Path, file: &str) -> Result<Vec<u8>, OidcError> {
    let keys_err = |e: &dyn fmt::Display| OidcError::Keys(format!("cannot create {file}: {e}"));
    let pem = RsaKeyPair::generate(KEY_BITS)
        .map_err(|e| keys_err(&e))?
        .to_pem_private_key();
    let tmp = dir.join(format!(".{file}.{}", uuid::Uuid::new_v4()));
    let mut out = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&tmp)
        .map_err(|e| keys_err(&e))?;
    let written = out.write_all(&pem).and_then(|()| out.sync_all());
    let linked = written.and_then(|()| fs::hard_link(&tmp, dir.join(file)));
    let _ = fs::remove_file(&tmp);
    match linked {
        Ok(()) => Ok(pem),
        Err(e) if e.kind() == ErrorKind::AlreadyExists => {
            fs::read(dir.join(file)).map_err(|e| keys_err(&e))
        }
        Err(e) => Err(keys_err(&e)),
    }
}

/// RFC 7638 JWK thumbprint (SHA-256) of an RSA public key: the hash of `{"e","kty","n"}` in
/// lexicographic order without whitespace.
pub(crate) fn thumbprint(jwk: &Jwk) -> Result<String, String> {
    let member = |name: &str| {
        jwk.parameter(name)
            .and_then(Value::as_str)
            .ok_or_else(|| format!("JWK has no {name}"))
    };
    let canonical = format!(
        r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#,
        member("e")?,
        member("n")?
    );
    Ok(URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes())))
}
