//! The event schema (`proto/schema/*.toml`): its serde shape and the checks it must pass before
//! anything is generated from it. The format is described in `proto/schema/README.md`.

use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// `proto/schema/qq.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QqSchema {
    /// One per intents bit, in bit order.
    #[serde(default)]
    pub intent: Vec<Intent>,
    /// One per event type.
    #[serde(default)]
    pub event: Vec<QqEvent>,
}

/// One QQ intents bit.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Intent {
    /// The bitflags constant (`GUILDS`).
    pub name: String,
    /// The bit number (`1 << bit`).
    pub bit: u32,
    /// One line: which events the bit delivers.
    pub doc: String,
    /// Open to every bot without a grant.
    #[serde(default)]
    pub public: bool,
}

/// One QQ event type.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QqEvent {
    /// Wire name (`t`).
    pub name: String,
    /// The intent that delivers it; `None` for READY / RESUMED.
    pub intent: Option<String>,
    /// Payload type in `botgate_proto::qq` (or a path).
    pub payload: String,
    /// Dispatch handler name (`on_<handler>`).
    pub handler: String,
    /// One line.
    pub doc: String,
    /// Event / sub event in the unified model.
    pub unified: Option<String>,
    /// Scene in the unified model.
    pub scene: Option<String>,
}

/// `proto/schema/bubble.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BubbleSchema {
    /// One per event type.
    #[serde(default)]
    pub event: Vec<BubbleEvent>,
}

/// One Bubble event type.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BubbleEvent {
    /// Wire name (`t`).
    pub name: String,
    /// Payload type in `botgate_proto::bubble` (or a path).
    pub payload: String,
    /// Dispatch handler name.
    pub handler: String,
    /// Schema version that introduced it (`2025-12`, `2026-03`).
    pub since: String,
    /// Whether op 30 may subscribe to it.
    #[serde(default = "yes")]
    pub subscribable: bool,
    /// One line.
    pub doc: String,
    /// Event / sub event in the unified model.
    pub unified: Option<String>,
    /// Scene in the unified model.
    pub scene: Option<String>,
}

fn yes() -> bool {
    true
}

/// `proto/schema/onebot.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OneBotSchema {
    /// One per event kind.
    #[serde(default)]
    pub event: Vec<OneBotEvent>,
}

/// One OneBot event kind.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OneBotEvent {
    /// `post_type[.detail[.sub_type]]`.
    pub kind: String,
    /// `message` / `notice` / `request` / `meta_event` / ...
    pub post_type: String,
    /// `message_type` / `notice_type` / `request_type` / `meta_event_type`.
    pub detail: Option<String>,
    /// Only where the sub type selects the payload.
    pub sub_type: Option<String>,
    /// Payload type in `botgate_proto::onebot` (or a path).
    pub payload: String,
    /// Dispatch handler name.
    pub handler: String,
    /// One line.
    pub doc: String,
    /// Event / sub event in the unified model.
    pub unified: Option<String>,
    /// Scene in the unified model.
    pub scene: Option<String>,
}

/// Reads and parses one schema file.
pub fn load<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    parse(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Parses one schema file's text.
pub fn parse<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, String> {
    toml::from_str(text).map_err(|e| e.to_string())
}

/// Collects every problem of one schema file, so that one run reports them all.
#[derive(Debug, Default)]
pub struct Problems {
    file: String,
    list: Vec<String>,
}

impl Problems {
    fn new(file: &str) -> Self {
        Self {
            file: file.to_owned(),
            list: Vec::new(),
        }
    }

    fn push(&mut self, what: impl Into<String>) {
        self.list.push(what.into());
    }

    /// `Ok` when nothing was found, else one line per problem.
    pub fn into_result(self) -> Result<(), String> {
        if self.list.is_empty() {
            return Ok(());
        }
        let lines: Vec<String> = self
            .list
            .iter()
            .map(|p| format!("{}: {p}", self.file))
            .collect();
        Err(lines.join("\n"))
    }
}

/// Checks `proto/schema/qq.toml`.
pub fn validate_qq(s: &QqSchema) -> Result<(), String> {
    let mut p = Problems::new("qq.toml");
    let mut bits = BTreeMap::new();
    let mut intent_names = BTreeMap::new();
    let mut last_bit = None;
    for i in &s.intent {
        check_upper_name(&mut p, "intent", &i.name);
        check_doc(&mut p, &i.name, &i.doc);
        if i.bit >= 32 {
            p.push(format!(
                "intent {}: bit {} does not fit in u32",
                i.name, i.bit
            ));
        }
        if let Some(other) = bits.insert(i.bit, i.name.as_str()) {
            p.push(format!(
                "intents {other} and {} both use bit {}",
                i.name, i.bit
            ));
        }
        if intent_names.insert(i.name.as_str(), i.bit).is_some() {
            p.push(format!("intent {} is listed twice", i.name));
        }
        if let Some(last) = last_bit {
            if i.bit < last {
                p.push(format!(
                    "intent {} (bit {}) is out of bit order",
                    i.name, i.bit
                ));
            }
        }
        last_bit = Some(i.bit);
    }
    let mut common = Common::new();
    for e in &s.event {
        check_upper_name(&mut p, "event", &e.name);
        common.check(&mut p, &e.name, &e.payload, &e.handler, &e.doc);
        common.check_unified(&mut p, &e.name, e.unified.as_deref(), e.scene.as_deref());
        if let Some(intent) = &e.intent {
            if !intent_names.contains_key(intent.as_str()) {
                p.push(format!(
                    "event {}: intent {intent} is not an [[intent]]",
                    e.name
                ));
            }
        }
    }
    p.into_result()
}

/// Checks `proto/schema/bubble.toml`.
pub fn validate_bubble(s: &BubbleSchema) -> Result<(), String> {
    let mut p = Problems::new("bubble.toml");
    let mut common = Common::new();
    for e in &s.event {
        check_upper_name(&mut p, "event", &e.name);
        common.check(&mut p, &e.name, &e.payload, &e.handler, &e.doc);
        common.check_unified(&mut p, &e.name, e.unified.as_deref(), e.scene.as_deref());
        if !is_year_month(&e.since) {
            p.push(format!(
                "event {}: since = {:?} is not YYYY-MM",
                e.name, e.since
            ));
        }
    }
    p.into_result()
}

/// Checks `proto/schema/onebot.toml`.
pub fn validate_onebot(s: &OneBotSchema) -> Result<(), String> {
    let mut p = Problems::new("onebot.toml");
    let mut common = Common::new();
    for e in &s.event {
        let parts_ok = e.kind.split('.').all(is_snake);
        if !parts_ok {
            p.push(format!(
                "event {:?}: kind must be dot-separated snake_case words",
                e.kind
            ));
        }
        common.check(&mut p, &e.kind, &e.payload, &e.handler, &e.doc);
        common.check_unified(&mut p, &e.kind, e.unified.as_deref(), e.scene.as_deref());
        if e.sub_type.is_some() && e.detail.is_none() {
            p.push(format!("event {}: sub_type without detail", e.kind));
        }
        let expected: Vec<&str> = std::iter::once(e.post_type.as_str())
            .chain(e.detail.as_deref())
            .chain(e.sub_type.as_deref())
            .collect();
        let expected = expected.join(".");
        if e.kind != expected {
            p.push(format!(
                "event {}: kind must be post_type[.detail[.sub_type]] = {expected:?}",
                e.kind
            ));
        }
    }
    p.into_result()
}

/// Checks shared by every platform: unique names, variants and handlers; well-formed payload
/// paths, handler names and docs.
struct Common {
    names: BTreeSet<String>,
    variants: BTreeMap<String, String>,
    handlers: BTreeMap<String, String>,
}

impl Common {
    fn new() -> Self {
        Self {
            names: BTreeSet::new(),
            variants: BTreeMap::new(),
            handlers: BTreeMap::new(),
        }
    }

    fn check(&mut self, p: &mut Problems, name: &str, payload: &str, handler: &str, doc: &str) {
        if !self.names.insert(name.to_owned()) {
            p.push(format!("event {name} is listed twice"));
        }
        let variant = crate::rust::camel_case(name);
        if variant == "Unknown" || variant == "Self" || variant.is_empty() {
            p.push(format!(
                "event {name}: its variant name {variant:?} is reserved"
            ));
        } else if let Some(other) = self.variants.insert(variant.clone(), name.to_owned()) {
            if other != name {
                p.push(format!(
                    "events {other} and {name} both become the variant {variant}"
                ));
            }
        }
        if !is_snake(handler) {
            p.push(format!(
                "event {name}: handler {handler:?} is not a snake_case identifier"
            ));
        } else if let Some(other) = self.handlers.insert(handler.to_owned(), name.to_owned()) {
            p.push(format!(
                "events {other} and {name} both use the handler {handler}"
            ));
        }
        if !is_type_path(payload) {
            p.push(format!(
                "event {name}: payload {payload:?} is not a type name or path"
            ));
        }
        check_doc(p, name, doc);
    }

    fn check_unified(
        &mut self,
        p: &mut Problems,
        name: &str,
        unified: Option<&str>,
        scene: Option<&str>,
    ) {
        for (key, value) in [("unified", unified), ("scene", scene)] {
            if let Some(v) = value {
                if v.trim().is_empty() || v.contains(['"', '\\', '\n']) {
                    p.push(format!("event {name}: {key} = {v:?} is not a plain name"));
                }
            }
        }
    }
}

fn check_upper_name(p: &mut Problems, what: &str, name: &str) {
    let ok = name.starts_with(|c: char| c.is_ascii_uppercase())
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    if !ok {
        p.push(format!("{what} {name:?}: must be UPPER_SNAKE_CASE"));
    }
}

fn check_doc(p: &mut Problems, name: &str, doc: &str) {
    if doc.trim().is_empty() {
        p.push(format!("{name}: doc is empty"));
    }
}

/// `snake_case` identifier (lowercase ASCII letters, digits, underscores; starts with a letter).
pub fn is_snake(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// `Name` or `path::to::Name` (no generics).
pub fn is_type_path(s: &str) -> bool {
    !s.is_empty()
        && s.split("::").all(|seg| {
            seg.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                && seg.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        })
}

fn is_year_month(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 7
        && b[4] == b'-'
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[5..].iter().all(u8::is_ascii_digit)
        && s[5..].parse::<u8>().is_ok_and(|m| (1..=12).contains(&m))
}

#[cfg(test)]
mod tests {
    use super::*;

    const QQ: &str = r#"
        [[intent]]
        name = "GUILDS"
        bit = 0
        doc = "Guilds."
        public = true

        [[intent]]
        name = "PUBLIC_GUILD_MESSAGES"
        bit = 30
        doc = "At messages."
        public = true

        [[event]]
        name = "AT_MESSAGE_CREATE"
        intent = "PUBLIC_GUILD_MESSAGES"
        payload = "Message"
        handler = "at_message_create"
        doc = "An @ message."

        [[event]]
        name = "READY"
        payload = "Ready"
        handler = "ready"
        doc = "Ready."
    "#;

    #[test]
    fn a_well_formed_qq_schema_passes() {
        let s: QqSchema = parse(QQ).unwrap();
        assert_eq!(s.intent.len(), 2);
        assert_eq!(s.event[1].intent, None);
        validate_qq(&s).unwrap();
    }

    #[test]
    fn duplicate_names_handlers_bits_and_missing_intents_are_all_reported() {
        let text = QQ
            .replace("bit = 30", "bit = 0")
            .replace(
                "[[event]]\n        name = \"READY\"",
                "[[event]]\n        name = \"AT_MESSAGE_CREATE\"\n        intent = \"NOPE\"",
            )
            .replace("handler = \"ready\"", "handler = \"at_message_create\"");
        let s: QqSchema = parse(&text).unwrap();
        let err = validate_qq(&s).unwrap_err();
        assert!(err.contains("both use bit 0"), "{err}");
        assert!(err.contains("AT_MESSAGE_CREATE is listed twice"), "{err}");
        assert!(
            err.contains("both use the handler at_message_create"),
            "{err}"
        );
        assert!(err.contains("intent NOPE is not an [[intent]]"), "{err}");
    }

    #[test]
    fn unknown_keys_are_rejected_so_typos_do_not_pass_silently() {
        let err = parse::<QqSchema>(&QQ.replace("handler = \"ready\"", "handlr = \"ready\""))
            .unwrap_err();
        assert!(err.contains("handlr"), "{err}");
    }

    #[test]
    fn onebot_kind_must_match_its_parts() {
        let s: OneBotSchema = parse(
            r#"
            [[event]]
            kind = "notice.notify.poke"
            post_type = "notice"
            detail = "notify"
            payload = "PokeNotice"
            handler = "notify_poke"
            doc = "Poke."
        "#,
        )
        .unwrap();
        let err = validate_onebot(&s).unwrap_err();
        assert!(err.contains("\"notice.notify\""), "{err}");
    }

    #[test]
    fn bubble_since_must_be_a_month() {
        let s: BubbleSchema = parse(
            r#"
            [[event]]
            name = "MESSAGE_CREATE"
            payload = "Message"
            handler = "message_create"
            since = "2025-13"
            doc = "A message."
        "#,
        )
        .unwrap();
        assert!(s.event[0].subscribable);
        let err = validate_bubble(&s).unwrap_err();
        assert!(err.contains("is not YYYY-MM"), "{err}");
    }
}
