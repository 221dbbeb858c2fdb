//! Lenient decoding as a property (issue 14, decision 0014): for every event type of every
//! schema, a real sample frame is taken; every field of its payload (objects and array
//! elements, at any depth) is removed, set to `null` and set to `""`, one at a time; each mutant
//! goes through the codec's real path (`Frame::scan` + `decode_event` for QQ and Bubble,
//! `Incoming::classify` + `RawEvent::decode` for OneBot) and must decode, as the same event
//! type, with the field absent or at its default (exactly what the removed field gives).
//!
//! Exempt, because the protocol needs them strictly (they are not payload fields):
//! - QQ and Bubble: the envelope `op`, `s`, `t`, `id` and `d` itself (the frame scan reads
//!   them, decision 0009); only what is inside `d` is mutated.
//! - OneBot: `post_type`, the detail type (`message_type`, `notice_type`, `request_type`,
//!   `meta_event_type`) and, for the kinds the schema keys on it (`notice.notify.*`),
//!   `sub_type`: they select the event kind, so a mutant is another (unknown) kind.
//!
//! Not exempt but not decoded either: a field the typed payload does not model (an `extra`
//! map, an unknown segment's data) passes through as sent, `null` and `""` included; the check
//! there is that nothing else changes.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

#[path = "support/mutants.rs"]
mod mutants;

use botgate_codec::onebot::{self, Incoming};
use botgate_codec::{bubble, qq, Frame};
use mutants::{
    compare, get, mutate, paths, probe, show, sibling_probe, Mutation, Outcome, Path, Step, Tally,
};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeSet;
use std::fmt::Debug;

const MUTATIONS: [Mutation; 3] = [Mutation::Removed, Mutation::Null, Mutation::Empty];

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

/// One platform's view of a sample: which event it is, where its payload is, how it decodes.
trait Platform {
    /// The typed event.
    type Event: PartialEq + Debug + Serialize;
    /// The schema's event types, as wire names.
    fn schema() -> Vec<&'static str>;
    /// The event type of a sample, if it is a typed event of the schema.
    fn name(sample: &Value) -> Option<String>;
    /// Where the payload sits inside the sample (`d`, or the whole object).
    const PAYLOAD: &'static [&'static str];
    /// Decode a (mutated) sample through the codec; the event type it decoded as.
    fn decode(sample: &Value) -> Result<(String, Self::Event), String>;
    /// Why a field path (relative to the payload) is exempt, if it is.
    fn exempt(name: &str, path: &[Step]) -> Option<&'static str>;
}

struct Qq;

impl Platform for Qq {
    type Event = qq::Event;
    const PAYLOAD: &'static [&'static str] = &["d"];
    fn schema() -> Vec<&'static str> {
        qq::EVENTS.iter().map(|e| e.name).collect()
    }
    fn name(sample: &Value) -> Option<String> {
        let t = sample.get("t")?.as_str()?;
        (sample.get("op") == Some(&Value::from(0)) && Self::schema().contains(&t))
            .then(|| t.to_owned())
    }
    fn decode(sample: &Value) -> Result<(String, qq::Event), String> {
        let frame = Frame::scan(sample.to_string().into_bytes()).map_err(|e| e.to_string())?;
        let t = frame.event_type().ok_or("no t")?.to_owned();
        let event = qq::decode_event(&t, frame.data().ok_or("no d")?).map_err(|e| e.to_string())?;
        Ok((event.name().to_owned(), event))
    }
    fn exempt(_: &str, _: &[Step]) -> Option<&'static str> {
        None
    }
}

struct Bubble;

impl Platform for Bubble {
    type Event = bubble::Event;
    const PAYLOAD: &'static [&'static str] = &["d"];
    fn schema() -> Vec<&'static str> {
        bubble::EVENTS.iter().map(|e| e.name).collect()
    }
    fn name(sample: &Value) -> Option<String> {
        let t = sample.get("t")?.as_str()?;
        (sample.get("op") == Some(&Value::from(0)) && Self::schema().contains(&t))
            .then(|| t.to_owned())
    }
    fn decode(sample: &Value) -> Result<(String, bubble::Event), String> {
        let frame = Frame::scan(sample.to_string().into_bytes()).map_err(|e| e.to_string())?;
        let t = frame.event_type().ok_or("no t")?.to_owned();
        let event =
            bubble::decode_event(&t, frame.data().ok_or("no d")?).map_err(|e| e.to_string())?;
        Ok((event.name().to_owned(), event))
    }
    fn exempt(_: &str, _: &[Step]) -> Option<&'static str> {
        None
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
    const PAYLOAD: &'static [&'static str] = &[];
    fn schema() -> Vec<&'static str> {
        onebot::KINDS.to_vec()
    }
    fn name(sample: &Value) -> Option<String> {
        let (kind, event) = Self::decode(sample).ok()?;
        (!event.is_unknown()).then_some(kind)
    }
    fn decode(sample: &Value) -> Result<(String, onebot::Event), String> {
        let incoming =
            Incoming::classify(sample.to_string().into_bytes()).map_err(|e| e.to_string())?;
        let Incoming::Event(raw) = incoming else {
            return Err("an action response, not an event".into());
        };
        let event = raw.decode().map_err(|e| e.to_string())?;
        Ok((event.kind_str().to_owned(), event))
    }
    fn exempt(name: &str, path: &[Step]) -> Option<&'static str> {
        let [Step::Key(key)] = path else { return None };
        if ONEBOT_KIND_KEYS.contains(&key.as_str()) {
            return Some("selects the event kind");
        }
        (key == "sub_type" && name.split('.').count() == 3)
            .then_some("selects the event kind (notify sub types)")
    }
}

/// `sample` with its payload replaced by `payload`.
fn with_payload<P: Platform>(sample: &Value, payload: Value) -> Value {
    match P::PAYLOAD {
        [] => payload,
        [key] => {
            let mut frame = sample.clone();
            frame[*key] = payload;
            frame
        }
        _ => unreachable!("one level at most"),
    }
}

/// Walk every sample of `files`; return the tally and every violation found.
fn run<P: Platform>(files: &[&str]) -> (Tally, Vec<String>) {
    let mut tally = Tally::default();
    let mut failures = Vec::new();
    let mut covered = BTreeSet::new();
    for sample in samples(files) {
        let Some(name) = P::name(&sample) else {
            continue;
        };
        let payload = match P::PAYLOAD {
            [] => sample.clone(),
            [key] => sample[*key].clone(),
            _ => unreachable!(),
        };
        match P::decode(&sample) {
            Ok((got, _)) if got == name => {}
            other => {
                failures.push(format!("{name}: the sample itself: {other:?}"));
                continue;
            }
        }
        covered.insert(name.clone());
        tally.samples += 1;
        for path in paths(&payload) {
            if P::exempt(&name, &path).is_some() {
                tally.exempt += 1;
                continue;
            }
            tally.fields += 1;
            check_field::<P>(&sample, &payload, &name, &path, &mut tally, &mut failures);
        }
    }
    for name in P::schema() {
        if !covered.contains(name) {
            failures.push(format!("{name}: no sample frame in {files:?}"));
        }
    }
    (tally, failures)
}

/// The three mutants of one field.
fn check_field<P: Platform>(
    sample: &Value,
    payload: &Value,
    name: &str,
    path: &Path,
    tally: &mut Tally,
    failures: &mut Vec<String>,
) {
    let at = format!("{name} {}", show(path));
    let mut removed = None;
    for m in MUTATIONS {
        let mutant = mutate(payload, path, m).expect("the path is in the payload");
        let frame = with_payload::<P>(sample, mutant);
        tally.mutants += 1;
        let event = match P::decode(&frame) {
            Ok((got, event)) if got == name => event,
            Ok((got, _)) => {
                failures.push(format!("{at} {m:?}: decoded as {got}"));
                continue;
            }
            Err(e) => {
                failures.push(format!("{at} {m:?}: {e}"));
                continue;
            }
        };
        if m == Mutation::Removed {
            removed = Some(event);
            continue;
        }
        let Some(removed) = &removed else { continue };
        let carried_raw = || carried_raw::<P>(sample, payload, path);
        match compare(&event, removed, path, m, carried_raw) {
            Ok(Outcome::Absent) => tally.absent += 1,
            Ok(Outcome::PassedThrough) => tally.passed_through += 1,
            Err(e) => failures.push(format!("{at}: {e}")),
        }
    }
}

/// Whether the typed payload carries the field at `path` raw (an `extra` map, an unknown
/// segment's data): a probe value put there survives verbatim, and so does an unknown key
/// added next to it. A typed field passes neither: it reads the probe as absent, and its
/// struct ignores unknown keys.
fn carried_raw<P: Platform>(sample: &Value, payload: &Value, path: &Path) -> bool {
    let serialised = |payload: Value| -> Option<Value> {
        let (_, event) = P::decode(&with_payload::<P>(sample, payload)).ok()?;
        serde_json::to_value(event).ok()
    };
    let probed = mutate(payload, path, Mutation::Null).map(|mut p| {
        if let Some(slot) = get_mut(&mut p, path) {
            *slot = probe();
        }
        p
    });
    let kept = probed
        .and_then(serialised)
        .is_some_and(|json| get(&json, path) == Some(&probe()));
    let sibling_kept = sibling_probe(payload, path).is_some_and(|(p, at)| {
        serialised(p).is_some_and(|json| get(&json, &at) == Some(&Value::Bool(true)))
    });
    kept && sibling_kept
}

fn get_mut<'a>(root: &'a mut Value, path: &[Step]) -> Option<&'a mut Value> {
    path.iter().try_fold(root, |node, step| match step {
        Step::Key(k) => node.get_mut(k.as_str()),
        Step::Index(i) => node.get_mut(*i),
    })
}

fn report(platform: &str, tally: &Tally, failures: &[String]) {
    eprintln!(
        "{platform}: {} samples, {} fields x 3 = {} mutants ({} absent, {} passed through), \
         {} exempt paths, {} failures",
        tally.samples,
        tally.fields,
        tally.mutants,
        tally.absent,
        tally.passed_through,
        tally.exempt,
        failures.len()
    );
    for f in failures.iter().take(100) {
        eprintln!("  {f}");
    }
    assert!(
        failures.is_empty(),
        "{platform}: {} failures",
        failures.len()
    );
    assert_eq!(tally.mutants, tally.fields * 3);
    assert_eq!(
        tally.absent + tally.passed_through,
        tally.fields * 2,
        "every null / \"\" mutant is checked"
    );
}

#[test]
fn qq_every_payload_field_is_lenient() {
    let (tally, failures) = run::<Qq>(&[
        "qq/frames.jsonl",
        "qq/order.jsonl",
        "qq/schema_events.jsonl",
    ]);
    report("qq", &tally, &failures);
    assert!(tally.samples >= qq::EVENTS.len());
}

#[test]
fn bubble_every_payload_field_is_lenient() {
    let (tally, failures) = run::<Bubble>(&["bubble/frames.jsonl", "bubble/schema_events.jsonl"]);
    report("bubble", &tally, &failures);
    assert!(tally.samples >= bubble::EVENTS.len());
}

#[test]
fn onebot_every_event_field_is_lenient() {
    let (tally, failures) = run::<OneBot>(&["onebot/events.jsonl", "onebot/schema_events.jsonl"]);
    report("onebot", &tally, &failures);
    assert!(tally.samples >= onebot::KINDS.len());
}
