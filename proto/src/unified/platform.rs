//! Which platform an event came from.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The platform an event came from (`platform` in the JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Platform {
    /// The QQ Bot gateway.
    Qq,
    /// The Bubble open gateway.
    Bubble,
    /// OneBot v11.
    #[serde(rename = "onebot")]
    OneBot,
}

impl Platform {
    /// Every platform, in a stable order.
    pub const ALL: &'static [Platform] = &[Platform::Qq, Platform::Bubble, Platform::OneBot];

    /// The name used in the JSON and on the command line: `qq`, `bubble`, `onebot`.
    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Qq => "qq",
            Platform::Bubble => "bubble",
            Platform::OneBot => "onebot",
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A platform name that is not `qq`, `bubble` or `onebot`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownPlatform(pub String);

impl fmt::Display for UnknownPlatform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown platform `{}` (expected qq, bubble or onebot)",
            self.0
        )
    }
}

impl std::error::Error for UnknownPlatform {}

impl FromStr for Platform {
    type Err = UnknownPlatform;

    /// Case-insensitive; `onebot11` / `onebot-v11` are accepted for OneBot.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "qq" => Ok(Platform::Qq),
            "bubble" => Ok(Platform::Bubble),
            "onebot" | "onebot11" | "onebot-v11" | "onebot_v11" => Ok(Platform::OneBot),
            _ => Err(UnknownPlatform(s.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_str_and_json() {
        for p in Platform::ALL {
            assert_eq!(p.as_str().parse::<Platform>().unwrap(), *p);
            let json = serde_json::to_string(p).unwrap();
            assert_eq!(json, format!("\"{}\"", p.as_str()));
            assert_eq!(serde_json::from_str::<Platform>(&json).unwrap(), *p);
        }
        assert_eq!("OneBot11".parse::<Platform>().unwrap(), Platform::OneBot);
        assert_eq!(
            "discord".parse::<Platform>().unwrap_err(),
            UnknownPlatform("discord".into())
        );
    }
}
