//! The QQ sim's HTTP routes: token, gateway discovery, REST sends, and the WebSocket upgrade.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use hyper::body::Incoming;
use hyper::{Method, Request, StatusCode};
use serde_json::{json, Value};

use super::{conn, Shared};
use crate::log::Record;
use crate::server::{self, HttpResponse};

/// Largest frame the sim accepts from a client.
const MAX_MESSAGE: usize = 16 << 20;

pub(crate) async fn route(shared: Arc<Shared>, req: Request<Incoming>) -> HttpResponse {
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    if server::is_upgrade(&req) {
        if path.trim_end_matches('/') != "/websocket" {
            shared.log.push(Record::Rejected { path, status: 404 });
            return server::text(StatusCode::NOT_FOUND, "not found");
        }
        let conn_id = shared.next_conn.fetch_add(1, Ordering::Relaxed);
        let tasks = shared.tasks.clone();
        return server::accept_upgrade(req, &tasks, MAX_MESSAGE, move |ws| {
            conn::run(shared, ws, conn_id)
        });
    }
    let auth = server::authorization(&req);
    let (status, body, response) = match (&method, path.as_str()) {
        (&Method::POST, "/app/getAppAccessToken") => {
            let body = server::json_body(req).await;
            let (status, answer) = token(&shared, body.as_ref());
            (status, body, answer)
        }
        (&Method::GET, "/gateway") | (&Method::GET, "/gateway/bot") => {
            if !auth.as_deref().is_some_and(|a| shared.token_valid(a)) {
                (
                    StatusCode::UNAUTHORIZED,
                    None,
                    json!({"code": 11241, "message": "wrong bot token"}),
                )
            } else if path == "/gateway" {
                (StatusCode::OK, None, json!({"url": gateway_url(&shared)}))
            } else {
                let (total, remaining, reset_after, max_concurrency) =
                    shared.config.session_start_limit;
                (
                    StatusCode::OK,
                    None,
                    json!({
                        "url": gateway_url(&shared),
                        "shards": shared.config.shards,
                        "session_start_limit": {
                            "total": total,
                            "remaining": remaining,
                            "reset_after": reset_after,
                            "max_concurrency": max_concurrency,
                        }
                    }),
                )
            }
        }
        (&Method::POST, _) => {
            let authorized = auth.as_deref().is_some_and(|a| shared.token_valid(a));
            let body = server::json_body(req).await;
            if authorized {
                let id = {
                    let mut state = shared.state();
                    state.next_message += 1;
                    state.next_message
                };
                (
                    StatusCode::OK,
                    body,
                    json!({"id": format!("sim-msg-{id}"), "timestamp": "2026-01-01T00:00:00+08:00"}),
                )
            } else {
                (
                    StatusCode::UNAUTHORIZED,
                    body,
                    json!({"code": 11241, "message": "wrong bot token"}),
                )
            }
        }
        _ => (
            StatusCode::NOT_FOUND,
            None,
            json!({"code": 404, "message": "not found"}),
        ),
    };
    shared.log.push(Record::Http {
        method: method.to_string(),
        path,
        status: status.as_u16(),
        body,
    });
    server::json(status, &response)
}

fn gateway_url(shared: &Shared) -> String {
    format!("ws://{}/websocket", shared.addr)
}

/// `POST /app/getAppAccessToken`: QQ answers 200 even for a wrong secret, with `{code, message}`.
fn token(shared: &Shared, body: Option<&Value>) -> (StatusCode, Value) {
    let field = |name: &str| body.and_then(|b| b.get(name)).and_then(Value::as_str);
    if field("appId") != Some(shared.config.app_id.as_str())
        || field("clientSecret") != Some(shared.config.client_secret.as_str())
    {
        return (
            StatusCode::OK,
            json!({"code": 100016, "message": "invalid appid or secret"}),
        );
    }
    let mut state = shared.state();
    state.next_token += 1;
    let token = format!("sim-token-{}", state.next_token);
    state.tokens.insert(token.clone());
    (
        StatusCode::OK,
        json!({"access_token": token, "expires_in": shared.config.token_expires_in.to_string()}),
    )
}
