//! The platforms' side of webhook signing, written apart from botgate's receivers (a bug in
//! one cannot hide behind the same bug in the other); ed25519-dalek and hmac + sha2 do the
//! cryptography.

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// QQ's key for a bot secret: the secret doubled until it reaches 32 bytes, then cut (botgo's
/// loop; the same bytes as repeating it).
pub(crate) fn qq_signing_key(secret: &str) -> Option<SigningKey> {
    if secret.is_empty() {
        return None;
    }
    let mut seed = secret.as_bytes().to_vec();
    while seed.len() < 32 {
        seed = seed.repeat(2);
    }
    let seed: [u8; 32] = seed.get(..32)?.try_into().ok()?;
    Some(SigningKey::from_bytes(&seed))
}

/// Hex Ed25519 signature over `timestamp + body` (the `X-Signature-Ed25519` value).
pub(crate) fn qq_sign(key: &SigningKey, timestamp: &str, body: &[u8]) -> String {
    let message = [timestamp.as_bytes(), body].concat();
    hex::encode(key.sign(&message).to_bytes())
}

/// Whether a validation answer's `signature` is the key's over `event_ts + plain_token`.
pub(crate) fn qq_check_validation(
    key: &SigningKey,
    event_ts: &str,
    plain_token: &str,
    signature_hex: &str,
) -> bool {
    let Ok(bytes) = hex::decode(signature_hex) else {
        return false;
    };
    let Ok(signature) = Signature::from_slice(&bytes) else {
        return false;
    };
    let message = [event_ts.as_bytes(), plain_token.as_bytes()].concat();
    key.verifying_key().verify(&message, &signature).is_ok()
}

/// `sha256=` + hex HMAC-SHA256(`secret`, `body`) (the `X-Bubble-Signature` value).
pub(crate) fn bubble_sign(secret: &str, body: &[u8]) -> Option<String> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).ok()?;
    mac.update(body);
    Some(format!(
        "sha256={}",
        hex::encode(mac.finalize().into_bytes())
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qq_key_matches_the_documented_validation() {
        // QQ's event-emit page: secret DG5g3B4j9X2KOErG, token Arq0D5A61EgUu4OxUvOp, ts 1725442341.
        let key = qq_signing_key("DG5g3B4j9X2KOErG").unwrap();
        let sig = qq_sign(&key, "1725442341", b"Arq0D5A61EgUu4OxUvOp");
        assert!(sig.starts_with("87befc99c42c651b"), "{sig}");
        assert!(qq_check_validation(
            &key,
            "1725442341",
            "Arq0D5A61EgUu4OxUvOp",
            &sig
        ));
        assert!(qq_signing_key("").is_none());
    }

    #[test]
    fn bubble_signature_is_prefixed_hex() {
        let sig = bubble_sign(
            "whsec-test",
            br#"{"type":"MESSAGE_CREATE","data":{"id":1001,"channelId":5,"content":"Hello!"}}"#,
        )
        .unwrap();
        assert_eq!(
            sig,
            "sha256=f2f658919bc267fcc6f286a548f8555bc79ca5ac89f5baa33d3b417f6659eb85"
        );
    }
}
