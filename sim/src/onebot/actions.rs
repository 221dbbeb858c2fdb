//! Answers to OneBot actions, as Waylay gives them.

use serde_json::{json, Value};

use super::{SentMessage, Shared};

/// The response (without `echo`) to `action` with `params` from connection `conn` of account
/// `self_id`.
pub(crate) fn respond(
    shared: &Shared,
    (conn, self_id): (u64, i64),
    action: &str,
    params: &Value,
) -> Value {
    if let Some(fixed) = shared.state().overrides.get(action) {
        return fixed.clone();
    }
    let ok = |data: Value| json!({"status": "ok", "retcode": 0, "data": data});
    match action {
        "send_msg" | "send_group_msg" | "send_private_msg" => {
            let mut state = shared.state();
            state.next_message_id += 1;
            let message_id = state.next_message_id;
            state.messages.push(SentMessage {
                conn,
                self_id,
                action: action.to_owned(),
                params: params.clone(),
                message_id,
            });
            ok(json!({"message_id": message_id}))
        }
        "get_login_info" => ok(json!({
            "user_id": self_id,
            "nickname": shared.config.nickname,
        })),
        "get_status" => ok(json!({"online": true, "good": true})),
        "get_version_info" => ok(json!({
            "app_name": "botgate-sim",
            "app_version": env!("CARGO_PKG_VERSION"),
            "protocol_version": "v11",
        })),
        _ => json!({"status": "failed", "retcode": 1404, "msg": "不支持的 API", "data": null}),
    }
}
