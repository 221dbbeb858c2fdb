//! [`QqKey`]: the Ed25519 key QQ derives from a bot secret, for its webhook signatures
//! (ed25519-dalek does the cryptography).

use std::fmt;

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};

use crate::{Error, ErrorKind};

/// The bot's webhook key: its 32-byte seed is the bot secret repeated until it is at least 32
/// bytes long, then cut to 32 (as QQ's documentation and botgo derive it).
///
/// QQ signs every event delivery with it, and the bot proves it holds it by signing the
/// callback-URL validation (op 13). `Debug` shows only the public half.
#[derive(Clone)]
pub struct QqKey {
    signing: SigningKey,
}

impl QqKey {
    /// The key of the bot secret `secret`.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidConfig`] for an empty secret (it has no repetition).
    pub fn from_secret(secret: &str) -> Result<Self, Error> {
        let bytes = secret.as_bytes();
        if bytes.is_empty() {
            return Err(Error::new(ErrorKind::InvalidConfig {
                reason: "the QQ bot secret is empty".into(),
            }));
        }
        let mut seed = [0u8; 32];
        for (slot, byte) in seed.iter_mut().zip(bytes.iter().cycle()) {
            *slot = *byte;
        }
        let signing = SigningKey::from_bytes(&seed);
        seed.fill(0);
        Ok(Self { signing })
    }

    /// The verifying (public) half, as raw bytes.
    pub fn public_key(&self) -> [u8; 32] {
        self.signing.verifying_key().to_bytes()
    }

    /// The answer's `signature` to a validation (op 13): hex Ed25519 over
    /// `event_ts + plain_token`.
    pub fn sign_validation(&self, event_ts: &str, plain_token: &str) -> String {
        let mut message = Vec::with_capacity(event_ts.len() + plain_token.len());
        message.extend_from_slice(event_ts.as_bytes());
        message.extend_from_slice(plain_token.as_bytes());
        hex::encode(self.signing.sign(&message).to_bytes())
    }

    /// Whether `signature_hex` (the `X-Signature-Ed25519` header) is this key's Ed25519
    /// signature over `timestamp + body` (the `X-Signature-Timestamp` header and the raw body).
    /// Strict verification: non-canonical and small-order encodings are refused.
    pub fn verify(&self, timestamp: &str, body: &[u8], signature_hex: &str) -> bool {
        let Ok(bytes) = hex::decode(signature_hex.trim()) else {
            return false;
        };
        let Ok(signature) = Signature::from_slice(&bytes) else {
            return false;
        };
        let mut message = Vec::with_capacity(timestamp.len() + body.len());
        message.extend_from_slice(timestamp.as_bytes());
        message.extend_from_slice(body);
        self.verifying().verify_strict(&message, &signature).is_ok()
    }

    fn verifying(&self) -> VerifyingKey {
        self.signing.verifying_key()
    }
}

impl fmt::Debug for QqKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QqKey")
            .field("public", &hex::encode(self.public_key()))
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_secret_is_refused() {
        assert!(QqKey::from_secret("").is_err());
    }

    #[test]
    fn debug_shows_no_seed() {
        let key = QqKey::from_secret("hunter2hunter2").unwrap();
        let debug = format!("{key:?}");
        assert!(!debug.contains("hunter2"), "{debug}");
        assert!(debug.contains(&hex::encode(key.public_key())), "{debug}");
    }

    #[test]
    fn garbage_signatures_do_not_verify() {
        let key = QqKey::from_secret("abc").unwrap();
        for sig in ["", "zz", "00", &"0".repeat(128), &"g".repeat(128)] {
            assert!(!key.verify("1", b"{}", sig), "{sig}");
        }
    }
}
