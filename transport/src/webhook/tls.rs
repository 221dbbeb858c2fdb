//! Direct TLS for the webhook server: a rustls server config from PEM (certificate chain and
//! private key), with the `ring` provider the workspace builds.

use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use crate::{Error, ErrorKind};

fn invalid(reason: String) -> Error {
    Error::new(ErrorKind::InvalidConfig { reason })
}

/// A TLS server config (HTTP/1.1) from a PEM certificate chain (leaf first) and a PEM private
/// key (PKCS#8, PKCS#1 or SEC1).
///
/// # Errors
/// [`ErrorKind::InvalidConfig`] when either does not parse or the key does not fit.
pub fn tls_config_from_pem(
    cert_chain_pem: &[u8],
    key_pem: &[u8],
) -> Result<Arc<rustls::ServerConfig>, Error> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(cert_chain_pem)
        .collect::<Result<_, _>>()
        .map_err(|e| invalid(format!("TLS certificate chain: {e}")))?;
    if certs.is_empty() {
        return Err(invalid(
            "TLS certificate chain: no certificate in the PEM".into(),
        ));
    }
    let key = PrivateKeyDer::from_pem_slice(key_pem)
        .map_err(|e| invalid(format!("TLS private key: {e}")))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| invalid(format!("TLS versions: {e}")))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| invalid(format!("TLS certificate and key: {e}")))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// [`tls_config_from_pem`] with the PEM read from two files.
///
/// # Errors
/// [`ErrorKind::InvalidConfig`] when a file cannot be read or does not parse.
pub fn tls_config_from_files(
    cert_chain: &Path,
    key: &Path,
) -> Result<Arc<rustls::ServerConfig>, Error> {
    let read = |path: &Path| {
        std::fs::read(path).map_err(|e| {
            Error::with_source(
                ErrorKind::InvalidConfig {
                    reason: format!("cannot read {}", path.display()),
                },
                e,
            )
        })
    };
    tls_config_from_pem(&read(cert_chain)?, &read(key)?)
}
