//! `proto/src/generated/{qq,bubble,onebot}.rs`: the event-type enums.

use crate::rust::{camel_case, lit, Out};
use crate::schema::{BubbleSchema, OneBotSchema, QqSchema};

/// What one platform's enum needs to know.
pub struct EnumSpec {
    /// Module doc.
    pub module_doc: String,
    /// `EventType` / `EventKind`.
    pub type_name: &'static str,
    /// Doc of the enum itself.
    pub type_doc: String,
    /// What the wire string is called in docs (`event type`, `event kind`).
    pub noun: &'static str,
    /// The known values, in schema order.
    pub variants: Vec<Variant>,
    /// Extra per-variant accessors.
    pub accessors: Vec<Accessor>,
    /// Extra hand-made items appended at the end (already formatted).
    pub extra: Option<String>,
}

/// One known wire value.
pub struct Variant {
    /// CamelCase identifier.
    pub ident: String,
    /// Wire string.
    pub wire: String,
    /// One line.
    pub doc: String,
    /// Dispatch handler name.
    pub handler: String,
}

/// `pub fn <name>(&self) -> <ret>` with one value per variant.
pub struct Accessor {
    /// Method name.
    pub name: &'static str,
    /// Its doc.
    pub doc: String,
    /// Return type.
    pub ret: &'static str,
    /// The value for `Unknown(_)`.
    pub unknown: String,
    /// One Rust expression per variant, in variant order.
    pub values: Vec<String>,
}

fn opt_str(v: Option<&str>) -> String {
    match v {
        Some(s) => format!("Some({})", lit(s)),
        None => "None".to_owned(),
    }
}

/// Adds `unified()` / `scene()` when any event of the schema has them.
fn unified_accessors(
    accessors: &mut Vec<Accessor>,
    unified: &[Option<&str>],
    scene: &[Option<&str>],
) {
    if unified.iter().any(Option::is_some) {
        accessors.push(Accessor {
            name: "unified",
            doc: "The event / sub event in the unified model (`message/guild`), if it has one."
                .to_owned(),
            ret: "Option<&'static str>",
            unknown: "None".to_owned(),
            values: unified.iter().map(|u| opt_str(*u)).collect(),
        });
    }
    if scene.iter().any(Option::is_some) {
        accessors.push(Accessor {
            name: "scene",
            doc: "The scene in the unified model (`guild`, `group`, ...), if it has one."
                .to_owned(),
            ret: "Option<&'static str>",
            unknown: "None".to_owned(),
            values: scene.iter().map(|s| opt_str(*s)).collect(),
        });
    }
}

/// The spec of `botgate_proto::qq::EventType`.
pub fn qq_spec(s: &QqSchema) -> EnumSpec {
    let variants = s
        .event
        .iter()
        .map(|e| Variant {
            ident: camel_case(&e.name),
            wire: e.name.clone(),
            doc: e.doc.clone(),
            handler: e.handler.clone(),
        })
        .collect();
    let mut accessors = vec![Accessor {
        name: "intent_name",
        doc: "The name of the intent that delivers this event type (`PUBLIC_GUILD_MESSAGES`);\n\
              `None` for `READY` / `RESUMED` and for unknown types. The bit itself is\n\
              `botgate_codec::Intents::for_event`."
            .to_owned(),
        ret: "Option<&'static str>",
        unknown: "None".to_owned(),
        values: s
            .event
            .iter()
            .map(|e| opt_str(e.intent.as_deref()))
            .collect(),
    }];
    let unified: Vec<_> = s.event.iter().map(|e| e.unified.as_deref()).collect();
    let scene: Vec<_> = s.event.iter().map(|e| e.scene.as_deref()).collect();
    unified_accessors(&mut accessors, &unified, &scene);
    EnumSpec {
        module_doc: "QQ Bot gateway event types (`t` of an op 0 dispatch), generated from\n\
                     `proto/schema/qq.toml`."
            .to_owned(),
        type_name: "EventType",
        type_doc: "A QQ Bot gateway event type: the `t` of an op 0 dispatch.\n\n\
                   Parsing never fails: a name this version does not know becomes\n\
                   [`EventType::Unknown`] with the name kept, and serialises back unchanged."
            .to_owned(),
        noun: "event type",
        variants,
        accessors,
        extra: None,
    }
}

/// The spec of `botgate_proto::bubble::EventType`.
pub fn bubble_spec(s: &BubbleSchema) -> EnumSpec {
    let variants = s
        .event
        .iter()
        .map(|e| Variant {
            ident: camel_case(&e.name),
            wire: e.name.clone(),
            doc: e.doc.clone(),
            handler: e.handler.clone(),
        })
        .collect();
    let mut accessors = vec![
        Accessor {
            name: "subscribable",
            doc: "Whether op 30 (Subscribe) may name this event type. `BOT_READY`,\n\
                  `EVENTS_SUBSCRIBED`, `ERROR` and the like are always sent. Unknown types are assumed subscribable:\n\
                  the server decides (it lists rejected names in `invalidEvents`)."
                .to_owned(),
            ret: "bool",
            unknown: "true".to_owned(),
            values: s.event.iter().map(|e| e.subscribable.to_string()).collect(),
        },
        Accessor {
            name: "since",
            doc: "The Bubble event schema that introduced this type (`2025-12` or `2026-03`);\n\
                  `None` for unknown types."
                .to_owned(),
            ret: "Option<&'static str>",
            unknown: "None".to_owned(),
            values: s.event.iter().map(|e| opt_str(Some(&e.since))).collect(),
        },
    ];
    let unified: Vec<_> = s.event.iter().map(|e| e.unified.as_deref()).collect();
    let scene: Vec<_> = s.event.iter().map(|e| e.scene.as_deref()).collect();
    unified_accessors(&mut accessors, &unified, &scene);
    EnumSpec {
        module_doc: "Bubble open-gateway event types (`t` of an op 0 dispatch), generated from\n\
                     `proto/schema/bubble.toml`."
            .to_owned(),
        type_name: "EventType",
        type_doc: "A Bubble open-gateway event type: the `t` of an op 0 dispatch, and the names\n\
                   op 30 / op 31 subscribe and unsubscribe.\n\n\
                   Parsing never fails: a name this version does not know becomes\n\
                   [`EventType::Unknown`] with the name kept, and serialises back unchanged."
            .to_owned(),
        noun: "event type",
        variants,
        accessors,
        extra: None,
    }
}

/// The spec of `botgate_proto::onebot::EventKind`.
pub fn onebot_spec(s: &OneBotSchema) -> EnumSpec {
    let variants = s
        .event
        .iter()
        .map(|e| Variant {
            ident: camel_case(&e.kind),
            wire: e.kind.clone(),
            doc: e.doc.clone(),
            handler: e.handler.clone(),
        })
        .collect();
    let mut accessors = vec![
        Accessor {
            name: "post_type",
            doc: "The `post_type` of events of this kind; `None` for unknown kinds.".to_owned(),
            ret: "Option<&'static str>",
            unknown: "None".to_owned(),
            values: s
                .event
                .iter()
                .map(|e| opt_str(Some(&e.post_type)))
                .collect(),
        },
        Accessor {
            name: "detail",
            doc: "The detail type (`message_type` / `notice_type` / `request_type` /\n\
                  `meta_event_type`) of events of this kind, if the kind names one."
                .to_owned(),
            ret: "Option<&'static str>",
            unknown: "None".to_owned(),
            values: s
                .event
                .iter()
                .map(|e| opt_str(e.detail.as_deref()))
                .collect(),
        },
        Accessor {
            name: "sub_type",
            doc: "The `sub_type` of events of this kind, if the sub type selects the kind."
                .to_owned(),
            ret: "Option<&'static str>",
            unknown: "None".to_owned(),
            values: s
                .event
                .iter()
                .map(|e| opt_str(e.sub_type.as_deref()))
                .collect(),
        },
    ];
    let unified: Vec<_> = s.event.iter().map(|e| e.unified.as_deref()).collect();
    let scene: Vec<_> = s.event.iter().map(|e| e.scene.as_deref()).collect();
    unified_accessors(&mut accessors, &unified, &scene);

    // `classify`: the most specific known kind for an event's type fields.
    let mut extra = Out::default();
    extra.blank();
    extra.line("impl EventKind {");
    extra.doc(
        4,
        "The kind of an event with these type fields: `post_type`, its detail type\n\
         (`message_type` / `notice_type` / `request_type` / `meta_event_type`) and `sub_type`.\n\n\
         The most specific known kind wins (`notice.notify.poke` before `notice.notify`); when\n\
         none is known the result is [`EventKind::Unknown`] holding\n\
         `post_type[.detail[.sub_type]]`.",
    );
    extra.line("    #[must_use]");
    extra.line(
        "    pub fn classify(post_type: &str, detail: Option<&str>, sub_type: Option<&str>) -> EventKind {",
    );
    extra.line("        let known = match (post_type, detail, sub_type) {");
    let mut with_sub: Vec<_> = s.event.iter().filter(|e| e.sub_type.is_some()).collect();
    let with_detail: Vec<_> = s
        .event
        .iter()
        .filter(|e| e.sub_type.is_none() && e.detail.is_some())
        .collect();
    let bare: Vec<_> = s.event.iter().filter(|e| e.detail.is_none()).collect();
    with_sub.extend(with_detail);
    with_sub.extend(bare);
    for e in with_sub {
        let d = match &e.detail {
            Some(d) => format!("Some({})", lit(d)),
            None => "_".to_owned(),
        };
        let st = match &e.sub_type {
            Some(st) => format!("Some({})", lit(st)),
            None => "_".to_owned(),
        };
        extra.line(format!(
            "            ({}, {d}, {st}) => Some(EventKind::{}),",
            lit(&e.post_type),
            camel_case(&e.kind)
        ));
    }
    extra.line("            _ => None,");
    extra.line("        };");
    extra.line("        known.unwrap_or_else(|| {");
    extra.line("            let mut kind = post_type.to_owned();");
    // a sub type without a detail type is not part of any kind (`notice` + `group_ban` must
    // not read back as the known `notice.group_ban`)
    extra.line("            if let Some(detail) = detail {");
    extra.line("                kind.push('.');");
    extra.line("                kind.push_str(detail);");
    extra.line("                if let Some(sub_type) = sub_type {");
    extra.line("                    kind.push('.');");
    extra.line("                    kind.push_str(sub_type);");
    extra.line("                }");
    extra.line("            }");
    extra.line("            EventKind::Unknown(kind)");
    extra.line("        })");
    extra.line("    }");
    extra.line("}");

    EnumSpec {
        module_doc: "OneBot v11 event kinds (`post_type[.detail[.sub_type]]`), generated from\n\
                     `proto/schema/onebot.toml`."
            .to_owned(),
        type_name: "EventKind",
        type_doc: "A OneBot v11 event kind: `post_type`, then the detail type, then (where it\n\
                   selects the payload) `sub_type`, joined by dots: `message.group`,\n\
                   `notice.notify.poke`.\n\n\
                   Parsing never fails: a kind this version does not know becomes\n\
                   [`EventKind::Unknown`] with the string kept, and serialises back unchanged."
            .to_owned(),
        noun: "event kind",
        variants,
        accessors,
        extra: Some(extra.finish()),
    }
}

/// The source of one platform's enum module (not yet rustfmt'ed).
pub fn render(spec: &EnumSpec) -> String {
    let t = spec.type_name;
    let noun = spec.noun;
    let mut o = Out::generated();
    o.module_doc(&spec.module_doc);
    o.blank();
    o.line("use std::convert::Infallible;");
    o.line("use std::fmt;");
    o.line("use std::str::FromStr;");
    o.blank();
    o.doc(0, &spec.type_doc);
    o.line("#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]");
    o.line("#[non_exhaustive]");
    o.line(format!("pub enum {t} {{"));
    for v in &spec.variants {
        o.doc(4, &format!("`{}`: {}", v.wire, v.doc));
        o.line(format!("    {},", v.ident));
    }
    o.doc(
        4,
        &format!(
            "An {noun} this version of botgate does not know, kept as it came. [`FromStr`]\n\
             never puts a known name here."
        ),
    );
    o.line("    Unknown(String),");
    o.line("}");
    o.blank();

    o.line(format!("impl {t} {{"));
    o.doc(4, &format!("Every known {noun}, in schema order."));
    o.line(format!("    pub const ALL: &'static [{t}] = &["));
    for v in &spec.variants {
        o.line(format!("        {t}::{},", v.ident));
    }
    o.line("    ];");
    o.blank();

    o.doc(4, &format!("The wire string of this {noun}."));
    o.line("    #[must_use]");
    o.line("    pub fn as_str(&self) -> &str {");
    o.line("        match self {");
    for v in &spec.variants {
        o.line(format!("            {t}::{} => {},", v.ident, lit(&v.wire)));
    }
    o.line(format!("            {t}::Unknown(name) => name,"));
    o.line("        }");
    o.line("    }");
    o.blank();

    o.doc(
        4,
        &format!("The known {noun} with this wire string, without allocating; `None` if unknown."),
    );
    o.line("    #[must_use]");
    o.line(format!(
        "    pub fn from_known(name: &str) -> Option<{t}> {{"
    ));
    o.line("        match name {");
    for v in &spec.variants {
        o.line(format!(
            "            {} => Some({t}::{}),",
            lit(&v.wire),
            v.ident
        ));
    }
    o.line("            _ => None,");
    o.line("        }");
    o.line("    }");
    o.blank();

    o.doc(
        4,
        &format!("Whether this is an {noun} botgate does not know."),
    );
    o.line("    #[must_use]");
    o.line("    pub fn is_unknown(&self) -> bool {");
    o.line(format!("        matches!(self, {t}::Unknown(_))"));
    o.line("    }");
    o.blank();

    let handlers = Accessor {
        name: "handler",
        doc: "The dispatch handler name (`at_message_create` for `on_at_message_create`);\n\
              `None` for unknown types."
            .to_owned(),
        ret: "Option<&'static str>",
        unknown: "None".to_owned(),
        values: spec
            .variants
            .iter()
            .map(|v| format!("Some({})", lit(&v.handler)))
            .collect(),
    };
    let docs = Accessor {
        name: "doc",
        doc: "One line saying what the event is; empty for unknown types.".to_owned(),
        ret: "&'static str",
        unknown: "\"\"".to_owned(),
        values: spec.variants.iter().map(|v| lit(v.doc.trim())).collect(),
    };
    let mut accessors = vec![&handlers, &docs];
    accessors.extend(spec.accessors.iter());
    for (i, a) in accessors.iter().enumerate() {
        if i > 0 {
            o.blank();
        }
        o.doc(4, &a.doc);
        o.line("    #[must_use]");
        o.line(format!("    pub fn {}(&self) -> {} {{", a.name, a.ret));
        o.line("        match self {");
        for (v, value) in spec.variants.iter().zip(&a.values) {
            o.line(format!("            {t}::{} => {value},", v.ident));
        }
        o.line(format!("            {t}::Unknown(_) => {},", a.unknown));
        o.line("        }");
        o.line("    }");
    }
    o.line("}");
    o.blank();

    o.line(format!("impl FromStr for {t} {{"));
    o.line("    type Err = Infallible;");
    o.blank();
    o.line(format!(
        "    fn from_str(name: &str) -> Result<{t}, Infallible> {{"
    ));
    o.line(format!("        Ok({t}::from(name))"));
    o.line("    }");
    o.line("}");
    o.blank();

    o.line(format!("impl From<&str> for {t} {{"));
    o.line(format!("    fn from(name: &str) -> {t} {{"));
    o.line(format!(
        "        {t}::from_known(name).unwrap_or_else(|| {t}::Unknown(name.to_owned()))"
    ));
    o.line("    }");
    o.line("}");
    o.blank();

    o.line(format!("impl From<String> for {t} {{"));
    o.line(format!("    fn from(name: String) -> {t} {{"));
    o.line(format!(
        "        {t}::from_known(&name).unwrap_or({t}::Unknown(name))"
    ));
    o.line("    }");
    o.line("}");
    o.blank();

    o.line(format!("impl fmt::Display for {t} {{"));
    o.line("    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {");
    o.line("        f.write_str(self.as_str())");
    o.line("    }");
    o.line("}");
    o.blank();

    o.line(format!("impl serde::Serialize for {t} {{"));
    o.line(
        "    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {",
    );
    o.line("        serializer.serialize_str(self.as_str())");
    o.line("    }");
    o.line("}");
    o.blank();

    o.line(format!("impl<'de> serde::Deserialize<'de> for {t} {{"));
    o.line("    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {");
    o.line("        struct Name;");
    o.blank();
    o.line("        impl serde::de::Visitor<'_> for Name {");
    o.line(format!("            type Value = {t};"));
    o.blank();
    o.line("            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {");
    o.line(format!(
        "                f.write_str(\"{} name\")",
        article(noun)
    ));
    o.line("            }");
    o.blank();
    o.line(format!(
        "            fn visit_str<E: serde::de::Error>(self, name: &str) -> Result<{t}, E> {{"
    ));
    o.line(format!("                Ok({t}::from(name))"));
    o.line("            }");
    o.blank();
    o.line(format!(
        "            fn visit_string<E: serde::de::Error>(self, name: String) -> Result<{t}, E> {{"
    ));
    o.line(format!("                Ok({t}::from(name))"));
    o.line("            }");
    o.line("        }");
    o.blank();
    o.line("        deserializer.deserialize_str(Name)");
    o.line("    }");
    o.line("}");
    if let Some(extra) = &spec.extra {
        for l in extra.lines() {
            o.line(l);
        }
    }
    o.finish()
}

fn article(noun: &str) -> String {
    if noun.starts_with(['a', 'e', 'i', 'o', 'u']) {
        format!("an {noun}")
    } else {
        format!("a {noun}")
    }
}

/// `proto/src/generated/mod.rs`.
pub fn render_mod(platforms: &[&str]) -> String {
    let mut o = Out::generated();
    o.module_doc(
        "Code generated from `proto/schema/*.toml`: the event-type enums, re-exported by each\n\
         platform module (`qq::EventType`, `bubble::EventType`, `onebot::EventKind`).",
    );
    o.blank();
    for p in platforms {
        o.line(format!("pub mod {p};"));
    }
    o.finish()
}
