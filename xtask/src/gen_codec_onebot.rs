//! `codec/src/generated/onebot.rs`: the typed OneBot v11 event enum, its kinds and its decode,
//! from `proto/schema/onebot.toml` (what `gen_codec` does for QQ and Bubble; OneBot's enum is
//! keyed by kind and its payloads are whole event objects, hence its own renderer).

use crate::rust::{camel_case, lit, payload_path, Out};
use crate::schema::OneBotSchema;

/// `codec/src/generated/onebot.rs`.
pub fn render(s: &OneBotSchema) -> String {
    let rows: Vec<(String, &str, String, &str)> = s
        .event
        .iter()
        .map(|e| {
            (
                camel_case(&e.kind),
                e.kind.as_str(),
                payload_path("onebot", &e.payload),
                e.doc.trim(),
            )
        })
        .collect();
    let mut o = Out::generated();
    o.module_doc(
        "The typed OneBot v11 event: one variant per kind of `proto/schema/onebot.toml`,\n\
         generated. Re-exported by `crate::onebot`, which adds the frame-level decode.",
    );
    o.blank();
    o.line("use crate::Error;");
    o.line("use botgate_proto::onebot::EventKind;");
    o.line("use serde_json::Value;");
    o.blank();

    o.doc(
        0,
        "A decoded OneBot v11 event: one variant per kind, named as the [`EventKind`] variant.\n\n\
         Payloads are the whole event object, boxed so that the enum stays small; a kind botgate\n\
         does not know is kept as [`Event::Unknown`] with its JSON. Serialises as the payload\n\
         alone, under its wire names.",
    );
    o.line("#[derive(Debug, Clone, PartialEq)]");
    o.line("#[non_exhaustive]");
    o.line("pub enum Event {");
    for (ident, kind, path, doc) in &rows {
        o.doc(4, &format!("`{kind}`: {doc}"));
        o.line(format!("    {ident}(Box<{path}>),"));
    }
    o.doc(4, "A kind botgate does not know, with the event as JSON.");
    o.line("    Unknown {");
    o.doc(
        8,
        "The kind (`post_type.detail[.sub_type]`, as [`EventKind::classify`] builds it).",
    );
    o.line("        kind: String,");
    o.doc(8, "The whole event, parsed but not interpreted.");
    o.line("        data: Value,");
    o.line("    },");
    o.line("}");
    o.blank();

    o.doc(
        0,
        "Every kind with a typed variant, as wire strings, in schema order.",
    );
    o.line("pub const KINDS: &[&str] = &[");
    for (_, kind, _, _) in &rows {
        o.line(format!("    {},", lit(kind)));
    }
    o.line("];");
    o.blank();

    o.line("impl Event {");
    o.doc(4, "The event's kind.");
    o.line("    #[must_use]");
    o.line("    pub fn kind(&self) -> EventKind {");
    o.line("        match self {");
    for (ident, _, _, _) in &rows {
        o.line(format!(
            "            Event::{ident}(_) => EventKind::{ident},"
        ));
    }
    o.line("            Event::Unknown { kind, .. } => EventKind::from(kind.as_str()),");
    o.line("        }");
    o.line("    }");
    o.blank();
    o.doc(
        4,
        "The event's kind as its wire string, without allocating.",
    );
    o.line("    #[must_use]");
    o.line("    pub fn kind_str(&self) -> &str {");
    o.line("        match self {");
    for (ident, kind, _, _) in &rows {
        o.line(format!("            Event::{ident}(_) => {},", lit(kind)));
    }
    o.line("            Event::Unknown { kind, .. } => kind,");
    o.line("        }");
    o.line("    }");
    o.blank();
    o.doc(
        4,
        "Decode a whole event object of a kind already known (from\n\
         [`RawEvent`](crate::onebot::RawEvent) or [`EventKind::classify`]).\n\n\
         # Errors\n\
         [`ErrorKind::Payload`](crate::ErrorKind::Payload) naming the kind and the path\n\
         of the offending field; [`ErrorKind::Syntax`](crate::ErrorKind::Syntax) /\n\
         [`ErrorKind::Payload`](crate::ErrorKind::Payload) if `bytes` is not JSON.",
    );
    o.line("    pub fn decode_as(kind: &EventKind, bytes: &[u8]) -> Result<Event, Error> {");
    o.line("        let name = kind.as_str();");
    o.line("        Ok(match kind {");
    for (ident, _, _, _) in &rows {
        o.line(format!(
            "            EventKind::{ident} => Event::{ident}(payload(name, bytes)?),"
        ));
    }
    o.line("            _ => Event::Unknown {");
    o.line("                kind: name.to_owned(),");
    o.line("                data: Error::decode_payload(name, bytes)?,");
    o.line("            },");
    o.line("        })");
    o.line("    }");
    o.blank();
    for (method, field, doc) in [
        (
            "self_id",
            "self_id",
            "The bot account's id (`self_id`); `None` if an unknown event lacks it.",
        ),
        ("time", "time", "The event's unix time in seconds (`time`)."),
    ] {
        o.doc(4, doc);
        o.line("    #[must_use]");
        o.line(format!("    pub fn {method}(&self) -> Option<i64> {{"));
        o.line("        match self {");
        for (ident, _, _, _) in &rows {
            o.line(format!("            Event::{ident}(p) => Some(p.{field}),"));
        }
        o.line(format!(
            "            Event::Unknown {{ data, .. }} => int_field(data, {}),",
            lit(field)
        ));
        o.line("        }");
        o.line("    }");
        o.blank();
    }
    o.line("}");
    o.blank();

    o.line("impl serde::Serialize for Event {");
    o.line(
        "    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {",
    );
    o.line("        match self {");
    for (ident, _, _, _) in &rows {
        o.line(format!(
            "            Event::{ident}(payload) => payload.serialize(serializer),"
        ));
    }
    o.line("            Event::Unknown { data, .. } => data.serialize(serializer),");
    o.line("        }");
    o.line("    }");
    o.line("}");
    o.blank();

    o.line("fn payload<T>(kind: &str, bytes: &[u8]) -> Result<Box<T>, Error>");
    o.line("where");
    o.line("    T: botgate_proto::de::Payload + serde::de::DeserializeOwned,");
    o.line("{");
    o.line("    Error::decode_boxed_object::<T>(kind, bytes)");
    o.line("}");
    o.blank();
    o.doc(
        0,
        "An integer field of an unknown event, sent as a number or a numeric string.",
    );
    o.line("fn int_field(data: &Value, key: &str) -> Option<i64> {");
    o.line("    match data.get(key)? {");
    o.line("        Value::Number(n) => n.as_i64(),");
    o.line("        Value::String(s) => s.trim().parse().ok(),");
    o.line("        _ => None,");
    o.line("    }");
    o.line("}");
    o.finish()
}
