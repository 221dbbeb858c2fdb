//! The QQ sim's HTTP routes: token, gateway discovery, REST sends, and the WebSocket upgrade.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hyper::body::Incoming;
use hyper::{Method, Request, StatusCode};
use serde_json::{json, Value};

use super::{conn, rest, Shared};
use crate::answer::Answer;
use crate::log::Record;
use crate::server::{self, HttpResponse};

/// Largest frame the sim accepts from a client.
const MAX_MESSAGE: usize = 16 << 20;

pub(crate) async fn route(shared: Arc<Shared>, req: Request<Incoming>) -> HttpResponse {
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
    let request = server::RestRequest::read(req).await;
    let answer = answer(&shared, &request);
    shared.log.push(request.record(answer.status.as_u16()));
    answer.into_response()
}

fn answer(shared: &Arc<Shared>, request: &server::RestRequest) -> Answer {
    let path = request.path.as_str();
    let is_token = path == "/app/getAppAccessToken";
    match shared.faults.take(request.method.as_str(), path, is_token) {
        Some(fault) => {
            if fault.after_handling {
                handle(shared, request);
            }
            rest::fault_answer(shared, &fault)
        }
        None => handle(shared, request),
    }
}

fn handle(shared: &Arc<Shared>, request: &server::RestRequest) -> Answer {
    let method = &request.method;
    let path = request.path.as_str();
    let auth = request.authorization.as_deref();
    match (method, path) {
        (&Method::POST, "/app/getAppAccessToken") => {
            let (status, answer) = token(shared, request.body.as_ref());
            Answer::json(status, answer)
        }
        (&Method::GET, "/gateway") | (&Method::GET, "/gateway/bot") => {
            if !auth.is_some_and(|a| shared.token_valid(a)) {
                Answer::json(
                    StatusCode::UNAUTHORIZED,
                    json!({"code": 11241, "message": "wrong bot token"}),
                )
            } else if path == "/gateway" {
                Answer::json(StatusCode::OK, json!({"url": gateway_url(shared)}))
            } else {
                let (total, remaining, reset_after, max_concurrency) =
                    shared.config.session_start_limit;
                Answer::json(
                    StatusCode::OK,
                    json!({
                        "url": gateway_url(shared),
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
        _ => rest::answer(shared, request),
    }
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
    let expires = Instant::now() + Duration::from_secs(shared.config.token_expires_in);
    state.tokens.insert(token.clone(), expires);
    (
        StatusCode::OK,
        json!({"access_token": token, "expires_in": shared.config.token_expires_in.to_string()}),
    )
}
