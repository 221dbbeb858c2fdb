//! `codec/src/generated/*.rs`: the typed event enums, their decode tables, the event tables and
//! the QQ intents bits.

use crate::rust::{camel_case, lit, payload_path, Out};
use crate::schema::{BubbleSchema, QqSchema};

/// One event of a platform as the codec sees it.
struct Row {
    wire: String,
    ident: String,
    payload: String,
    payload_path: String,
    handler: String,
    doc: String,
    /// Extra `EventInfo` fields, already rendered (`intent: Intents::GUILDS,`).
    info: Vec<String>,
}

/// `codec/src/generated/qq.rs`.
pub fn render_qq(s: &QqSchema) -> String {
    let rows = s
        .event
        .iter()
        .map(|e| Row {
            wire: e.name.clone(),
            ident: camel_case(&e.name),
            payload: e.payload.clone(),
            payload_path: payload_path("qq", &e.payload),
            handler: e.handler.clone(),
            doc: e.doc.clone(),
            info: vec![match &e.intent {
                Some(i) => format!("intent: Intents::{i},"),
                None => "intent: Intents::empty(),".to_owned(),
            }],
        })
        .collect::<Vec<_>>();
    let fields = [InfoField {
        name: "intent",
        ty: "Intents",
        doc: "The intent that delivers it; empty for READY / RESUMED.",
    }];
    render_platform(
        "qq",
        "QQ Bot gateway",
        &["use crate::Intents;"],
        &fields,
        &rows,
    )
}

/// `codec/src/generated/bubble.rs`.
pub fn render_bubble(s: &BubbleSchema) -> String {
    let rows = s
        .event
        .iter()
        .map(|e| Row {
            wire: e.name.clone(),
            ident: camel_case(&e.name),
            payload: e.payload.clone(),
            payload_path: payload_path("bubble", &e.payload),
            handler: e.handler.clone(),
            doc: e.doc.clone(),
            info: vec![
                format!("since: {},", lit(&e.since)),
                format!("subscribable: {},", e.subscribable),
            ],
        })
        .collect::<Vec<_>>();
    let fields = [
        InfoField {
            name: "since",
            ty: "&'static str",
            doc: "The Bubble event schema that introduced it: `2025-12` (seed) or `2026-03` (rewrite).",
        },
        InfoField {
            name: "subscribable",
            ty: "bool",
            doc: "Whether op 30 (Subscribe) may name it.",
        },
    ];
    render_platform("bubble", "Bubble open-gateway", &[], &fields, &rows)
}

/// A platform's own column of the event table (`EventInfo`), besides name, payload, handler
/// and doc.
struct InfoField {
    name: &'static str,
    ty: &'static str,
    doc: &'static str,
}

fn render_platform(
    platform: &str,
    title: &str,
    uses: &[&str],
    fields: &[InfoField],
    rows: &[Row],
) -> String {
    let mut o = Out::generated();
    o.module_doc(&format!(
        "The typed {title} event, its decode and its event table, generated from\n\
         `proto/schema/{platform}.toml`. Re-exported by `crate::{platform}`."
    ));
    o.blank();
    for u in uses {
        o.line(*u);
    }
    o.line("use crate::Error;");
    o.line(format!("use botgate_proto::{platform}::EventType;"));
    o.blank();

    // The enum.
    o.doc(
        0,
        &format!(
            "A decoded {title} dispatch payload (`d`): one variant per event type of the schema.\n\n\
             Payloads are boxed so that the enum stays small whatever the payload types grow to;\n\
             an event type botgate does not know is kept as [`Event::Unknown`] with its JSON.\n\
             Serialises as the payload alone, under its wire names."
        ),
    );
    o.line("#[derive(Debug, Clone, PartialEq)]");
    o.line("#[non_exhaustive]");
    o.line("pub enum Event {");
    for r in rows {
        o.doc(4, &format!("`{}`: {}", r.wire, r.doc));
        o.line(format!("    {}(Box<{}>),", r.ident, r.payload_path));
    }
    o.doc(
        4,
        "An event type botgate does not know, with its payload as JSON.",
    );
    o.line("    Unknown {");
    o.doc(8, "The wire name (`t`).");
    o.line("        event_type: String,");
    o.doc(8, "The payload (`d`), parsed but not interpreted.");
    o.line("        data: serde_json::Value,");
    o.line("    },");
    o.line("}");
    o.blank();

    o.line("impl Event {");
    o.doc(4, "The event type of this event.");
    o.line("    #[must_use]");
    o.line("    pub fn event_type(&self) -> EventType {");
    o.line("        match self {");
    for r in rows {
        o.line(format!(
            "            Event::{}(_) => EventType::{},",
            r.ident, r.ident
        ));
    }
    o.line(
        "            Event::Unknown { event_type, .. } => EventType::from(event_type.as_str()),",
    );
    o.line("        }");
    o.line("    }");
    o.blank();
    o.doc(
        4,
        "The wire name of this event's type (`t`), without allocating.",
    );
    o.line("    #[must_use]");
    o.line("    pub fn name(&self) -> &str {");
    o.line("        match self {");
    for r in rows {
        o.line(format!(
            "            Event::{}(_) => {},",
            r.ident,
            lit(&r.wire)
        ));
    }
    o.line("            Event::Unknown { event_type, .. } => event_type,");
    o.line("        }");
    o.line("    }");
    o.line("}");
    o.blank();

    // decode_event
    o.doc(
        0,
        "Decodes the payload `data` (the raw bytes of `d`) of a dispatch of type `event_type`.\n\n\
         A known type decodes into its payload struct; an unknown one is kept as JSON in\n\
         [`Event::Unknown`].\n\n\
         # Errors\n\n\
         [`crate::ErrorKind::Payload`] when `data` is not valid JSON or does not fit the payload\n\
         type; it names the event type and the path of the offending field.",
    );
    o.line("pub fn decode_event(event_type: &str, data: &[u8]) -> Result<Event, Error> {");
    o.line("    Ok(match event_type {");
    for r in rows {
        o.line(format!(
            "        {} => Event::{}(payload(event_type, data)?),",
            lit(&r.wire),
            r.ident
        ));
    }
    o.line("        _ => Event::Unknown {");
    o.line("            event_type: event_type.to_owned(),");
    o.line("            data: Error::decode_payload(event_type, data)?,");
    o.line("        },");
    o.line("    })");
    o.line("}");
    o.blank();
    o.line("fn payload<T>(event_type: &str, data: &[u8]) -> Result<Box<T>, Error>");
    o.line("where");
    o.line("    T: botgate_proto::de::Payload + serde::de::DeserializeOwned,");
    o.line("{");
    o.line("    Error::decode_boxed_object::<T>(event_type, data)");
    o.line("}");
    o.blank();

    // Serialize
    o.line("impl serde::Serialize for Event {");
    o.line(
        "    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {",
    );
    o.line("        match self {");
    for r in rows {
        o.line(format!(
            "            Event::{}(payload) => payload.serialize(serializer),",
            r.ident
        ));
    }
    o.line("            Event::Unknown { data, .. } => data.serialize(serializer),");
    o.line("        }");
    o.line("    }");
    o.line("}");
    o.blank();

    // Table
    render_info(
        &mut o,
        platform,
        title,
        fields,
        rows.iter().find(|r| r.wire.ends_with("MESSAGE_CREATE")),
    );
    o.doc(
        0,
        &format!("Every {title} event type of the schema, in schema order."),
    );
    o.line("pub const EVENTS: &[EventInfo] = &[");
    for r in rows {
        o.line("    EventInfo {");
        o.line(format!("        name: {},", lit(&r.wire)));
        o.line(format!("        payload: {},", lit(&r.payload)));
        o.line(format!("        handler: {},", lit(&r.handler)));
        for f in &r.info {
            o.line(format!("        {f}"));
        }
        o.line(format!("        doc: {},", lit(r.doc.trim())));
        o.line("    },");
    }
    o.line("];");
    o.finish()
}

/// The `EventInfo` struct: one row of `EVENTS`.
fn render_info(
    o: &mut Out,
    platform: &str,
    title: &str,
    fields: &[InfoField],
    example: Option<&Row>,
) {
    let eg = |text: String| example.map_or(String::new(), |_| format!(": `{text}`"));
    o.doc(
        0,
        &format!("One {title} event type as the schema describes it: a row of [`EVENTS`]."),
    );
    o.line("#[derive(Debug, Clone, Copy, PartialEq, Eq)]");
    o.line("#[non_exhaustive]");
    o.line("pub struct EventInfo {");
    o.doc(
        4,
        &format!(
            "The wire name (`t`){}.",
            eg(example.map(|r| r.wire.clone()).unwrap_or_default())
        ),
    );
    o.line("    pub name: &'static str,");
    o.doc(
        4,
        &format!(
            "The payload type's name in `botgate_proto::{platform}`{}.",
            eg(example.map(|r| r.payload.clone()).unwrap_or_default())
        ),
    );
    o.line("    pub payload: &'static str,");
    o.doc(
        4,
        &format!(
            "The dispatch handler name{}.",
            example.map_or(" (method `on_<handler>`)".to_owned(), |r| format!(
                ": `{}` (method `on_{}`)",
                r.handler, r.handler
            ))
        ),
    );
    o.line("    pub handler: &'static str,");
    for f in fields {
        o.doc(4, f.doc);
        o.line(format!("    pub {}: {},", f.name, f.ty));
    }
    o.doc(4, "One line saying what the event is.");
    o.line("    pub doc: &'static str,");
    o.line("}");
    o.blank();
    o.line("impl EventInfo {");
    o.doc(4, "The event type this row describes.");
    o.line("    #[must_use]");
    o.line("    pub fn event_type(&self) -> EventType {");
    o.line("        EventType::from(self.name)");
    o.line("    }");
    o.blank();
    o.doc(
        4,
        "The row of a known event type; `None` for [`EventType::Unknown`].",
    );
    o.line("    #[must_use]");
    o.line("    pub fn of(t: &EventType) -> Option<&'static EventInfo> {");
    o.line("        EVENTS.iter().find(|info| info.name == t.as_str())");
    o.line("    }");
    o.line("}");
    o.blank();
}

/// `codec/src/generated/intents.rs`.
pub fn render_intents(s: &QqSchema) -> String {
    let mut o = Out::generated();
    o.module_doc(
        "The QQ intents bits and the event → intent table, generated from\n\
         `proto/schema/qq.toml`. `crate::intents` adds the methods.",
    );
    o.blank();
    o.line("use botgate_proto::qq::EventType;");
    o.blank();
    o.line("bitflags::bitflags! {");
    o.doc(
        4,
        "The QQ gateway intents: which event families the gateway sends (Identify's\n\
         `intents`). One bit per family; bits this version does not name are kept.",
    );
    o.line("    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]");
    o.line("    pub struct Intents: u32 {");
    for i in &s.intent {
        let open = if i.public {
            "Open to every bot."
        } else {
            "Must be granted to the bot."
        };
        o.doc(8, &format!("{} {open}", i.doc.trim()));
        o.line(format!("        const {} = 1 << {};", i.name, i.bit));
    }
    o.line("    }");
    o.line("}");
    o.blank();
    let public: Vec<&str> = s
        .intent
        .iter()
        .filter(|i| i.public)
        .map(|i| i.name.as_str())
        .collect();
    o.line("impl Intents {");
    let names: Vec<String> = public.iter().map(|n| format!("`{n}`")).collect();
    o.doc(
        4,
        &format!(
            "The intents open to every bot without a grant: {}.",
            if names.is_empty() {
                "none".to_owned()
            } else {
                names.join(", ")
            }
        ),
    );
    let value = match public.split_first() {
        None => "Intents::empty()".to_owned(),
        Some((first, rest)) => {
            let mut v = format!("Intents::{first}");
            for n in rest {
                v.push_str(&format!(".union(Intents::{n})"));
            }
            v
        }
    };
    o.line(format!("    pub const PUBLIC: Intents = {value};"));
    o.line("}");
    o.blank();
    o.doc(
        0,
        "The intent that delivers events of type `t`: empty for types no intent covers (`READY`,\n\
         `RESUMED`) and for unknown types.",
    );
    o.line("pub(crate) fn intent_of(t: &EventType) -> Intents {");
    o.line("    match t {");
    for e in &s.event {
        if let Some(i) = &e.intent {
            o.line(format!(
                "        EventType::{} => Intents::{i},",
                camel_case(&e.name)
            ));
        }
    }
    o.line("        _ => Intents::empty(),");
    o.line("    }");
    o.line("}");
    o.finish()
}

/// `codec/src/generated/mod.rs`.
pub fn render_mod(modules: &[&str]) -> String {
    let mut o = Out::generated();
    o.module_doc(
        "Code generated from `proto/schema/*.toml`: typed event enums and decode tables, the\n\
         QQ intents bits. Reached through `crate::qq`, `crate::bubble`, `crate::onebot` and\n\
         `crate::intents`.",
    );
    o.blank();
    for m in modules {
        o.line(format!("pub(crate) mod {m};"));
    }
    o.finish()
}

/// `codec/src/generated/event_names.rs`: every QQ and Bubble event type as a `&'static str`,
/// found from the wire bytes of `t` by length and then by comparison, so that
/// `Frame::event_type()` of a known event costs no UTF-8 check.
pub fn render_event_names(qq: &QqSchema, bubble: &BubbleSchema) -> String {
    let mut names: Vec<&str> = qq
        .event
        .iter()
        .map(|e| e.name.as_str())
        .chain(bubble.event.iter().map(|e| e.name.as_str()))
        .collect();
    names.sort_by(|a, b| a.len().cmp(&b.len()).then(a.cmp(b)));
    names.dedup();
    let mut o = Out::generated();
    o.module_doc("Every QQ and Bubble event type of the schema, looked up from the bytes of `t`.");
    o.blank();
    o.line("/// The schema's name equal to `t`, if there is one.");
    o.line("#[inline]");
    o.line("pub(crate) fn known(t: &[u8]) -> Option<&'static str> {");
    o.line("    let name = match t.len() {");
    let mut i = 0;
    while i < names.len() {
        let len = names[i].len();
        let group: Vec<&str> = names[i..]
            .iter()
            .take_while(|n| n.len() == len)
            .copied()
            .collect();
        i += group.len();
        o.line(format!("        {len} => match t {{"));
        for name in group {
            o.line(format!("            b{} => {},", lit(name), lit(name)));
        }
        o.line("            _ => return None,");
        o.line("        },");
    }
    o.line("        _ => return None,");
    o.line("    };");
    o.line("    Some(name)");
    o.line("}");
    o.finish()
}
