//! A secret string (access token, bot token, header value) that never shows in `Debug` or logs.

use std::fmt;

/// A secret: `Debug` and `Display` print `<redacted>`; [`Token::expose`] gives the value to the
/// one place that needs it (the transport, the frame being encoded).
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Token(String);

impl Token {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret value. Never log it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the secret is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl From<String> for Token {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for Token {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_never_show_the_secret() {
        let t = Token::new("Bearer s3cr3t");
        assert_eq!(format!("{t:?}"), "<redacted>");
        assert_eq!(format!("{t}"), "<redacted>");
        assert_eq!(t.expose(), "Bearer s3cr3t");
    }
}
