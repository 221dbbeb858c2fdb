//! The QQ OpenAPI client against the QQ sim: every send kind produces the request QQ expects
//! (path, body, `Authorization`), media go through an upload, recalls, `/users/@me`,
//! `/gateway/bot`.

mod openapi_common;

use botgate_proto::qq::api::{file_type, Markdown, MessageToCreate};
use botgate_proto::qq::{Ark, ArkKv, Embed};
use botgate_sim::QqSim;
use botgate_transport::qq::{OpenApiConfig, Target, API_BASE, SANDBOX_API_BASE};
use botgate_transport::ErrorKind;
use openapi_common::{client, parts, token_requests};
use serde_json::json;

#[tokio::test]
async fn every_target_and_kind_gets_the_exact_request() {
    let sim = QqSim::start_default().await.unwrap();
    let api = client(&sim);

    let channel = Target::Channel("100010".into());
    let sent = api
        .send(&channel, MessageToCreate::text("hi").reply_to("m-1"))
        .await
        .unwrap();
    assert_eq!(sent.id, "sim-msg-1");
    assert_eq!(sent.timestamp.as_deref(), Some("2026-01-01T00:00:00+08:00"));

    let dm = api.create_dm("guild-1", "user-9").await.unwrap();
    assert_eq!(dm.guild_id, "sim-dm-guild-user-9");
    api.send(
        &Target::Dm(dm.guild_id.clone()),
        MessageToCreate::text("psst"),
    )
    .await
    .unwrap();
    api.send(
        &Target::Group("GROUP_OPENID".into()),
        MessageToCreate::markdown(Markdown::native("**b**")).reply_to_event("GROUP_ADD_ROBOT:1"),
    )
    .await
    .unwrap();
    api.send(
        &Target::C2c("USER_OPENID".into()),
        MessageToCreate::text("c2c").reply_to("m-2").quote("m-0"),
    )
    .await
    .unwrap();
    let ark = Ark {
        template_id: Some(23),
        kv: vec![ArkKv {
            key: "#DESC#".into(),
            value: Some("d".into()),
            obj: vec![],
        }],
    };
    api.send(&channel, MessageToCreate::ark(ark)).await.unwrap();
    let embed = Embed {
        title: Some("t".into()),
        prompt: Some("p".into()),
        ..Embed::default()
    };
    api.send(&channel, MessageToCreate::embed(embed))
        .await
        .unwrap();

    let expected = [
        (
            "/channels/100010/messages",
            json!({"content": "hi", "msg_type": 0, "msg_id": "m-1", "msg_seq": 1}),
        ),
        (
            "/users/@me/dms",
            json!({"source_guild_id": "guild-1", "recipient_id": "user-9"}),
        ),
        (
            "/dms/sim-dm-guild-user-9/messages",
            json!({"content": "psst", "msg_type": 0}),
        ),
        (
            "/v2/groups/GROUP_OPENID/messages",
            json!({"msg_type": 2, "markdown": {"content": "**b**"},
                   "event_id": "GROUP_ADD_ROBOT:1", "msg_seq": 1}),
        ),
        (
            "/v2/users/USER_OPENID/messages",
            json!({"content": "c2c", "msg_type": 0, "msg_id": "m-2", "msg_seq": 1,
                   "message_reference": {"message_id": "m-0", "ignore_get_message_error": true}}),
        ),
        (
            "/channels/100010/messages",
            json!({"msg_type": 3, "ark": {"template_id": 23, "kv": [{"key": "#DESC#", "value": "d"}]}}),
        ),
        (
            "/channels/100010/messages",
            json!({"msg_type": 4, "embed": {"title": "t", "prompt": "p"}}),
        ),
    ];
    let posts = sim.requests("POST", "/");
    let rest: Vec<_> = posts
        .iter()
        .filter(|r| r.http().is_some_and(|(_, p)| p != "/app/getAppAccessToken"))
        .collect();
    assert_eq!(rest.len(), expected.len());
    for (record, (path, body)) in rest.iter().zip(expected) {
        let (status, got, auth) = parts(record);
        assert_eq!(record.http().unwrap().1, path);
        assert_eq!(got, body, "body of {path}");
        assert_eq!(status, 200, "{path}");
        assert_eq!(auth, "QQBot sim-token-1", "{path}");
        assert_eq!(record.header("content-type"), Some("application/json"));
    }
    assert_eq!(token_requests(&sim), 1);
}

#[tokio::test]
async fn media_by_url_uploads_for_groups_and_uses_image_for_channels() {
    let sim = QqSim::start_default().await.unwrap();
    let api = client(&sim);
    let group = Target::Group("G1".into());
    let sent = api
        .send_media_url(
            &group,
            file_type::IMAGE,
            "https://example.invalid/a.png",
            MessageToCreate::default().reply_to("m-7"),
        )
        .await
        .unwrap();
    assert_eq!(sent.id, "sim-msg-1");
    let upload = sim.requests("POST", "/v2/groups/G1/files");
    assert_eq!(
        parts(&upload[0]).1,
        json!({"file_type": 1, "url": "https://example.invalid/a.png", "srv_send_msg": false})
    );
    let send = sim.requests("POST", "/v2/groups/G1/messages");
    assert_eq!(
        parts(&send[0]).1,
        json!({"msg_type": 7, "media": {"file_info": "sim-file-1"}, "msg_id": "m-7", "msg_seq": 1})
    );

    api.send_media_url(
        &Target::Channel("c1".into()),
        file_type::IMAGE,
        "https://example.invalid/b.png",
        MessageToCreate::default().with_content("look"),
    )
    .await
    .unwrap();
    let send = sim.requests("POST", "/channels/c1/messages");
    assert_eq!(
        parts(&send[0]).1,
        json!({"content": "look", "image": "https://example.invalid/b.png", "msg_type": 0})
    );

    // Channels take images only, and have no upload endpoint.
    let err = api
        .send_media_url(
            &Target::Channel("c1".into()),
            file_type::VIDEO,
            "https://example.invalid/v.mp4",
            MessageToCreate::default(),
        )
        .await
        .unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::InvalidRequest { .. }));
    assert_eq!(sim.requests("POST", "/channels/c1/messages").len(), 1);
}

#[tokio::test]
async fn replies_get_increasing_msg_seq_and_a_reused_one_is_refused() {
    let sim = QqSim::start_default().await.unwrap();
    let api = client(&sim);
    let group = Target::Group("G2".into());
    for _ in 0..2 {
        api.send(&group, MessageToCreate::text("x").reply_to("m-1"))
            .await
            .unwrap();
    }
    api.send(&group, MessageToCreate::text("y").reply_to("m-other"))
        .await
        .unwrap();
    let err = api
        .send(
            &group,
            MessageToCreate::text("again").reply_to("m-1").seq(2),
        )
        .await
        .unwrap_err();
    let seqs: Vec<_> = sim
        .requests("POST", "/v2/groups/G2/messages")
        .iter()
        .map(|r| {
            (
                parts(r).1["msg_id"].clone(),
                parts(r).1["msg_seq"].clone(),
                parts(r).0,
            )
        })
        .collect();
    assert_eq!(
        seqs,
        vec![
            (json!("m-1"), json!(1), 200),
            (json!("m-1"), json!(2), 200),
            (json!("m-other"), json!(1), 200),
            (json!("m-1"), json!(2), 400),
        ]
    );
    let api_err = err.api().unwrap();
    assert_eq!(api_err.status, 400);
    assert_eq!(api_err.code, Some(40_054_005));
    assert!(api_err
        .trace_id
        .as_deref()
        .unwrap()
        .starts_with("sim-trace-"));
}

#[tokio::test]
async fn recall_me_and_gateway_bot() {
    let sim = QqSim::start_default().await.unwrap();
    let api = client(&sim);
    let group = Target::Group("G3".into());
    let channel = Target::Channel("c3".into());
    let g = api.send(&group, MessageToCreate::text("a")).await.unwrap();
    let c = api
        .send(&channel, MessageToCreate::text("b"))
        .await
        .unwrap();
    api.recall(&group, &g.id).await.unwrap(); // 200 {}
    api.recall(&channel, &c.id).await.unwrap(); // 204, empty body
    let deletes: Vec<_> = sim
        .requests("DELETE", "/")
        .iter()
        .map(|r| (r.http().unwrap().1.to_owned(), parts(r).0))
        .collect();
    assert_eq!(
        deletes,
        vec![
            ("/v2/groups/G3/messages/sim-msg-1".to_owned(), 200),
            ("/channels/c3/messages/sim-msg-2".to_owned(), 204),
        ]
    );
    let err = api.recall(&channel, &c.id).await.unwrap_err();
    assert_eq!(err.api().unwrap().status, 404);
    assert_eq!(sim.requests("DELETE", "/").len(), 3, "a 404 is not retried");

    let me = api.me().await.unwrap();
    assert_eq!(
        (me.id.as_str(), me.username.as_deref()),
        (sim.config().bot_user.0.as_str(), Some("botgate-sim"))
    );
    let bot = api.gateway_bot().await.unwrap();
    assert_eq!(bot.url, sim.url());
    assert_eq!(bot.session_start_limit.remaining, 999);
    assert_eq!(api.gateway().await.unwrap().url, sim.url());
    assert_eq!(token_requests(&sim), 1);
}

/// Decision 0059: sends the platform holds for audit (the sim answers 202 with code 304023
/// and `data.message_audit.audit_id`) are `Ok`, held, with the audit id and no message id;
/// each went out once (not retried). A guild channel and a DM send are held, a group send
/// in between is not; once the audit passes, the message exists (it can be recalled);
/// when the holds are used up, channel sends are sent again.
#[tokio::test]
async fn a_send_held_for_audit_is_ok_with_its_audit_id() {
    let sim = QqSim::start_default().await.unwrap();
    let api = client(&sim);
    sim.hold_for_audit(2);

    let channel = Target::Channel("c9".into());
    let held = api
        .send(
            &channel,
            MessageToCreate::text("needs review").reply_to("m-1"),
        )
        .await
        .unwrap();
    assert!(held.held_for_audit());
    assert_eq!(
        (held.id.as_str(), held.audit_id.as_deref()),
        ("", Some("sim-audit-1"))
    );
    let group = api
        .send(
            &Target::Group("G9".into()),
            MessageToCreate::text("hi group"),
        )
        .await
        .unwrap();
    assert!(!group.held_for_audit() && !group.id.is_empty(), "{group:?}");
    let dm = api
        .send(&Target::Dm("dm-g9".into()), MessageToCreate::text("psst"))
        .await
        .unwrap();
    assert_eq!(dm.audit_id.as_deref(), Some("sim-audit-2"));

    let statuses = |path: &str| -> Vec<u16> {
        sim.requests("POST", path)
            .iter()
            .map(|r| parts(r).0)
            .collect()
    };
    assert_eq!(statuses("/channels/c9/messages"), [202], "sent once");
    assert_eq!(statuses("/dms/dm-g9/messages"), [202], "sent once");
    assert_eq!(sim.held_for_audit(), ["sim-audit-1", "sim-audit-2"]);

    let message_id = sim.pass_audit("sim-audit-1").unwrap();
    api.recall(&channel, &message_id).await.unwrap();
    assert!(sim.reject_audit("sim-audit-2"));
    assert!(!sim.reject_audit("sim-audit-2"), "ended once");
    assert_eq!(sim.pass_audit("sim-audit-9"), None);

    let sent = api
        .send(&channel, MessageToCreate::text("fine"))
        .await
        .unwrap();
    assert!(!sent.held_for_audit() && !sent.id.is_empty(), "{sent:?}");
    assert_eq!(statuses("/channels/c9/messages"), [202, 200]);
}

#[test]
fn production_and_sandbox_bases() {
    assert_eq!(API_BASE, "https://api.sgroup.qq.com");
    assert_eq!(SANDBOX_API_BASE, "https://sandbox.api.sgroup.qq.com");
    assert_eq!(OpenApiConfig::for_env(true).api_base, SANDBOX_API_BASE);
    assert_eq!(OpenApiConfig::for_env(false).api_base, API_BASE);
    assert_eq!(OpenApiConfig::production().retry.max_retries, 3);
}
