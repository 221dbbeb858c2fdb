//! [`ApiError`]: a platform REST API's refusal, with the platform's own code and trace id.

use std::fmt;
use std::time::Duration;

/// What a platform REST API answered when it refused a request (QQ OpenAPI or Bubble REST).
///
/// QQ sends a numeric [`code`](Self::code) (`err_code`, else `code`) and a trace id in the
/// `X-Tps-trace-ID` header (or the body's `trace_id`); Bubble sends a textual
/// [`code_name`](Self::code_name) (`RATE_LIMIT_EXCEEDED`, ...) and, on 429, `retryAfter`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApiError {
    /// HTTP method.
    pub method: String,
    /// Request path (ids included; never a query string or a token).
    pub endpoint: String,
    /// HTTP status (200 when the platform put an error code in a success answer).
    pub status: u16,
    /// The platform's numeric error code (QQ).
    pub code: Option<i64>,
    /// The platform's textual error code (Bubble).
    pub code_name: Option<String>,
    /// The platform's message (or the start of the body when it was not JSON).
    pub message: String,
    /// The platform's trace id, to quote when reporting a problem (QQ `X-Tps-trace-ID`).
    pub trace_id: Option<String>,
    /// How long the platform asked us to wait (429 `Retry-After` / `retryAfter`).
    pub retry_after: Option<Duration>,
    /// How many attempts were made before giving up (1 = not retried).
    pub attempts: u32,
}

impl ApiError {
    /// A refusal with `status` from `method endpoint`; the other fields empty.
    pub fn new(method: impl Into<String>, endpoint: impl Into<String>, status: u16) -> Self {
        Self {
            method: method.into(),
            endpoint: endpoint.into(),
            status,
            code: None,
            code_name: None,
            message: String::new(),
            trace_id: None,
            retry_after: None,
            attempts: 1,
        }
    }

    /// True for HTTP 429.
    pub fn is_rate_limited(&self) -> bool {
        self.status == 429
    }

    /// True for HTTP 5xx.
    pub fn is_server_error(&self) -> bool {
        (500..600).contains(&self.status)
    }

    /// True when the request may succeed if sent again later (429 or 5xx); 4xx never does.
    pub fn is_retryable(&self) -> bool {
        self.is_rate_limited() || self.is_server_error()
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "HTTP {} from {} {}",
            self.status, self.method, self.endpoint
        )?;
        match (&self.code, &self.code_name) {
            (Some(code), _) => write!(f, " (code {code})")?,
            (None, Some(name)) => write!(f, " ({name})")?,
            (None, None) => {}
        }
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        if let Some(trace) = &self.trace_id {
            write!(f, " [trace {trace}]")?;
        }
        if self.attempts > 1 {
            write!(f, " after {} attempts", self.attempts)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_has_code_message_and_trace() {
        let mut e = ApiError::new("POST", "/v2/groups/g/messages", 400);
        e.code = Some(40_054_005);
        e.message = "duplicate".into();
        e.trace_id = Some("t-1".into());
        assert_eq!(
            e.to_string(),
            "HTTP 400 from POST /v2/groups/g/messages (code 40054005): duplicate [trace t-1]"
        );
        assert!(!e.is_retryable());
        let mut r = ApiError::new("GET", "/me", 429);
        r.code_name = Some("RATE_LIMIT_EXCEEDED".into());
        r.attempts = 4;
        assert_eq!(
            r.to_string(),
            "HTTP 429 from GET /me (RATE_LIMIT_EXCEEDED) after 4 attempts"
        );
        assert!(r.is_retryable() && ApiError::new("GET", "/", 503).is_retryable());
    }
}
