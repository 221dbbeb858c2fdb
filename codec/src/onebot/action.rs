//! The OneBot action envelope: requests `{action, params, echo}` and responses
//! `{status, retcode, data, echo, msg | wording}`.
//!
//! `echo` is any JSON value on the wire; botgate sends strings and matches responses by them
//! (responses may come back out of order). A typed call is a params struct implementing
//! [`ActionParams`]; its response `data` decodes into `ActionParams::Output` through
//! [`ActionResponse::into_result`].
//!
//! ```
//! use botgate_codec::onebot::{encode_call, ActionResponse};
//! use botgate_proto::onebot::action::{ActionParams, SendGroupMsg};
//! use botgate_proto::onebot::Message;
//!
//! let params = SendGroupMsg { group_id: 1, message: Message::text("hi"), auto_escape: None };
//! let frame = encode_call(&params, "42")?;
//! assert!(frame.starts_with(r#"{"action":"send_group_msg","params":{"group_id":1,"#));
//!
//! let resp = ActionResponse::decode(br#"{"status":"ok","retcode":0,"data":{"message_id":7},"echo":"42"}"#)?;
//! let out = resp.into_result::<<SendGroupMsg as ActionParams>::Output>().unwrap();
//! assert_eq!(out.message_id, 7);
//! # Ok::<(), botgate_codec::Error>(())
//! ```

use crate::{json, Error, ErrorKind};
use botgate_proto::de;
use botgate_proto::onebot::action::ActionParams;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt;

/// An action request: `{"action": .., "params": .., "echo": ..}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActionRequest {
    /// The action name (`send_group_msg`).
    pub action: String,
    /// The params object (`{}` when there are none).
    #[serde(default = "empty_object")]
    pub params: Value,
    /// The request id echoed in the response; absent when not sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub echo: Option<Value>,
}

fn empty_object() -> Value {
    Value::Object(serde_json::Map::new())
}

impl ActionRequest {
    /// An untyped action with these params and no echo.
    pub fn new(action: impl Into<String>, params: Value) -> Self {
        Self {
            action: action.into(),
            params,
            echo: None,
        }
    }

    /// A typed action.
    ///
    /// # Errors
    /// [`ErrorKind::Payload`] if the params do not serialise (they always do for the types in
    /// `botgate_proto::onebot::action`).
    pub fn typed<P: ActionParams>(params: &P) -> Result<Self, Error> {
        let params = serde_json::to_value(params).map_err(|e| params_error(P::NAME, e))?;
        Ok(Self::new(P::NAME, params))
    }

    /// The same action with a string echo.
    pub fn with_echo(mut self, echo: impl Into<String>) -> Self {
        self.echo = Some(Value::String(echo.into()));
        self
    }

    /// The WebSocket text frame.
    pub fn encode(&self) -> String {
        let mut out = String::with_capacity(64);
        out.push_str("{\"action\":");
        json::push_str(&mut out, &self.action);
        out.push_str(",\"params\":");
        out.push_str(&self.params.to_string());
        if let Some(echo) = &self.echo {
            out.push_str(",\"echo\":");
            out.push_str(&echo.to_string());
        }
        out.push('}');
        out
    }

    /// Read a request (the implementation's side: the sim).
    ///
    /// # Errors
    /// Scan / syntax errors; [`ErrorKind::Envelope`] (field `action`) if `action` is missing or
    /// not a string.
    pub fn decode(bytes: &[u8]) -> Result<Self, Error> {
        crate::scan::object_fields(bytes, |_, _| Ok(()))?;
        let raw: Value = Error::decode_payload("action", bytes)?;
        match raw.get("action") {
            Some(Value::String(_)) => {}
            Some(_) => return Err(Error::envelope("action", "expected a string")),
            None => return Err(Error::envelope("action", "missing")),
        }
        serde_json::from_value(raw).map_err(|e| {
            Error::with_source(
                ErrorKind::Envelope {
                    field: "action",
                    reason: e.to_string(),
                },
                e,
            )
        })
    }

    /// The params decoded into a typed params struct.
    ///
    /// # Errors
    /// [`ErrorKind::Payload`] naming the action and the offending field.
    pub fn params_as<P: DeserializeOwned>(&self) -> Result<P, Error> {
        let text = self.params.to_string();
        Error::decode_payload(&self.action, text.as_bytes())
    }

    /// The echo as a string (a string echo as is, any other value as its JSON text).
    pub fn echo_str(&self) -> Option<String> {
        self.echo.as_ref().map(echo_text)
    }
}

/// `{"action":<action>,"params":<params>,"echo":<echo>}` (echo omitted when `None`).
pub fn encode_action(action: &str, params: &Value, echo: Option<&str>) -> String {
    ActionRequest {
        action: action.to_owned(),
        params: params.clone(),
        echo: echo.map(|e| Value::String(e.to_owned())),
    }
    .encode()
}

/// The frame of a typed call with a string echo.
///
/// # Errors
/// As [`ActionRequest::typed`].
pub fn encode_call<P: ActionParams>(params: &P, echo: &str) -> Result<String, Error> {
    Ok(ActionRequest::typed(params)?.with_echo(echo).encode())
}

fn params_error(action: &str, e: serde_json::Error) -> Error {
    Error::with_source(
        ErrorKind::Payload {
            event: action.to_owned(),
            path: ".".to_owned(),
            reason: e.to_string(),
        },
        e,
    )
}

fn echo_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A response to an action.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ActionResponse {
    /// `ok`, `async` or `failed`.
    #[serde(deserialize_with = "de::string")]
    pub status: String,
    /// 0 ok, 1 async, anything else a failure (see [`Retcode`]).
    #[serde(deserialize_with = "de::i64")]
    pub retcode: i64,
    /// The result (`null` on failure and for actions without one).
    pub data: Value,
    /// The request's echo, as sent back; absent if the request had none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub echo: Option<Value>,
    /// The error message (`msg`; `message` in some implementations).
    #[serde(
        rename = "msg",
        alias = "message",
        deserialize_with = "de::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub message: Option<String>,
    /// A user-facing error description (go-cqhttp, NapCat).
    #[serde(
        deserialize_with = "de::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub wording: Option<String>,
}

impl ActionResponse {
    /// A success with this data.
    pub fn ok(data: Value, echo: Option<Value>) -> Self {
        Self {
            status: "ok".to_owned(),
            retcode: 0,
            data,
            echo,
            message: None,
            wording: None,
        }
    }

    /// A failure as Waylay sends it (`data: null`, `msg`).
    pub fn failed(retcode: Retcode, message: impl Into<String>, echo: Option<Value>) -> Self {
        Self {
            status: "failed".to_owned(),
            retcode: retcode.code(),
            data: Value::Null,
            echo,
            message: Some(message.into()),
            wording: None,
        }
    }

    /// Read a response frame.
    ///
    /// # Errors
    /// Scan errors; [`ErrorKind::Envelope`] if it has neither `retcode` nor `status`;
    /// [`ErrorKind::Payload`] (event `action response`) if a field has the wrong type.
    pub fn decode(bytes: &[u8]) -> Result<Self, Error> {
        let mut has = false;
        crate::scan::object_fields(bytes, |key, _| {
            has |= key == "retcode" || key == "status";
            Ok(())
        })?;
        if !has {
            return Err(Error::envelope(
                "retcode",
                "missing (not an action response)",
            ));
        }
        Error::decode_payload("action response", bytes)
    }

    /// The WebSocket text frame (the implementation's side: the sim).
    pub fn encode(&self) -> String {
        serde_json::to_value(self).map_or_else(|_| String::from("{}"), |v| v.to_string())
    }

    /// The echo as a string (a string echo as is, any other value as its JSON text).
    pub fn echo_str(&self) -> Option<String> {
        self.echo.as_ref().map(echo_text)
    }

    /// The retcode, typed.
    pub fn code(&self) -> Retcode {
        Retcode::from(self.retcode)
    }

    /// Whether the action succeeded (retcode 0 or 1 and status not `failed`).
    pub fn is_success(&self) -> bool {
        matches!(self.retcode, 0 | 1) && self.status != "failed"
    }

    /// The result: `data` decoded into `T` on success, else the failure.
    ///
    /// # Errors
    /// [`ActionResponseError::Failed`] for a failure; [`ActionResponseError::Data`] if `data`
    /// does not fit `T`.
    pub fn into_result<T: DeserializeOwned>(self) -> Result<T, ActionResponseError> {
        if !self.is_success() {
            return Err(ActionResponseError::Failed {
                retcode: self.code(),
                status: self.status,
                message: self.message,
                wording: self.wording,
            });
        }
        botgate_proto::de::from_value_with_path::<T>(&self.data).map_err(|e| {
            ActionResponseError::Data {
                path: e.path,
                reason: e.error.to_string(),
            }
        })
    }
}

macro_rules! retcodes {
    ($( $(#[$m:meta])* $variant:ident = $code:literal ),+ $(,)?) => {
        /// An action's `retcode`. Only 0 and 1 and the WebSocket 14xx codes are in the v11
        /// standard; 100–201 are CQHTTP-era codes some implementations still send.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum Retcode {
            $( $(#[$m])* $variant, )+
            /// Any other code, kept.
            Other(i64),
        }

        impl Retcode {
            /// The wire number.
            pub fn code(self) -> i64 {
                match self {
                    $( Retcode::$variant => $code, )+
                    Retcode::Other(c) => c,
                }
            }
        }

        impl From<i64> for Retcode {
            fn from(c: i64) -> Self {
                match c {
                    $( $code => Retcode::$variant, )+
                    other => Retcode::Other(other),
                }
            }
        }
    };
}

retcodes! {
    /// 0: success.
    Ok = 0,
    /// 1: accepted, runs asynchronously (`status: async`).
    Async = 1,
    /// 100: a parameter is missing or invalid (CQHTTP era).
    BadRequest = 100,
    /// 102: the data returned is invalid, usually missing permission (CQHTTP era).
    InvalidData = 102,
    /// 103: the operation failed (CQHTTP era).
    OperationFailed = 103,
    /// 104: credentials (cookies, CSRF token) are invalid (CQHTTP era).
    InvalidCredentials = 104,
    /// 201: the worker pool is not initialised (CQHTTP era).
    WorkerNotReady = 201,
    /// 1400: bad request (the WebSocket form of HTTP 400; Waylay's every failure but 1404).
    WsBadRequest = 1400,
    /// 1401: unauthorized (WebSocket form of HTTP 401).
    WsUnauthorized = 1401,
    /// 1403: forbidden (WebSocket form of HTTP 403).
    WsForbidden = 1403,
    /// 1404: no such action (WebSocket form of HTTP 404; Waylay: `不支持的 API`).
    WsNotFound = 1404,
}

impl fmt::Display for Retcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.code())
    }
}

/// Why an action did not give its result.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ActionResponseError {
    /// The implementation answered with a failure.
    #[error("action failed: retcode {retcode}, status `{status}`{}", describe(.message, .wording))]
    Failed {
        /// The retcode.
        retcode: Retcode,
        /// The status (`failed` usually).
        status: String,
        /// `msg`, if sent.
        message: Option<String>,
        /// `wording`, if sent.
        wording: Option<String>,
    },
    /// The action succeeded but its `data` does not fit the result type.
    #[error("action result field `{path}`: {reason}")]
    Data {
        /// Path of the offending field in `data` (`.` for the root).
        path: String,
        /// What was wrong with it.
        reason: String,
    },
}

fn describe(message: &Option<String>, wording: &Option<String>) -> String {
    match (message, wording) {
        (Some(m), Some(w)) if m != w => format!(": {m} ({w})"),
        (Some(m), _) => format!(": {m}"),
        (None, Some(w)) => format!(": {w}"),
        (None, None) => String::new(),
    }
}

impl ActionResponseError {
    /// The retcode of a failure.
    pub fn retcode(&self) -> Option<Retcode> {
        match self {
            ActionResponseError::Failed { retcode, .. } => Some(*retcode),
            ActionResponseError::Data { .. } => None,
        }
    }

    /// Whether the implementation does not support the action (1404).
    pub fn is_unsupported(&self) -> bool {
        self.retcode() == Some(Retcode::WsNotFound)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use botgate_proto::onebot::action::{GetLoginInfo, SendPrivateMsg};
    use botgate_proto::onebot::Message;

    #[test]
    fn typed_call_encodes_name_params_and_echo() {
        let p = SendPrivateMsg {
            user_id: 5,
            message: Message::text("a\"b"),
            ..Default::default()
        };
        let frame = encode_call(&p, "e1").unwrap();
        let v: Value = serde_json::from_str(&frame).unwrap();
        assert_eq!(v["action"], "send_private_msg");
        assert_eq!(v["params"]["user_id"], 5);
        assert_eq!(v["params"]["message"][0]["data"]["text"], "a\"b");
        assert_eq!(v["echo"], "e1");
        assert!(v["params"].get("group_id").is_none());
        assert_eq!(
            encode_call(&GetLoginInfo {}, "x").unwrap(),
            r#"{"action":"get_login_info","params":{},"echo":"x"}"#
        );
    }

    #[test]
    fn raw_action_without_echo_omits_it() {
        assert_eq!(
            encode_action("get_status", &serde_json::json!({}), None),
            r#"{"action":"get_status","params":{}}"#
        );
    }

    #[test]
    fn request_decodes_with_any_echo() {
        let a = ActionRequest::decode(
            br#"{"action":"delete_msg","params":{"message_id":"9"},"echo":{"n":1}}"#,
        )
        .unwrap();
        assert_eq!(a.echo_str().as_deref(), Some(r#"{"n":1}"#));
        let p: botgate_proto::onebot::action::DeleteMsg = a.params_as().unwrap();
        assert_eq!(p.message_id, 9);
        assert!(ActionRequest::decode(br#"{"params":{}}"#).is_err());
        assert!(ActionRequest::decode(br#"{"action":3}"#).is_err());
    }

    #[test]
    fn failure_becomes_a_typed_error() {
        let r = ActionResponse::decode(
            "{\"status\":\"failed\",\"retcode\":1404,\"msg\":\"不支持的 API\",\"data\":null,\"echo\":\"8\"}".as_bytes(),
        )
        .unwrap();
        let e = r.into_result::<Value>().unwrap_err();
        assert!(e.is_unsupported());
        assert_eq!(
            e.to_string(),
            "action failed: retcode 1404, status `failed`: 不支持的 API"
        );
    }

    #[test]
    fn retcodes_round_trip() {
        for c in [0, 1, 100, 102, 103, 104, 201, 1400, 1401, 1403, 1404, 42] {
            assert_eq!(Retcode::from(c).code(), c);
        }
        assert_eq!(Retcode::from(42), Retcode::Other(42));
    }

    #[test]
    fn data_that_does_not_fit_names_the_field() {
        let r = ActionResponse::decode(br#"{"status":"ok","retcode":0,"data":{"user_id":"x"}}"#)
            .unwrap();
        let e = r
            .into_result::<botgate_proto::onebot::action::LoginInfo>()
            .unwrap_err();
        assert!(
            matches!(&e, ActionResponseError::Data { path, .. } if path == "user_id"),
            "{e}"
        );
    }
}
