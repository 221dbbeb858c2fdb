//! A systematic mutation sweep over every sample frame of `testdata/` (QQ, Bubble, OneBot:
//! every event type present), after the rule "real producers are sloppy" (decisions 0014,
//! 0022, 0062, 0071).
//!
//! Every field path of the payload (`d` for QQ and Bubble, the event object for OneBot; object
//! keys and array elements at any depth) is mutated one at a time:
//! - dropped; set to `null`;
//! - a number → the same number as a string; a numeric string → the number (when it fits in
//!   `u64` / `i64` and reads back as the same text);
//! - an integer id (a number, or a string of digits) → a value wider than 64 bits, as a bare
//!   number and as a string;
//! - a bool → `0` / `1` and `"true"` / `"false"`;
//! - a string → a number;
//! - an object / array → an empty one;
//! - an unknown key holding a nested object added to every object of the payload;
//! - and the whole frame written with every object's keys in reverse order.
//!
//! Each mutant goes through the codec's real path (`Frame::scan` + `decode_event` for QQ and
//! Bubble, `Incoming::classify` + `RawEvent::decode` for OneBot) and must decode, as the same
//! event type, with every field not mutated unchanged (compared on the re-serialised events).
//! A mutation that keeps the value (a number as a string, a bool as 0 / 1, key order, an
//! unknown key) must give the same event, or, for a field the payload carries raw (`extra`,
//! unknown segments' data), differ only there, by the value kept as sent. A string field must
//! read a number as its text and a wide id with every digit.
//!
//! Exempt (the protocol needs them strictly; see lenient_fields.rs): QQ and Bubble's envelope
//! (`op`, `s`, `t`, `id`, `d` itself: only what is inside `d` is mutated; the envelope is
//! only reordered), OneBot's kind keys (`post_type`, the detail type, `sub_type` of
//! `notice.notify.*`): a mutant there is another kind.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

#[path = "support/mutants.rs"]
mod mutants;

use botgate_codec::onebot::{self, Incoming};
use botgate_codec::{bubble, qq, Frame};
use mutants::{get, paths, show, Path, Step};
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Debug;

/// A value wider than 64 bits (u64::MAX is 20 digits).
const WIDE: &str = "123456789012345678901234567890";
/// Stands for the bare wide number in a `Value` (which cannot hold it); replaced when written.
const WIDE_BARE: &str = "\u{1}botgate-wide-bare\u{1}";
/// The number a string is replaced with.
const STRING_AS_NUMBER: i64 = 12345;
/// The unknown key added to every object.
const UNKNOWN: &str = "botgate_unknown_field";

fn unknown_value() -> Value {
    json!({"nested": {"a": [1, "x", null, {"b": true}], "c": {}}})
}

/// Every non-empty line of the given `testdata/` files, parsed.
fn samples(files: &[&str]) -> Vec<Value> {
    let mut out = Vec::new();
    for file in files {
        let path = format!("{}/../testdata/{file}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        for (n, line) in text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
        {
            let v = serde_json::from_str(line).unwrap_or_else(|e| panic!("{file}:{}: {e}", n + 1));
            out.push(v);
        }
    }
    out
}

/// `v` as JSON text, each object's keys in sorted or reversed order, the wide sentinel bare.
fn write(v: &Value, reverse: bool) -> String {
    fn go(v: &Value, reverse: bool, out: &mut String) {
        match v {
            Value::String(s) if s == WIDE_BARE => out.push_str(WIDE),
            Value::Object(map) => {
                out.push('{');
                let mut entries: Vec<_> = map.iter().collect();
                if reverse {
                    entries.reverse();
                }
                for (i, (k, v)) in entries.into_iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&serde_json::to_string(k).unwrap());
                    out.push(':');
                    go(v, reverse, out);
                }
                out.push('}');
            }
            Value::Array(items) => {
                out.push('[');
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    go(v, reverse, out);
                }
                out.push(']');
            }
            other => out.push_str(&other.to_string()),
        }
    }
    let mut out = String::new();
    go(v, reverse, &mut out);
    out
}

/// One platform's view of a sample.
trait Platform {
    type Event: PartialEq + Debug + Serialize;
    const NAME: &'static str;
    fn schema() -> Vec<&'static str>;
    /// Where the payload sits inside the sample (`d`, or the whole object).
    const PAYLOAD: Option<&'static str>;
    /// Decode a frame's text through the codec; the event type it decoded as.
    fn decode(text: String) -> Result<(String, Self::Event), String>;
    fn is_unknown(event: &Self::Event) -> bool;
    fn exempt(name: &str, path: &[Step]) -> bool;
    /// Why a mutation of a field is left to fail, if it is: the protocol needs it strictly.
    fn strict(_name: &str, _path: &[Step], _m: Mutation) -> Option<&'static str> {
        None
    }
    /// Where a field of the payload sits in the serialised event; when the payload reads
    /// several fields as one (a mutant may then change that whole value), that value's path.
    fn unit(_name: &str, path: &[Step]) -> Path {
        path.to_vec()
    }
}

struct Qq;

impl Platform for Qq {
    type Event = qq::Event;
    const NAME: &'static str = "qq";
    const PAYLOAD: Option<&'static str> = Some("d");
    fn schema() -> Vec<&'static str> {
        qq::EVENTS.iter().map(|e| e.name).collect()
    }
    fn decode(text: String) -> Result<(String, qq::Event), String> {
        let frame = Frame::scan(text.into_bytes()).map_err(|e| e.to_string())?;
        if frame.op() != 0 {
            return Err("not a dispatch".into());
        }
        let t = frame.event_type().ok_or("no t")?.to_owned();
        let event = qq::decode_event(&t, frame.data().ok_or("no d")?).map_err(|e| e.to_string())?;
        Ok((event.name().to_owned(), event))
    }
    fn is_unknown(event: &qq::Event) -> bool {
        matches!(event, qq::Event::Unknown { .. })
    }
    fn exempt(_: &str, _: &[Step]) -> bool {
        false
    }
    /// READY's `shard` is two numbers or nothing (decision 0022's own rule): one of them
    /// gone or unreadable leaves no shard.
    fn unit(name: &str, path: &[Step]) -> Path {
        match path {
            [Step::Key(k), Step::Index(_)] if name == "READY" && k == "shard" => path[..1].to_vec(),
            _ => path.to_vec(),
        }
    }
}

struct Bubble;

impl Platform for Bubble {
    type Event = bubble::Event;
    const NAME: &'static str = "bubble";
    const PAYLOAD: Option<&'static str> = Some("d");
    fn schema() -> Vec<&'static str> {
        bubble::EVENTS.iter().map(|e| e.name).collect()
    }
    fn decode(text: String) -> Result<(String, bubble::Event), String> {
        let frame = Frame::scan(text.into_bytes()).map_err(|e| e.to_string())?;
        if frame.op() != 0 {
            return Err("not a dispatch".into());
        }
        let t = frame.event_type().ok_or("no t")?.to_owned();
        let event =
            bubble::decode_event(&t, frame.data().ok_or("no d")?).map_err(|e| e.to_string())?;
        Ok((event.name().to_owned(), event))
    }
    fn is_unknown(event: &bubble::Event) -> bool {
        matches!(event, bubble::Event::Unknown { .. })
    }
    fn exempt(_: &str, _: &[Step]) -> bool {
        false
    }
    /// BOT_READY's `subscribedGuilds` is merged into `guilds`.
    fn unit(name: &str, path: &[Step]) -> Path {
        match path {
            [Step::Key(k), rest @ ..] if name == "BOT_READY" && k == "subscribedGuilds" => {
                let mut out = vec![Step::Key("guilds".to_owned())];
                out.extend_from_slice(rest);
                out
            }
            _ => path.to_vec(),
        }
    }
}

struct OneBot;

/// The OneBot keys that select the event kind.
const ONEBOT_KIND_KEYS: [&str; 5] = [
    "post_type",
    "message_type",
    "notice_type",
    "request_type",
    "meta_event_type",
];

impl Platform for OneBot {
    type Event = onebot::Event;
    const NAME: &'static str = "onebot";
    const PAYLOAD: Option<&'static str> = None;
    fn schema() -> Vec<&'static str> {
        onebot::KINDS.to_vec()
    }
    fn decode(text: String) -> Result<(String, onebot::Event), String> {
        let incoming = Incoming::classify(text.into_bytes()).map_err(|e| e.to_string())?;
        let Incoming::Event(raw) = incoming else {
            return Err("an action response, not an event".into());
        };
        let event = raw.decode().map_err(|e| e.to_string())?;
        Ok((event.kind_str().to_owned(), event))
    }
    fn is_unknown(event: &onebot::Event) -> bool {
        event.is_unknown()
    }
    /// `sub_type` is one of the header's type fields (with `post_type` and the detail type),
    /// read by the header scan, which takes a string or `null` and nothing else (decisions
    /// 0009, 0029; `onebot_malformed.rs` `envelope_problems_are_envelope_errors`): it selects
    /// the kind of a `notice.notify.*` event, and the same scan reads it for every kind.
    fn strict(_: &str, path: &[Step], m: Mutation) -> Option<&'static str> {
        let [Step::Key(key)] = path else { return None };
        (key == "sub_type" && m == Mutation::StringAsNumber)
            .then_some("a header type field: a string or null")
    }
    /// A segment's `type` selects how its `data` is read: a mutant there is another
    /// (unknown) segment kind, which keeps its data as sent.
    fn unit(_: &str, path: &[Step]) -> Path {
        match path {
            [Step::Key(m), Step::Index(_), Step::Key(t)] if m == "message" && t == "type" => {
                path[..2].to_vec()
            }
            _ => path.to_vec(),
        }
    }
    fn exempt(name: &str, path: &[Step]) -> bool {
        let [Step::Key(key)] = path else { return false };
        ONEBOT_KIND_KEYS.contains(&key.as_str())
            || (key == "sub_type" && name.split('.').count() == 3)
    }
}

/// The mutations of one field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Mutation {
    Drop,
    Null,
    NumberAsString,
    NumericStringAsNumber,
    WideBare,
    WideString,
    BoolAsInt,
    BoolAsString,
    StringAsNumber,
    EmptyContainer,
    UnknownKey,
    ReverseKeys,
}

impl Mutation {
    /// Whether the mutant carries the same value as the sample (so the same event).
    fn keeps_value(self) -> bool {
        matches!(
            self,
            Mutation::NumberAsString
                | Mutation::NumericStringAsNumber
                | Mutation::BoolAsInt
                | Mutation::BoolAsString
                | Mutation::UnknownKey
                | Mutation::ReverseKeys
        )
    }

    /// The new value for a field holding `v`; `None` if the mutation does not apply to it.
    /// (`Drop` is handled by the caller.)
    fn apply(self, v: &Value) -> Option<Value> {
        match (self, v) {
            (Mutation::Null, _) => Some(Value::Null),
            (Mutation::NumberAsString, Value::Number(n)) => Some(Value::String(n.to_string())),
            (Mutation::NumericStringAsNumber, Value::String(s)) => {
                let n = s
                    .parse::<u64>()
                    .map(Value::from)
                    .or_else(|_| s.parse::<i64>().map(Value::from))
                    .ok()?;
                let text = n.to_string();
                (text == *s).then_some(n)
            }
            (Mutation::WideBare | Mutation::WideString, v) if is_integer_id(v) => {
                Some(Value::String(if self == Mutation::WideBare {
                    WIDE_BARE.to_owned()
                } else {
                    WIDE.to_owned()
                }))
            }
            (Mutation::BoolAsInt, Value::Bool(b)) => Some(Value::from(u8::from(*b))),
            (Mutation::BoolAsString, Value::Bool(b)) => Some(Value::String(b.to_string())),
            (Mutation::StringAsNumber, Value::String(_)) => Some(Value::from(STRING_AS_NUMBER)),
            (Mutation::EmptyContainer, Value::Object(_)) => Some(json!({})),
            (Mutation::EmptyContainer, Value::Array(_)) => Some(json!([])),
            _ => None,
        }
    }
}

const FIELD_MUTATIONS: [Mutation; 10] = [
    Mutation::Drop,
    Mutation::Null,
    Mutation::NumberAsString,
    Mutation::NumericStringAsNumber,
    Mutation::WideBare,
    Mutation::WideString,
    Mutation::BoolAsInt,
    Mutation::BoolAsString,
    Mutation::StringAsNumber,
    Mutation::EmptyContainer,
];

/// An integer id: a non-negative integer, or a string of 1..=20 digits.
fn is_integer_id(v: &Value) -> bool {
    match v {
        Value::Number(n) => n.is_u64(),
        Value::String(s) => !s.is_empty() && s.len() <= 20 && s.bytes().all(|b| b.is_ascii_digit()),
        _ => false,
    }
}

/// `root` with the node at `path` replaced (`Some`) or removed (`None`).
fn set(root: &Value, path: &[Step], new: Option<Value>) -> Option<Value> {
    let (last, parents) = path.split_last()?;
    let mut copy = root.clone();
    let mut node = &mut copy;
    for step in parents {
        node = match step {
            Step::Key(k) => node.get_mut(k.as_str())?,
            Step::Index(i) => node.get_mut(*i)?,
        };
    }
    match (last, new) {
        (Step::Key(k), None) => {
            node.as_object_mut()?.remove(k)?;
        }
        (Step::Key(k), Some(v)) => *node.as_object_mut()?.get_mut(k)? = v,
        (Step::Index(i), None) => {
            let items = node.as_array_mut()?;
            (*i < items.len()).then(|| items.remove(*i))?;
        }
        (Step::Index(i), Some(v)) => *node.as_array_mut()?.get_mut(*i)? = v,
    }
    Some(copy)
}

/// `v` without `null`s and empty lists in its objects.
fn prune(v: &mut Value) {
    match v {
        Value::Object(map) => {
            map.values_mut().for_each(prune);
            map.retain(|_, v| !v.is_null() && v.as_array().is_none_or(|a| !a.is_empty()));
        }
        Value::Array(items) => items.iter_mut().for_each(prune),
        _ => {}
    }
}

/// `v` without the node at `path` (unchanged if it has none), pruned.
fn strip(v: &Value, path: &[Step]) -> Value {
    let mut out = set(v, path, None).unwrap_or_else(|| v.clone());
    prune(&mut out);
    out
}

/// Whether `got` equals `want` but for the node at `path` (which may also have been dropped
/// from its list).
fn equal_but(got: &Value, want: &Value, path: &[Step]) -> bool {
    let want_stripped = strip(want, path);
    strip(got, path) == want_stripped || *got == want_stripped
}

/// `root` with `UNKNOWN` added to the object at `path` (the root if `path` is empty).
fn with_unknown_key(root: &Value, path: &[Step]) -> Option<Value> {
    let mut copy = root.clone();
    let mut node = &mut copy;
    for step in path {
        node = match step {
            Step::Key(k) => node.get_mut(k.as_str())?,
            Step::Index(i) => node.get_mut(*i)?,
        };
    }
    node.as_object_mut()?
        .insert(UNKNOWN.to_owned(), unknown_value());
    Some(copy)
}

#[derive(Default)]
struct Sweep {
    samples: usize,
    mutants: BTreeMap<Mutation, usize>,
    /// Mutants left strict (see `Platform::strict`), by reason; each must fail.
    strict: BTreeMap<&'static str, usize>,
    /// Failure class (mutation, what went wrong) → "event path" instances.
    failures: BTreeMap<(Mutation, String), Vec<String>>,
    covered: BTreeSet<String>,
}

impl Sweep {
    fn fail(&mut self, m: Mutation, class: &str, at: String) {
        self.failures
            .entry((m, class.to_owned()))
            .or_default()
            .push(at);
    }
}

fn frame_with<P: Platform>(sample: &Value, payload: Value) -> Value {
    match P::PAYLOAD {
        None => payload,
        Some(key) => {
            let mut frame = sample.clone();
            frame[key] = payload;
            frame
        }
    }
}

/// The event as JSON, without `null`s and empty lists (an absent list or option serialises
/// either way).
fn to_json<E: Serialize>(event: &E) -> Value {
    let mut v = serde_json::to_value(event).expect("events serialise");
    prune(&mut v);
    v
}

/// Decode one mutant; check its type and its fields against the sample's event.
#[allow(clippy::too_many_arguments)]
fn check<P: Platform>(
    sweep: &mut Sweep,
    name: &str,
    want: &Value,
    frame: &Value,
    reverse: bool,
    m: Mutation,
    path: &[Step],
    sent: Option<&Value>,
) {
    let at = format!("{name} {}", show(path));
    if let Some(reason) = P::strict(name, path, m) {
        *sweep.strict.entry(reason).or_default() += 1;
        if P::decode(write(frame, reverse)).is_ok() {
            sweep.fail(m, &format!("decoded, but is left strict ({reason})"), at);
        }
        return;
    }
    *sweep.mutants.entry(m).or_default() += 1;
    let shown = sent.map(|v| {
        if *v == Value::String(WIDE_BARE.into()) {
            Value::String(WIDE.into())
        } else {
            v.clone()
        }
    });
    let got = match P::decode(write(frame, reverse)) {
        Ok((kind, event)) if kind == name && !P::is_unknown(&event) => to_json(&event),
        Ok((kind, _)) => return sweep.fail(m, &format!("decoded as {kind}"), at),
        Err(e) => {
            // The error's text without the event, the field and the position: the class.
            let class = e.rsplit("`: ").next().unwrap_or(&e);
            let class = class.split(" at line").next().unwrap_or(class).to_owned();
            return sweep.fail(m, &format!("error: {class}"), format!("{at}: {e}"));
        }
    };
    if got == *want {
        return;
    }
    // The field the sample's event read at `path`, and the mutant's.
    let path = &P::unit(name, path)[..];
    let (was, now) = (get(want, path), get(&got, path));
    if m.keeps_value() {
        // Only a field carried raw may differ, by the value as sent.
        let shown = sent.map(|v| {
            if *v == Value::String(WIDE_BARE.into()) {
                Value::String(WIDE.into())
            } else {
                v.clone()
            }
        });
        if now == shown.as_ref() && equal_but(&got, want, path) {
            return;
        }
        return sweep.fail(
            m,
            "changed the event",
            format!("{at}: got {}, want {}", diff(&got, want), diff(want, &got)),
        );
    }
    if !equal_but(&got, want, path) {
        return sweep.fail(
            m,
            "changed another field",
            format!("{at}: got {}, want {}", diff(&got, want), diff(want, &got)),
        );
    }
    // A string field reads a number as its text, a wide id with every digit; a field carried
    // raw (or a union that reads a number as an id) keeps the value as sent.
    if let Some(Value::String(_)) = was {
        let expect = match m {
            Mutation::StringAsNumber => Some(STRING_AS_NUMBER.to_string()),
            Mutation::WideBare | Mutation::WideString => Some(WIDE.to_owned()),
            _ => None,
        };
        if let Some(expect) = expect {
            if now != Some(&Value::String(expect.clone())) && now != shown.as_ref() {
                sweep.fail(
                    m,
                    "string field lost the value",
                    format!("{at}: read {now:?}, want {expect:?}"),
                );
            }
        }
    }
}

/// The first differing node between `a` and `b`, as `path: value` (for messages).
fn diff(a: &Value, b: &Value) -> String {
    fn go(a: &Value, b: &Value, path: &mut String) -> Option<String> {
        match (a, b) {
            (Value::Object(x), Value::Object(y)) => {
                for (k, v) in x {
                    let len = path.len();
                    path.push('.');
                    path.push_str(k);
                    let d = match y.get(k) {
                        Some(w) => go(v, w, path),
                        None => Some(format!("{path}: {v}")),
                    };
                    if d.is_some() {
                        return d;
                    }
                    path.truncate(len);
                }
                y.keys()
                    .find(|k| !x.contains_key(*k))
                    .map(|k| format!("{path}.{k}: (none)"))
            }
            (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
                x.iter().zip(y).enumerate().find_map(|(i, (v, w))| {
                    let len = path.len();
                    path.push_str(&format!("[{i}]"));
                    let d = go(v, w, path);
                    path.truncate(len);
                    d
                })
            }
            _ if a == b => None,
            _ => Some(format!("{path}: {}", truncate(a.to_string()))),
        }
    }
    go(a, b, &mut String::new()).unwrap_or_default()
}

fn truncate(mut s: String) -> String {
    if s.len() > 120 {
        let mut end = 120;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
        s.push('…');
    }
    s
}

fn sweep<P: Platform>(files: &[&str]) -> Sweep {
    let mut sweep = Sweep::default();
    let schema = P::schema();
    for sample in samples(files) {
        let Ok((name, event)) = P::decode(write(&sample, false)) else {
            continue;
        };
        if P::is_unknown(&event) || !schema.contains(&name.as_str()) {
            continue;
        }
        let want = to_json(&event);
        sweep.samples += 1;
        sweep.covered.insert(name.clone());
        let payload = match P::PAYLOAD {
            None => sample.clone(),
            Some(key) => sample[key].clone(),
        };
        // The whole frame, every object's keys reversed.
        check::<P>(
            &mut sweep,
            &name,
            &want,
            &sample,
            true,
            Mutation::ReverseKeys,
            &[],
            None,
        );
        // An unknown key in every object of the payload (and its root).
        let mut objects: Vec<Path> = vec![Vec::new()];
        objects.extend(
            paths(&payload)
                .into_iter()
                .filter(|p| get(&payload, p).is_some_and(Value::is_object) && !P::exempt(&name, p)),
        );
        for path in objects {
            let Some(mutant) = with_unknown_key(&payload, &path) else {
                continue;
            };
            let mut at = path.clone();
            at.push(Step::Key(UNKNOWN.to_owned()));
            let frame = frame_with::<P>(&sample, mutant);
            check::<P>(
                &mut sweep,
                &name,
                &want,
                &frame,
                false,
                Mutation::UnknownKey,
                &at,
                Some(&unknown_value()),
            );
        }
        for path in paths(&payload) {
            if P::exempt(&name, &path) {
                continue;
            }
            let value = get(&payload, &path).expect("a path of the payload");
            for m in FIELD_MUTATIONS {
                let new = if m == Mutation::Drop {
                    None
                } else {
                    match m.apply(value) {
                        Some(v) => Some(v),
                        None => continue,
                    }
                };
                let mutant = set(&payload, &path, new.clone()).expect("a path of the payload");
                let frame = frame_with::<P>(&sample, mutant);
                check::<P>(
                    &mut sweep,
                    &name,
                    &want,
                    &frame,
                    false,
                    m,
                    &path,
                    new.as_ref(),
                );
            }
        }
    }
    sweep
}

fn report<P: Platform>(sweep: &Sweep) {
    let total: usize = sweep.mutants.values().sum();
    let failed: usize = sweep.failures.values().map(Vec::len).sum();
    eprintln!(
        "{}: {} samples ({} event types), {total} mutants {:?}, left strict {:?}, {failed} \
         failures",
        P::NAME,
        sweep.samples,
        sweep.covered.len(),
        sweep.mutants,
        sweep.strict
    );
    for ((m, class), at) in &sweep.failures {
        eprintln!("  {m:?} / {class}: {} paths", at.len());
        for a in at.iter().take(8) {
            eprintln!("      {a}");
        }
    }
    let missing: Vec<_> = P::schema()
        .into_iter()
        .filter(|n| !sweep.covered.contains(*n))
        .collect();
    assert!(missing.is_empty(), "{}: no sample for {missing:?}", P::NAME);
    assert_eq!(failed, 0, "{}: {failed} failing mutants", P::NAME);
}

#[test]
fn qq_payloads_survive_every_mutation() {
    let sweep = sweep::<Qq>(&[
        "qq/frames.jsonl",
        "qq/order.jsonl",
        "qq/schema_events.jsonl",
    ]);
    report::<Qq>(&sweep);
}

#[test]
fn bubble_payloads_survive_every_mutation() {
    let sweep = sweep::<Bubble>(&["bubble/frames.jsonl", "bubble/schema_events.jsonl"]);
    report::<Bubble>(&sweep);
}

#[test]
fn onebot_events_survive_every_mutation() {
    let sweep = sweep::<OneBot>(&["onebot/events.jsonl", "onebot/schema_events.jsonl"]);
    report::<OneBot>(&sweep);
}
