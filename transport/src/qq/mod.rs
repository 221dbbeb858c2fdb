//! Everything QQ over HTTP: [`QqAuth`] and the access token ([`AccessToken`], fetched by
//! `HttpClient::qq_access_token`), [`TokenSource`] (the credential shared with the gateway's
//! Identify), gateway discovery ([`Gateway`], [`GatewayBot`]) and [`OpenApi`] (sends to guild
//! channels, guild DMs, groups and C2C users; rich-media uploads; recalls; `/users/@me`;
//! `/gateway/bot`).
//!
//! ```no_run
//! # async fn demo() -> Result<(), botgate_transport::Error> {
//! use botgate_proto::qq::api::MessageToCreate;
//! use botgate_transport::http::HttpClient;
//! use botgate_transport::qq::{AppCredentials, OpenApi, OpenApiConfig, Target, TokenSource};
//!
//! let http = HttpClient::new()?;
//! let tokens = TokenSource::app(http.clone(), AppCredentials::new("102000001", "secret"));
//! let api = OpenApi::new(http, tokens.clone(), OpenApiConfig::sandbox());
//! let identify_token = tokens.token().await?; // `QQBot <access_token>`, for the gateway
//! # let _ = identify_token;
//! let sent = api
//!     .send(&Target::Group("GROUP_OPENID".into()), MessageToCreate::text("pong").reply_to("MSG_ID"))
//!     .await?;
//! api.recall(&Target::Group("GROUP_OPENID".into()), &sent.id).await?;
//! # Ok(()) }
//! ```

mod access_token;
mod auth;
mod gateway;
mod openapi;
mod seq;
mod token;

pub use access_token::AccessToken;
pub use auth::QqAuth;
pub use gateway::{Gateway, GatewayBot, SessionStartLimit};
pub use openapi::{OpenApi, OpenApiConfig, API_BASE, SANDBOX_API_BASE, TRACE_ID_HEADER};
pub use token::{AppCredentials, TokenSource, AUTH_BASE};

/// Where a QQ message goes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Target {
    /// A guild text channel (`channel_id`): `/channels/{channel_id}/messages`.
    Channel(String),
    /// A guild DM session (its `guild_id`, from a DM event or [`OpenApi::create_dm`]):
    /// `/dms/{guild_id}/messages`.
    Dm(String),
    /// A group (`group_openid`): `/v2/groups/{group_openid}/messages`.
    Group(String),
    /// A user in C2C (`openid`): `/v2/users/{openid}/messages`.
    C2c(String),
}

impl Target {
    /// The path messages to this target are posted to.
    pub fn messages_path(&self) -> String {
        match self {
            Self::Channel(id) => format!("/channels/{}/messages", segment(id)),
            Self::Dm(guild) => format!("/dms/{}/messages", segment(guild)),
            Self::Group(id) => format!("/v2/groups/{}/messages", segment(id)),
            Self::C2c(id) => format!("/v2/users/{}/messages", segment(id)),
        }
    }

    /// The path of message `message_id` (recall).
    pub fn message_path(&self, message_id: &str) -> String {
        format!("{}/{}", self.messages_path(), segment(message_id))
    }

    /// The rich-media upload path (groups and C2C only).
    pub fn files_path(&self) -> Option<String> {
        match self {
            Self::Group(id) => Some(format!("/v2/groups/{}/files", segment(id))),
            Self::C2c(id) => Some(format!("/v2/users/{}/files", segment(id))),
            Self::Channel(_) | Self::Dm(_) => None,
        }
    }
}

/// Percent-encodes everything but unreserved characters, so an id cannot change the path.
pub(crate) fn segment(id: &str) -> String {
    if id.bytes().all(|b| b == b'.') {
        // "." and ".." would be resolved away by URL normalisation.
        return id.replace('.', "%2E");
    }
    let mut out = String::with_capacity(id.len());
    for b in id.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_per_target() {
        assert_eq!(
            Target::Channel("100".into()).messages_path(),
            "/channels/100/messages"
        );
        assert_eq!(
            Target::Dm("g1".into()).message_path("m/1"),
            "/dms/g1/messages/m%2F1"
        );
        assert_eq!(
            Target::Group("AB".into()).files_path().as_deref(),
            Some("/v2/groups/AB/files")
        );
        assert_eq!(
            Target::C2c("u".into()).messages_path(),
            "/v2/users/u/messages"
        );
        assert_eq!(Target::Channel("c".into()).files_path(), None);
        assert_eq!(segment("../x y"), "..%2Fx%20y");
        assert_eq!(segment(".."), "%2E%2E");
        assert_eq!(segment("ROBOT1.0_x"), "ROBOT1.0_x");
    }
}
