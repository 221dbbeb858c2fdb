//! [`HttpFault`]: a scripted REST failure (a 500 once, a 429 with a retry delay, any 4xx), and
//! the queue a sim takes them from.

use std::sync::Mutex;
use std::time::Duration;

/// A failure the sim answers the next matching REST request(s) with, instead of handling them.
///
/// Each sim writes the answer in its platform's dialect: QQ `{"message","code","err_code",
/// "trace_id"}` with `X-Tps-trace-ID` and (429) `Retry-After` in seconds; Bubble
/// `{"error":{"code","message","retryAfter"}}` with `X-RateLimit-*` headers.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpFault {
    /// Only requests whose path starts with this (default: every REST path; the QQ token
    /// endpoint only when named here).
    pub path_prefix: Option<String>,
    /// Only this method (`"POST"`, ...; default: any).
    pub method: Option<String>,
    /// HTTP status to answer.
    pub status: u16,
    /// The delay to announce (`Retry-After` / `retryAfter`).
    pub retry_after: Option<Duration>,
    /// Numeric error code (QQ).
    pub code: Option<i64>,
    /// Textual error code (Bubble).
    pub code_name: Option<String>,
    /// Error message.
    pub message: String,
    /// How many matching requests get it (default 1).
    pub times: u32,
    /// The request is handled first (a message is sent, a token issued) and its answer is
    /// lost: the fault's answer replaces it, as a proxy's 502 after the backend did the work.
    pub after_handling: bool,
}

impl HttpFault {
    /// Answer the next request with `status` (once).
    pub fn status(status: u16) -> Self {
        Self {
            path_prefix: None,
            method: None,
            status,
            retry_after: None,
            code: None,
            code_name: None,
            message: format!("sim fault {status}"),
            times: 1,
            after_handling: false,
        }
    }

    /// A 500, once.
    pub fn server_error() -> Self {
        Self::status(500)
    }

    /// A 429 announcing `retry_after`, once.
    pub fn rate_limited(retry_after: Duration) -> Self {
        Self {
            retry_after: Some(retry_after),
            code_name: Some("RATE_LIMIT_EXCEEDED".into()),
            code: Some(22009),
            ..Self::status(429)
        }
    }

    /// Only for paths starting with `prefix`.
    #[must_use]
    pub fn on(mut self, prefix: impl Into<String>) -> Self {
        self.path_prefix = Some(prefix.into());
        self
    }

    /// Only for `method`.
    #[must_use]
    pub fn method(mut self, method: impl Into<String>) -> Self {
        self.method = Some(method.into());
        self
    }

    /// For the next `n` matching requests.
    #[must_use]
    pub fn times(mut self, n: u32) -> Self {
        self.times = n;
        self
    }

    /// With numeric code `code`.
    #[must_use]
    pub fn code(mut self, code: i64) -> Self {
        self.code = Some(code);
        self
    }

    /// With textual code `name`.
    #[must_use]
    pub fn code_name(mut self, name: impl Into<String>) -> Self {
        self.code_name = Some(name.into());
        self
    }

    /// Handle the request, then answer with the fault (see the field).
    #[must_use]
    pub fn after_handling(mut self) -> Self {
        self.after_handling = true;
        self
    }

    /// With `message`.
    #[must_use]
    pub fn message(mut self, message: impl Into<String>) -> Self {
        self.message = message.into();
        self
    }

    fn matches(&self, method: &str, path: &str, default_excluded: bool) -> bool {
        let path_ok = match &self.path_prefix {
            Some(prefix) => path.starts_with(prefix.as_str()),
            None => !default_excluded,
        };
        path_ok
            && self
                .method
                .as_deref()
                .is_none_or(|m| m.eq_ignore_ascii_case(method))
    }
}

/// Pending faults, first match wins.
#[derive(Debug, Default)]
pub(crate) struct Faults(Mutex<Vec<HttpFault>>);

impl Faults {
    pub(crate) fn push(&self, fault: HttpFault) {
        if fault.times > 0 {
            self.0.lock().unwrap_or_else(|p| p.into_inner()).push(fault);
        }
    }

    /// Takes one use of the first fault matching the request. `default_excluded`: the path is
    /// hit only by faults that name it.
    pub(crate) fn take(
        &self,
        method: &str,
        path: &str,
        default_excluded: bool,
    ) -> Option<HttpFault> {
        let mut faults = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let i = faults
            .iter()
            .position(|f| f.matches(method, path, default_excluded))?;
        let fault = faults[i].clone();
        faults[i].times -= 1;
        if faults[i].times == 0 {
            faults.remove(i);
        }
        Some(fault)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_match_and_count_down() {
        let f = Faults::default();
        f.push(HttpFault::server_error().on("/v2/").times(2));
        f.push(HttpFault::status(404).method("DELETE"));
        assert_eq!(f.take("POST", "/channels/1/messages", false), None);
        assert_eq!(
            f.take("POST", "/v2/groups/g/messages", false)
                .unwrap()
                .status,
            500
        );
        assert_eq!(f.take("DELETE", "/x", false).unwrap().status, 404);
        assert_eq!(f.take("DELETE", "/x", false), None);
        assert_eq!(f.take("GET", "/v2/users/u", false).unwrap().status, 500);
        assert_eq!(f.take("GET", "/v2/users/u", false), None);
        f.push(HttpFault::server_error());
        assert_eq!(f.take("POST", "/app/getAppAccessToken", true), None);
        assert!(f.take("POST", "/channels/1/messages", false).is_some());
    }
}
