//! `botgate decode` and `botgate intents`, run through the real binary.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::process::Output;

use serde_json::Value;
use support::{run, run_stdin};

fn testdata(rel: &str) -> String {
    format!("{}/../testdata/{rel}", env!("CARGO_MANIFEST_DIR"))
}

/// Runs `botgate ARGS`, which must exit 0, and returns its JSON lines.
fn decoded(args: &[&str]) -> Vec<Value> {
    let out = run(args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    json_lines(&out)
}

fn json_lines(out: &Output) -> Vec<Value> {
    String::from_utf8(out.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn decode_qq_vectors_gives_one_typed_line_per_frame() {
    let file = testdata("qq/frames.jsonl");
    let lines = decoded(&["decode", "--platform", "qq", &file]);
    let inputs: Vec<Value> = std::fs::read_to_string(&file)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), inputs.len());
    for (i, (got, input)) in lines.iter().zip(&inputs).enumerate() {
        assert_eq!(got["line"], i + 1);
        assert_eq!(got["op"], input["op"]);
        assert_eq!(got["s"], *input.get("s").unwrap_or(&Value::Null));
        assert_eq!(got["t"], *input.get("t").unwrap_or(&Value::Null));
        assert_eq!(got["id"], *input.get("id").unwrap_or(&Value::Null));
        assert!(got.get("error").is_none(), "line {}: {got}", i + 1);
    }
    let at = lines
        .iter()
        .find(|l| l["t"] == "AT_MESSAGE_CREATE")
        .unwrap();
    assert_eq!(at["data"]["author"]["username"], "小明");
    assert_eq!(at["data"]["content"], "<@!6158788878435714165> /天气 深圳");
    assert_eq!(at["data"]["seq_in_channel"], "828");
    let ready = lines.iter().find(|l| l["t"] == "READY").unwrap();
    assert_eq!(
        ready["data"]["session_id"],
        "082ee18c-0be3-491b-9d8b-fbd95c51673a"
    );
}

#[test]
fn decode_unknown_event_type_passes_raw_data_through() {
    let frame = br#"{"op":0,"s":5,"t":"SOME_NEW_EVENT","id":"X:1","d":{"a":[1,2],"b":"c"}}"#;
    let out = run_stdin(&["decode", "--platform", "qq"], frame);
    assert_eq!(out.status.code(), Some(0));
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["t"], "SOME_NEW_EVENT");
    assert_eq!(lines[0]["data"], serde_json::json!({"a":[1,2],"b":"c"}));
}

#[test]
fn decode_bad_lines_give_error_lines_and_exit_1() {
    let mut input = Vec::new();
    input.extend_from_slice(
        br#"{"op":0,"s":1,"t":"AT_MESSAGE_CREATE","d":{"id":"1","content":"hi"}}"#,
    );
    input.push(b'\n');
    input.extend_from_slice(br#"{"op":0,"s":2,"t":"AT_MESSAGE_CREATE","d":{"id":"#); // truncated
    input.push(b'\n');
    input.extend_from_slice(br#"{"op":"zero","d":null}"#); // wrong type for op
    input.push(b'\n');
    input.extend_from_slice(
        b"{\"op\":0,\"t\":\"AT_MESSAGE_CREATE\",\"d\":{\"content\":\"\xff\xfe\"}}",
    ); // invalid UTF-8
    input.push(b'\n');
    input.extend_from_slice(br#"{"op":99999999999999999999999}"#); // huge number
    input.push(b'\n');
    let deep = format!(
        r#"{{"op":0,"t":"AT_MESSAGE_CREATE","d":{}{}}}"#,
        "[".repeat(1 << 20),
        "]".repeat(1 << 20)
    );
    input.extend_from_slice(deep.as_bytes());
    input.push(b'\n');
    let out = run_stdin(&["decode", "--platform", "qq"], &input);
    assert_eq!(out.status.code(), Some(1));
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 6);
    assert_eq!(lines[0]["data"]["content"], "hi");
    for (i, l) in lines.iter().enumerate().skip(1) {
        assert_eq!(l["line"], i + 1);
        let err = l["error"]
            .as_str()
            .unwrap_or_else(|| panic!("line {}: {l}", i + 1));
        assert!(!err.is_empty());
    }
    assert!(
        lines[2]["error"].as_str().unwrap().contains("op"),
        "{}",
        lines[2]
    );
}

#[test]
fn decode_bubble_vectors_succeeds() {
    let lines = decoded(&[
        "decode",
        "--platform",
        "bubble",
        &testdata("bubble/frames.jsonl"),
    ]);
    assert!(lines.iter().all(|l| l.get("error").is_none()));
    assert!(lines.iter().any(|l| l["t"] == "MESSAGE_CREATE"));
}

#[test]
fn decode_onebot_vectors_gives_kinds() {
    let lines = decoded(&[
        "decode",
        "--platform",
        "onebot",
        &testdata("onebot/events.jsonl"),
    ]);
    assert_eq!(lines[0]["kind"], "message.group");
    assert_eq!(lines[0]["data"]["group_id"], 987654321);
    assert!(lines.iter().any(|l| l["kind"] == "action_response"));
    assert!(lines.iter().any(|l| l["kind"] == "meta_event.heartbeat"));
}

#[test]
fn intents_prints_value_and_names() {
    let out = run(&["intents", "AT_MESSAGE_CREATE", "GUILD_MEMBER_ADD"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("1073741826"));
    let names: Vec<&str> = lines.next().unwrap().split('|').collect();
    assert_eq!(names.len(), 2);
    assert!(names.contains(&"PUBLIC_GUILD_MESSAGES") && names.contains(&"GUILD_MEMBERS"));
}

#[test]
fn intents_unknown_event_type_exits_2() {
    let out = run(&["intents", "AT_MESSAGE_CREATE", "NOT_AN_EVENT"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("NOT_AN_EVENT"));
}

#[test]
fn decode_unified_maps_messages_and_skips_control_frames() {
    let lines = decoded(&[
        "decode",
        "--platform",
        "qq",
        "--unified",
        &testdata("qq/frames.jsonl"),
    ]);
    assert_eq!(lines[0]["skipped"], "op 10");
    assert_eq!(lines[1]["skipped"], "READY");
    let at = &lines[3]["event"];
    assert_eq!(at["platform"], "qq");
    // self id learnt from the READY line
    assert_eq!(at["self_id"], "6158788878435714165");
    assert_eq!(at["event"], "message");
    assert_eq!(at["sub_event"], "guild");
    assert_eq!(at["contact"]["scene"], "guild");
    assert_eq!(at["contact"]["peer"], "18700000000001");
    assert_eq!(at["contact"]["sub_peer"], "100010");
    assert_eq!(at["sender"]["uid"], "1234567890");
    assert!(at["elements"].is_array());
    let group = lines
        .iter()
        .find(|l| l["event"]["sub_event"] == "group")
        .unwrap();
    assert_eq!(group["event"]["contact"]["scene"], "group");
}

#[test]
fn decode_unified_onebot_and_bad_lines() {
    let mut input = std::fs::read(testdata("onebot/events.jsonl")).unwrap();
    input.extend_from_slice(b"{\"post_type\":\n");
    let out = run_stdin(&["decode", "--platform", "onebot", "--unified"], &input);
    assert_eq!(out.status.code(), Some(1));
    let lines = json_lines(&out);
    assert_eq!(lines[0]["event"]["contact"]["scene"], "group");
    assert_eq!(lines[0]["event"]["contact"]["peer"], "987654321");
    assert_eq!(lines[1]["event"]["contact"]["scene"], "private");
    assert!(lines.iter().any(|l| l.get("skipped").is_some()));
    assert!(lines.last().unwrap()["error"].is_string());
}

#[test]
fn decode_refuses_an_array_payload_for_a_known_event() {
    let out = run_stdin(
        &["decode", "--platform", "qq"],
        br#"{"op":0,"s":1,"t":"AT_MESSAGE_CREATE","d":[1,2,3]}"#,
    );
    assert_eq!(out.status.code(), Some(1));
    let lines = json_lines(&out);
    let err = lines[0]["error"].as_str().unwrap();
    assert!(
        err.contains("AT_MESSAGE_CREATE") && err.contains("array"),
        "{err}"
    );
}
