//! The Bubble sim's REST side under `/api/bot/v1` (spec `bubble.md` §1.4): `GET /me`,
//! `POST /channels/:id/messages`, `GET|POST /users/:id/dm`, `POST /dm/threads/:id/messages`,
//! `DELETE /channels/:id/messages/:id`. Bearer auth (401 otherwise), the documented limit
//! (5 req/s, burst 10 by default) answered with 429 `retryAfter` and `X-RateLimit-*`, Bubble's
//! error shape `{"error":{code, message}}`, and scripted [`HttpFault`]s.

use std::collections::HashMap;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use hyper::{Method, StatusCode};
use serde_json::{json, Value};

use super::rate::TokenBucket;
use super::Shared;
use crate::answer::Answer;
use crate::http_fault::HttpFault;
use crate::server::{HttpResponse, RestRequest};

/// Where the REST side lives on the sim's port.
pub(crate) const PREFIX: &str = "/api/bot/v1";
/// Longest message content Bubble takes.
const MAX_CONTENT: usize = 2000;
const CREATED_AT: &str = "2026-01-01T00:00:00Z";

/// Mutable REST state.
#[derive(Debug, Default)]
pub(crate) struct RestState {
    pub(crate) bucket: Option<TokenBucket>,
    pub(crate) next_message: i64,
    /// user id → DM thread id.
    pub(crate) threads: HashMap<i64, i64>,
    /// message id → channel id (for deletes).
    pub(crate) messages: HashMap<i64, i64>,
}

fn error(status: StatusCode, code: &str, message: &str) -> Answer {
    Answer::json(status, json!({"error": {"code": code, "message": message}}))
}

/// Handles one REST request (already known to be under [`PREFIX`]) and records it.
pub(crate) async fn route(shared: &Shared, request: RestRequest) -> HttpResponse {
    let answer = answer(shared, &request);
    shared.log.push(request.record(answer.status.as_u16()));
    answer.into_response()
}

fn answer(shared: &Shared, request: &RestRequest) -> Answer {
    let path = &request.path[PREFIX.len()..];
    match shared.faults.take(request.method.as_str(), path, false) {
        Some(fault) => {
            if fault.after_handling {
                handle(shared, request);
            }
            fault_answer(&fault)
        }
        None => handle(shared, request),
    }
}

fn handle(shared: &Shared, request: &RestRequest) -> Answer {
    let path = &request.path[PREFIX.len()..];
    let expected = format!("Bearer {}", shared.config.token);
    if request.authorization.as_deref() != Some(expected.as_str()) {
        return error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED", "Token 无效或过期");
    }
    if let Some(limited) = rate_limit(shared) {
        return limited;
    }
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let id = |s: &str| s.parse::<i64>().ok();
    let body = request.body.as_ref();
    match (&request.method, parts.as_slice()) {
        (&Method::GET, ["me"] | ["bot", "me"]) => {
            let (bot_id, name) = &shared.config.bot;
            Answer::json(
                StatusCode::OK,
                json!({"id": bot_id, "name": name, "botUser": {"id": bot_id, "name": name}}),
            )
        }
        (&Method::POST, ["channels", channel, "messages"]) => match id(channel) {
            Some(channel) => {
                post_message(shared, body, json!({"channelId": channel}), Some(channel))
            }
            None => error(StatusCode::NOT_FOUND, "NOT_FOUND", "channel not found"),
        },
        (&Method::GET | &Method::POST, ["users", user, "dm"]) => match id(user) {
            Some(user) => {
                let mut rest = shared.rest();
                let next = 5000 + i64::try_from(rest.threads.len()).unwrap_or(0) + 1;
                let thread = *rest.threads.entry(user).or_insert(next);
                Answer::json(
                    StatusCode::OK,
                    json!({"channelId": thread, "recipientId": user}),
                )
            }
            None => error(StatusCode::NOT_FOUND, "NOT_FOUND", "user not found"),
        },
        (&Method::POST, ["dm", "threads", thread, "messages"]) => {
            let known = id(thread).filter(|t| shared.rest().threads.values().any(|v| v == t));
            match known {
                Some(thread) => post_message(shared, body, json!({"threadId": thread}), None),
                None => error(StatusCode::NOT_FOUND, "NOT_FOUND", "thread not found"),
            }
        }
        (&Method::DELETE, ["channels", channel, "messages", message]) => {
            let mut rest = shared.rest();
            match (id(channel), id(message)) {
                (Some(c), Some(m)) if rest.messages.get(&m) == Some(&c) => {
                    rest.messages.remove(&m);
                    Answer {
                        status: StatusCode::NO_CONTENT,
                        body: None,
                        headers: Vec::new(),
                    }
                }
                _ => error(StatusCode::NOT_FOUND, "NOT_FOUND", "message not found"),
            }
        }
        _ => error(StatusCode::NOT_FOUND, "NOT_FOUND", "not found"),
    }
}

/// Takes a request token; `Some(429)` when none is left.
fn rate_limit(shared: &Shared) -> Option<Answer> {
    let limit = shared.config.rest_rate_limit?;
    let now = Instant::now();
    let mut rest = shared.rest();
    let bucket = rest
        .bucket
        .get_or_insert_with(|| TokenBucket::new(limit.per_second, limit.burst, now));
    if bucket.try_take(now) {
        return None;
    }
    let wait = bucket.wait_time(now);
    let reset = SystemTime::now()
        .checked_add(wait)
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_secs() + 1);
    let mut answer = Answer::json(
        StatusCode::TOO_MANY_REQUESTS,
        json!({"error": {"code": "RATE_LIMIT_EXCEEDED", "message": "Rate limit exceeded",
                         "retryAfter": wait.as_secs_f64()}}),
    );
    answer.headers = vec![
        ("X-RateLimit-Limit", format!("{}", limit.per_second)),
        ("X-RateLimit-Remaining", "0".into()),
        ("X-RateLimit-Reset", reset.to_string()),
    ];
    Some(answer)
}

fn post_message(
    shared: &Shared,
    body: Option<&Value>,
    place: Value,
    channel: Option<i64>,
) -> Answer {
    let Some(Value::Object(fields)) = body else {
        return error(
            StatusCode::BAD_REQUEST,
            "BAD_REQUEST",
            "body is not a JSON object",
        );
    };
    let content = fields
        .get("content")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let attachments = fields
        .get("attachments")
        .and_then(Value::as_array)
        .is_some_and(|a| !a.is_empty());
    if content.is_empty() && !attachments {
        return error(
            StatusCode::BAD_REQUEST,
            "BAD_REQUEST",
            "content or attachments required",
        );
    }
    if content.chars().count() > MAX_CONTENT {
        return error(
            StatusCode::BAD_REQUEST,
            "BAD_REQUEST",
            "content exceeds 2000 characters",
        );
    }
    let id = {
        let mut rest = shared.rest();
        rest.next_message += 1;
        let id = 10_000 + rest.next_message;
        if let Some(channel) = channel {
            rest.messages.insert(id, channel);
        }
        id
    };
    let (bot_id, name) = &shared.config.bot;
    let mut message = json!({
        "id": id, "content": content, "authorId": bot_id,
        "author": {"id": bot_id, "username": name, "isBot": true},
        "type": fields.get("type").cloned().unwrap_or_else(|| json!("text")),
        "createdAt": CREATED_AT,
    });
    if let (Value::Object(m), Value::Object(p)) = (&mut message, place) {
        m.extend(p);
    }
    if let Some(reply) = fields.get("replyToId") {
        message["replyToId"] = reply.clone();
    }
    Answer::json(StatusCode::OK, message)
}

fn fault_answer(fault: &HttpFault) -> Answer {
    let status = StatusCode::from_u16(fault.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let code = fault.code_name.clone().unwrap_or_else(|| {
        match fault.status {
            401 => "UNAUTHORIZED",
            403 => "FORBIDDEN",
            404 => "NOT_FOUND",
            429 => "RATE_LIMIT_EXCEEDED",
            _ => "INTERNAL_ERROR",
        }
        .to_owned()
    });
    let mut error = json!({"code": code, "message": fault.message});
    let mut answer = Answer::json(status, Value::Null);
    if let Some(after) = fault.retry_after {
        error["retryAfter"] = json!(after.as_secs_f64());
        answer.headers = vec![
            ("X-RateLimit-Remaining", "0".into()),
            ("Retry-After", after.as_secs().max(1).to_string()),
        ];
    }
    answer.body = Some(json!({"error": error}));
    answer
}
