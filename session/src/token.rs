//! A secret string (access token, bot token, header value) that never shows in `Debug` or logs,
//! and URLs with their secrets taken out ([`redact_url`]).

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

/// What stands for a secret in a redacted URL.
const REDACTED: &str = "<redacted>";

/// `url` fit to show (`Debug`, logs, error messages): the value of every query parameter
/// (`?access_token=...` of a OneBot forward URL, and any other, which may be a secret too)
/// and the user info (`user:password@`) replaced by `<redacted>`; the scheme, host, port,
/// path, query keys and fragment kept. Works on text that is not a valid URL too.
///
/// ```
/// use botgate_session::token::redact_url;
/// assert_eq!(
///     redact_url("ws://127.0.0.1:3001/?access_token=s3cr3t&x=1"),
///     "ws://127.0.0.1:3001/?access_token=<redacted>&x=<redacted>"
/// );
/// assert_eq!(redact_url("wss://u:p@host/ws"), "wss://<redacted>@host/ws");
/// ```
pub fn redact_url(url: &str) -> String {
    let (before_fragment, fragment) = match url.find('#') {
        Some(at) => url.split_at(at),
        None => (url, ""),
    };
    let (base, query) = match before_fragment.find('?') {
        Some(at) => (&before_fragment[..at], Some(&before_fragment[at + 1..])),
        None => (before_fragment, None),
    };
    let mut out = String::with_capacity(url.len() + 16);
    // The authority runs from `://` to the first `/` (no `?` or `#` is left in `base`).
    match base.find("://") {
        Some(at) => {
            let (scheme, rest) = base.split_at(at + 3);
            let end = rest.find('/').unwrap_or(rest.len());
            let (authority, path) = rest.split_at(end);
            out.push_str(scheme);
            match authority.rfind('@') {
                Some(at) => {
                    out.push_str(REDACTED);
                    out.push_str(&authority[at..]);
                }
                None => out.push_str(authority),
            }
            out.push_str(path);
        }
        None => out.push_str(base),
    }
    if let Some(query) = query {
        out.push('?');
        for (i, pair) in query.split('&').enumerate() {
            if i > 0 {
                out.push('&');
            }
            match pair.split_once('=') {
                Some((key, _)) => {
                    out.push_str(key);
                    out.push('=');
                    out.push_str(REDACTED);
                }
                None if pair.is_empty() => {}
                None => out.push_str(REDACTED),
            }
        }
    }
    out.push_str(fragment);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_lose_their_query_values_and_user_info() {
        for (url, shown) in [
            ("ws://h:3001/", "ws://h:3001/"),
            (
                "ws://h/?access_token=abc",
                "ws://h/?access_token=<redacted>",
            ),
            (
                "ws://h/p?a=1&access_token=abc#frag",
                "ws://h/p?a=<redacted>&access_token=<redacted>#frag",
            ),
            ("ws://h/?abc", "ws://h/?<redacted>"),
            ("ws://h/?", "ws://h/?"),
            ("ws://u:pw@h:1/x?t=1", "ws://<redacted>@h:1/x?t=<redacted>"),
            ("ws://h/a@b", "ws://h/a@b"),
            (
                "not a url?access_token=x",
                "not a url?access_token=<redacted>",
            ),
            ("", ""),
        ] {
            assert_eq!(redact_url(url), shown, "{url}");
        }
    }

    #[test]
    fn debug_and_display_never_show_the_secret() {
        let t = Token::new("Bearer s3cr3t");
        assert_eq!(format!("{t:?}"), "<redacted>");
        assert_eq!(format!("{t}"), "<redacted>");
        assert_eq!(t.expose(), "Bearer s3cr3t");
    }
}
