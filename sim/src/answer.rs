//! A REST answer before it becomes a response: what every sim's REST routes return, so that
//! recording the status and building the response happen in one place.

use hyper::StatusCode;
use serde_json::Value;

use crate::server::{self, HttpResponse};

/// A status, a JSON body (or none) and extra headers.
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    /// `None`: an empty body.
    pub(crate) body: Option<Value>,
    pub(crate) headers: Vec<(&'static str, String)>,
}

impl Answer {
    /// A JSON answer without extra headers.
    pub(crate) fn json(status: StatusCode, body: Value) -> Self {
        Self {
            status,
            body: Some(body),
            headers: Vec::new(),
        }
    }

    /// The HTTP response (invalid header names or values are skipped).
    pub(crate) fn into_response(self) -> HttpResponse {
        match &self.body {
            Some(body) => server::json_with(self.status, body, &self.headers),
            None => server::empty_with(self.status, &self.headers),
        }
    }
}
