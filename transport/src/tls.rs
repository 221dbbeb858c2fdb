//! rustls set-up: the workspace builds rustls with the `ring` provider only, and reqwest asks
//! for the process-wide default provider (the WebSocket client passes `ring` itself).

use std::sync::Once;

/// Installs `ring` as the process-wide rustls crypto provider unless one is installed already.
/// Idempotent and cheap after the first call.
pub fn install_default_crypto_provider() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        if rustls::crypto::CryptoProvider::get_default().is_none() {
            // Err means another thread installed one in between: that one is used.
            let _ = rustls::crypto::ring::default_provider().install_default();
        }
    });
}
