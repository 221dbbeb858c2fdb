//! [`QqAuth`]: how requests to the QQ OpenAPI and the gateway Identify authenticate.

use std::fmt;

use crate::Secret;

/// How requests to the QQ OpenAPI (and the gateway Identify) authenticate.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum QqAuth {
    /// `QQBot <access_token>` (current scheme; token from `getAppAccessToken`).
    AccessToken(Secret),
    /// `Bot <app_id>.<bot_token>` (legacy fixed bot token).
    BotToken {
        /// The app id.
        app_id: String,
        /// The bot token.
        token: Secret,
    },
}

impl QqAuth {
    /// The `Authorization` header value (also the Identify `token`).
    pub fn header_value(&self) -> Secret {
        match self {
            Self::AccessToken(token) => Secret::new(format!("QQBot {}", token.expose())),
            Self::BotToken { app_id, token } => {
                Secret::new(format!("Bot {app_id}.{}", token.expose()))
            }
        }
    }
}

impl fmt::Debug for QqAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::AccessToken(t) => f.debug_tuple("AccessToken").field(t).finish(),
            Self::BotToken { app_id, token } => f
                .debug_struct("BotToken")
                .field("app_id", app_id)
                .field("token", token)
                .finish(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_header_values() {
        let a = QqAuth::AccessToken(Secret::new("abc"));
        assert_eq!(a.header_value().expose(), "QQBot abc");
        let b = QqAuth::BotToken {
            app_id: "102".into(),
            token: Secret::new("xyz"),
        };
        assert_eq!(b.header_value().expose(), "Bot 102.xyz");
        assert!(!format!("{b:?}").contains("xyz"));
    }
}
