//! "A missing or mistyped non-essential field never loses the event": every field of every
//! sample payload (at any depth) is removed, or replaced by a value of every other JSON shape,
//! and the payload must still decode into the type the schema names for its event.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure is a panic

mod common;

use botgate_proto::{bubble, qq};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

fn try_de<T: DeserializeOwned>(text: &str) -> Result<(), String> {
    serde_json::from_str::<T>(text)
        .map(drop)
        .map_err(|e| e.to_string())
}

fn decode_qq(payload: &str, d: &str) -> Result<(), String> {
    match payload {
        "Ready" => try_de::<qq::Ready>(d),
        "Resumed" => try_de::<qq::Resumed>(d),
        "Guild" => try_de::<qq::Guild>(d),
        "Channel" => try_de::<qq::Channel>(d),
        "Member" => try_de::<qq::Member>(d),
        "Message" => try_de::<qq::Message>(d),
        "MessageDelete" => try_de::<qq::MessageDelete>(d),
        "MessageReaction" => try_de::<qq::MessageReaction>(d),
        "MessageAudit" => try_de::<qq::MessageAudit>(d),
        "Thread" => try_de::<qq::Thread>(d),
        "AudioAction" => try_de::<qq::AudioAction>(d),
        "GroupMessage" => try_de::<qq::GroupMessage>(d),
        "C2cMessage" => try_de::<qq::C2cMessage>(d),
        "GroupRobotEvent" => try_de::<qq::GroupRobotEvent>(d),
        "Interaction" => try_de::<qq::Interaction>(d),
        other => panic!("no sample decodes as {other}"),
    }
}

fn decode_bubble(payload: &str, d: &str) -> Result<(), String> {
    match payload {
        "BotReady" => try_de::<bubble::BotReady>(d),
        "EventsSubscribed" => try_de::<bubble::EventsSubscribed>(d),
        "ErrorEvent" => try_de::<bubble::ErrorEvent>(d),
        "Message" => try_de::<bubble::Message>(d),
        "MessageDelete" => try_de::<bubble::MessageDelete>(d),
        "GuildMember" => try_de::<bubble::GuildMember>(d),
        "GuildRole" => try_de::<bubble::GuildRole>(d),
        "Channel" => try_de::<bubble::Channel>(d),
        "Guild" => try_de::<bubble::Guild>(d),
        other => panic!("no sample decodes as {other}"),
    }
}

/// Values of every JSON shape, including ids past 64 bits and deep nesting.
fn shapes() -> Vec<Value> {
    vec![
        Value::Null,
        json!(true),
        json!(-1),
        json!(18_446_744_073_709_551_615u64),
        json!(1.5),
        json!(""),
        json!("not a number"),
        json!("99999999999999999999999"),
        json!([]),
        json!([1, "a", {"k": null}]),
        json!({}),
        json!({"id": {"id": [null]}}),
    ]
}

/// Every variant of `root` with one field (at any depth) removed or replaced by each shape.
fn mutants(root: &Value) -> Vec<Value> {
    fn walk(root: &Value, path: &mut Vec<PathStep>, out: &mut Vec<Value>, node: &Value) {
        match node {
            Value::Object(map) => {
                for (k, v) in map {
                    path.push(PathStep::Key(k.clone()));
                    out.push(edit(root, path, None));
                    for s in shapes() {
                        out.push(edit(root, path, Some(s)));
                    }
                    walk(root, path, out, v);
                    path.pop();
                }
            }
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    path.push(PathStep::Index(i));
                    for s in shapes() {
                        out.push(edit(root, path, Some(s)));
                    }
                    walk(root, path, out, v);
                    path.pop();
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(root, &mut Vec::new(), &mut out, root);
    out
}

#[derive(Clone)]
enum PathStep {
    Key(String),
    Index(usize),
}

/// `root` with the value at `path` replaced by `with` (or removed / nulled when `None`).
fn edit(root: &Value, path: &[PathStep], with: Option<Value>) -> Value {
    let mut copy = root.clone();
    let (last, parents) = path.split_last().expect("a path");
    let mut node = &mut copy;
    for step in parents {
        node = match step {
            PathStep::Key(k) => node.get_mut(k.as_str()).expect("key"),
            PathStep::Index(i) => node.get_mut(*i).expect("index"),
        };
    }
    match (last, with) {
        (PathStep::Key(k), None) => {
            node.as_object_mut().expect("object").remove(k);
        }
        (PathStep::Key(k), Some(v)) => node[k.as_str()] = v,
        (PathStep::Index(i), v) => node[*i] = v.unwrap_or(Value::Null),
    }
    copy
}

fn run(rel: &str, schema: &str, decode: fn(&str, &str) -> Result<(), String>) -> usize {
    let table = common::schema_payloads(schema);
    let mut n = 0;
    for v in common::lines(rel) {
        let Some(payload) = v["t"].as_str().and_then(|t| table.get(t)) else {
            continue;
        };
        let Some(d) = v.get("d") else { continue };
        for m in mutants(d) {
            let text = m.to_string();
            if let Err(e) = decode(payload, &text) {
                panic!("{payload} lost the event: {e}\n{text}");
            }
            n += 1;
        }
    }
    n
}

#[test]
fn qq_payloads_survive_every_single_field_mutation() {
    let n =
        run("qq/frames.jsonl", "qq.toml", decode_qq) + run("qq/order.jsonl", "qq.toml", decode_qq);
    assert!(n > 2_000, "only {n} mutants");
}

#[test]
fn bubble_payloads_survive_every_single_field_mutation() {
    let n = run("bubble/frames.jsonl", "bubble.toml", decode_bubble);
    assert!(n > 1_000, "only {n} mutants");
}
