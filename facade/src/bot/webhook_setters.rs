//! The server setters both webhook builders offer, written once.

/// Adds `bind`, `path`, `tls_pem_files`, `server_config` to a builder with a `server:
/// ServerSetup` field.
macro_rules! server_setters {
    ($builder:ty) => {
        impl $builder {
            /// Listen on `addr` (default `127.0.0.1:8080`; `0.0.0.0:PORT` for every interface).
            pub fn bind(mut self, addr: impl Into<String>) -> Self {
                self.server.addr = addr.into();
                self
            }

            /// Serve only this path (e.g. `/qq`); other paths get 404. Default: any path.
            pub fn path(mut self, path: impl Into<String>) -> Self {
                self.server.config.path = Some(path.into());
                self
            }

            /// Serve HTTPS directly with this PEM certificate chain and key. Without it the
            /// server speaks plain HTTP, for behind a reverse proxy that terminates TLS.
            pub fn tls_pem_files(
                mut self,
                cert_chain: impl Into<std::path::PathBuf>,
                key: impl Into<std::path::PathBuf>,
            ) -> Self {
                self.server.tls_files = Some((cert_chain.into(), key.into()));
                self
            }

            /// Body limit, request timeout, shutdown grace, a rustls config of your own
            /// ([`ServerConfig`](botgate_transport::webhook::ServerConfig)); replaces what
            /// [`path`](Self::path) set, so call it first.
            pub fn server_config(
                mut self,
                config: botgate_transport::webhook::ServerConfig,
            ) -> Self {
                self.server.config = config;
                self
            }
        }
    };
}

pub(crate) use server_setters;
