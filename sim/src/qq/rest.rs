//! The QQ sim's OpenAPI REST side: `GET /users/@me`, message sends (guild channel, guild DM,
//! group, C2C), rich-media uploads, `POST /users/@me/dms`, recalls. Bodies are checked the way
//! QQ checks them (a message needs something to show, groups / C2C need `msg_type`, type 7
//! needs `media.file_info` from an upload) and replies are deduped on
//! (`msg_id` | `event_id`, `msg_seq`) per target, as QQ does.

use std::sync::Arc;

use hyper::{Method, StatusCode};
use serde_json::{json, Value};

use super::{Shared, TokenCheck};
use crate::answer::Answer;
use crate::http_fault::HttpFault;
use crate::server::RestRequest;

/// QQ's error code for a reply whose (`msg_id`, `msg_seq`) was already used.
pub(crate) const CODE_DUPLICATE: i64 = 40_054_005;
/// QQ's error code for an expired or unknown access token.
pub(crate) const CODE_TOKEN_EXPIRED: i64 = 11_244;
const CODE_BAD_BODY: i64 = 40_034_001;
const CODE_NOT_FOUND: i64 = 40_034_029;
/// QQ's code for a message held for audit.
const CODE_WAITING_FOR_AUDIT: i64 = 304_023;
pub(crate) const TIMESTAMP: &str = "2026-01-01T00:00:00+08:00";

/// Where a path points.
enum Route<'a> {
    Me,
    CreateDm,
    /// `POST .../messages` of a target (`v2`: group or C2C).
    Messages {
        path: &'a str,
        v2: bool,
    },
    /// `POST /v2/.../files`.
    Files {
        v2_target: &'a str,
    },
    /// `DELETE .../messages/{id}`.
    Message {
        messages: &'a str,
        id: &'a str,
        v2: bool,
    },
    Unknown,
}

fn route<'a>(method: &Method, path: &'a str) -> Route<'a> {
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match (method, parts.as_slice()) {
        (&Method::GET, ["users", "@me"]) => Route::Me,
        (&Method::POST, ["users", "@me", "dms"]) => Route::CreateDm,
        (&Method::POST, ["channels" | "dms", id, "messages"]) if !id.is_empty() => {
            Route::Messages { path, v2: false }
        }
        (&Method::POST, ["v2", "groups" | "users", id, "messages"]) if !id.is_empty() => {
            Route::Messages { path, v2: true }
        }
        (&Method::POST, ["v2", "groups" | "users", id, "files"]) if !id.is_empty() => {
            Route::Files {
                v2_target: &path[..path.len() - "/files".len()],
            }
        }
        (&Method::DELETE, ["channels" | "dms", _, "messages", id]) => Route::Message {
            messages: &path[..path.len() - id.len() - 1],
            id,
            v2: false,
        },
        (&Method::DELETE, ["v2", "groups" | "users", _, "messages", id]) => Route::Message {
            messages: &path[..path.len() - id.len() - 1],
            id,
            v2: true,
        },
        _ => Route::Unknown,
    }
}

/// Answers an authenticated OpenAPI request (401 otherwise).
pub(crate) fn answer(shared: &Arc<Shared>, request: &RestRequest) -> Answer {
    match request
        .authorization
        .as_deref()
        .map_or(TokenCheck::Invalid, |a| shared.check_token(a))
    {
        TokenCheck::Valid => {}
        TokenCheck::Expired => {
            return error(
                shared,
                StatusCode::UNAUTHORIZED,
                CODE_TOKEN_EXPIRED,
                "token not exist or expire",
            )
        }
        TokenCheck::Invalid => {
            return error(shared, StatusCode::UNAUTHORIZED, 11_241, "wrong bot token")
        }
    }
    let body = request.body.as_ref();
    match route(&request.method, &request.path) {
        Route::Me => {
            let (id, name) = &shared.config.bot_user;
            ok(
                shared,
                json!({"id": id, "username": name, "avatar": "", "bot": true,
                       "union_openid": "", "union_user_account": ""}),
            )
        }
        Route::CreateDm => create_dm(shared, body),
        Route::Messages { path, v2 } => send(shared, path, v2, body),
        Route::Files { v2_target } => upload(shared, v2_target, body),
        Route::Message { messages, id, v2 } => recall(shared, messages, id, v2),
        Route::Unknown => error(shared, StatusCode::NOT_FOUND, 404, "not found"),
    }
}

fn str_field<'a>(body: Option<&'a Value>, name: &str) -> Option<&'a str> {
    body?.get(name)?.as_str().filter(|s| !s.is_empty())
}

fn u64_field(body: Option<&Value>, name: &str) -> Option<u64> {
    match body?.get(name)? {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn send(shared: &Arc<Shared>, path: &str, v2: bool, body: Option<&Value>) -> Answer {
    let msg_type = u64_field(body, "msg_type");
    if let Err(reason) = check_message(body, msg_type, v2) {
        return error(shared, StatusCode::BAD_REQUEST, CODE_BAD_BODY, reason);
    }
    let reply_key = str_field(body, "msg_id").or(str_field(body, "event_id"));
    let mut state = shared.state();
    if let (Some(key), Some(seq)) = (reply_key, u64_field(body, "msg_seq")) {
        if !state
            .reply_keys
            .insert((path.to_owned(), key.to_owned(), seq))
        {
            drop(state);
            return error(
                shared,
                StatusCode::BAD_REQUEST,
                CODE_DUPLICATE,
                "消息被去重，请检查请求msgseq",
            );
        }
    }
    if !v2 && state.audit_holds > 0 {
        state.audit_holds -= 1;
        state.next_audit += 1;
        let audit_id = format!("sim-audit-{}", state.next_audit);
        let held = state.hold(path);
        state.held.insert(audit_id.clone(), held);
        drop(state);
        return Answer {
            status: StatusCode::ACCEPTED,
            body: Some(json!({"code": CODE_WAITING_FOR_AUDIT,
                              "message": "push message is waiting for audit",
                              "data": {"message_audit": {"audit_id": audit_id}}})),
            headers: vec![("X-Tps-trace-ID", trace_id(shared))],
        };
    }
    state.next_message += 1;
    let id = format!("sim-msg-{}", state.next_message);
    state.messages.insert(id.clone(), path.to_owned());
    drop(state);
    let answer = if v2 {
        json!({"id": id, "timestamp": TIMESTAMP})
    } else {
        let (bot_id, bot_name) = &shared.config.bot_user;
        json!({"id": id, "content": str_field(body, "content").unwrap_or_default(),
               "timestamp": TIMESTAMP,
               "author": {"id": bot_id, "username": bot_name, "bot": true}})
    };
    ok(shared, answer)
}

/// What QQ refuses with 400 before sending anything.
fn check_message(
    body: Option<&Value>,
    msg_type: Option<u64>,
    v2: bool,
) -> Result<(), &'static str> {
    let Some(Value::Object(_)) = body else {
        return Err("body is not a JSON object");
    };
    let has = |name: &str| body.and_then(|b| b.get(name)).is_some_and(|v| !v.is_null());
    let has_text = str_field(body, "content").is_some();
    match (v2, msg_type) {
        (true, None) => Err("msg_type is required"),
        (_, Some(7)) => match body
            .and_then(|b| b.get("media"))
            .and_then(|m| m.get("file_info"))
            .and_then(Value::as_str)
        {
            Some(info) if info.starts_with("sim-file-") => Ok(()),
            Some(_) => Err("media.file_info was not issued by an upload"),
            None => Err("msg_type 7 needs media.file_info"),
        },
        (_, Some(2)) if !has("markdown") => Err("msg_type 2 needs markdown"),
        (_, Some(3)) if !has("ark") => Err("msg_type 3 needs ark"),
        (_, Some(4)) if !has("embed") => Err("msg_type 4 needs embed"),
        (true, Some(0)) if !has_text => Err("content is empty"),
        _ if has_text
            || has("markdown")
            || has("ark")
            || has("embed")
            || has("image")
            || has("keyboard") =>
        {
            Ok(())
        }
        _ => Err("message is empty"),
    }
}

fn upload(shared: &Arc<Shared>, v2_target: &str, body: Option<&Value>) -> Answer {
    let file_type = u64_field(body, "file_type");
    if !matches!(file_type, Some(1..=4)) {
        return error(
            shared,
            StatusCode::BAD_REQUEST,
            CODE_BAD_BODY,
            "bad file_type",
        );
    }
    let url_ok = str_field(body, "url")
        .is_some_and(|u| u.starts_with("http://") || u.starts_with("https://"));
    if !url_ok && str_field(body, "file_data").is_none() {
        return error(
            shared,
            StatusCode::BAD_REQUEST,
            CODE_BAD_BODY,
            "url or file_data required",
        );
    }
    let mut state = shared.state();
    state.next_file += 1;
    let file = state.next_file;
    let mut answer = json!({"file_uuid": format!("sim-uuid-{file}"),
                            "file_info": format!("sim-file-{file}"), "ttl": 3600});
    let send_now = body
        .and_then(|b| b.get("srv_send_msg"))
        .and_then(Value::as_bool)
        .unwrap_or(false);
    if send_now {
        state.next_message += 1;
        let id = format!("sim-msg-{}", state.next_message);
        state
            .messages
            .insert(id.clone(), format!("{v2_target}/messages"));
        answer["id"] = json!(id);
    }
    drop(state);
    ok(shared, answer)
}

fn create_dm(shared: &Arc<Shared>, body: Option<&Value>) -> Answer {
    match (
        str_field(body, "source_guild_id"),
        str_field(body, "recipient_id"),
    ) {
        (Some(_), Some(user)) => {
            let (guild, channel) = (
                format!("sim-dm-guild-{user}"),
                format!("sim-dm-channel-{user}"),
            );
            shared.state().learn_channel(&channel, &guild);
            ok(
                shared,
                json!({"guild_id": guild, "channel_id": channel, "create_time": TIMESTAMP}),
            )
        }
        _ => error(
            shared,
            StatusCode::BAD_REQUEST,
            CODE_BAD_BODY,
            "source_guild_id and recipient_id are required",
        ),
    }
}

fn recall(shared: &Arc<Shared>, messages: &str, id: &str, v2: bool) -> Answer {
    let removed = {
        let mut state = shared.state();
        match state.messages.get(id) {
            Some(path) if path == messages => state.messages.remove(id).is_some(),
            _ => false,
        }
    };
    if !removed {
        return error(
            shared,
            StatusCode::NOT_FOUND,
            CODE_NOT_FOUND,
            "message not found",
        );
    }
    if v2 {
        ok(shared, json!({}))
    } else {
        Answer {
            status: StatusCode::NO_CONTENT,
            body: None,
            headers: vec![("X-Tps-trace-ID", trace_id(shared))],
        }
    }
}

fn trace_id(shared: &Shared) -> String {
    let mut state = shared.state();
    state.next_trace += 1;
    format!("sim-trace-{}", state.next_trace)
}

fn ok(shared: &Shared, body: Value) -> Answer {
    Answer {
        status: StatusCode::OK,
        body: Some(body),
        headers: vec![("X-Tps-trace-ID", trace_id(shared))],
    }
}

/// A QQ-shaped error: `{message, code, err_code, trace_id}` and the trace id header.
pub(crate) fn error(shared: &Shared, status: StatusCode, code: i64, message: &str) -> Answer {
    let trace = trace_id(shared);
    Answer {
        status,
        body: Some(json!({"message": message, "code": code, "err_code": code, "trace_id": trace})),
        headers: vec![("X-Tps-trace-ID", trace)],
    }
}

/// The answer to a scripted [`HttpFault`].
pub(crate) fn fault_answer(shared: &Shared, fault: &HttpFault) -> Answer {
    let status = StatusCode::from_u16(fault.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let code = fault.code.unwrap_or(i64::from(fault.status));
    let mut answer = error(shared, status, code, &fault.message);
    if let Some(after) = fault.retry_after {
        answer
            .headers
            .push(("Retry-After", format!("{}", after.as_secs_f64())));
    }
    answer
}
