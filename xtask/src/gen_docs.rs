//! `docs/events.md`: one table per platform.

use crate::rust::{camel_case, payload_path, Out};
use crate::schema::{BubbleSchema, OneBotSchema, QqSchema};

/// A table cell: pipes escaped, lines joined.
fn cell(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('|', "\\|")
}

fn code(s: &str) -> String {
    format!("`{}`", s.replace('|', "\\|"))
}

fn opt(s: Option<&str>) -> String {
    s.map(code).unwrap_or_default()
}

/// The whole page. `onebot` is `None` until `proto/schema/onebot.toml` exists.
pub fn render(qq: &QqSchema, bubble: &BubbleSchema, onebot: Option<&OneBotSchema>) -> String {
    let mut o = Out::default();
    o.line(format!(
        "<!-- {} -->",
        crate::rust::HEADER.trim_start_matches("// ")
    ));
    o.blank();
    o.line("# Events");
    o.blank();
    o.line("Every event type botgate knows, per platform, from `proto/schema/*.toml` (the one source of");
    o.line("truth; see `proto/schema/README.md`). Run `cargo xtask codegen` after editing a schema; CI");
    o.line(
        "runs `cargo xtask codegen --check`. An event type not listed here still arrives: it is",
    );
    o.line("kept as `Unknown` with its raw JSON.");
    o.blank();
    o.line("- **Rust name**: the variant of `EventType` / `EventKind` (`botgate_proto::<platform>`) and");
    o.line("  of `Event` (`botgate_codec::<platform>`).");
    o.line("- **Payload**: the type in `botgate_proto::<platform>`.");
    o.line("- **Handler**: the dispatch method is `on_<handler>`.");
    o.blank();

    // QQ
    o.line("## QQ Bot gateway (`qq`)");
    o.blank();
    o.line("### Intents");
    o.blank();
    o.line("| Bit | Value | Intent | Open | Events |");
    o.line("|---:|---:|---|---|---|");
    for i in &qq.intent {
        let events: Vec<String> = qq
            .event
            .iter()
            .filter(|e| e.intent.as_deref() == Some(i.name.as_str()))
            .map(|e| code(&e.name))
            .collect();
        let value = 1u64 << i.bit;
        o.line(format!(
            "| {} | {value} | {} | {} | {} |",
            i.bit,
            code(&i.name),
            if i.public { "yes" } else { "granted" },
            if events.is_empty() {
                cell(&i.doc)
            } else {
                events.join(", ")
            }
        ));
    }
    o.blank();
    o.line("### Events");
    o.blank();
    let qq_unified = qq
        .event
        .iter()
        .any(|e| e.unified.is_some() || e.scene.is_some());
    let mut head =
        "| Event (`t`) | Rust name | Intent (bit) | Payload | Handler | Description |".to_owned();
    let mut rule = "|---|---|---|---|---|---|".to_owned();
    if qq_unified {
        head.push_str(" Unified | Scene |");
        rule.push_str("---|---|");
    }
    o.line(head);
    o.line(rule);
    for e in &qq.event {
        let intent = match &e.intent {
            Some(name) => {
                let bit = qq.intent.iter().find(|i| &i.name == name).map(|i| i.bit);
                match bit {
                    Some(b) => format!("{} ({b})", code(name)),
                    None => code(name),
                }
            }
            None => "none".to_owned(),
        };
        let mut row = format!(
            "| {} | {} | {intent} | {} | {} | {} |",
            code(&e.name),
            code(&camel_case(&e.name)),
            code(&short_payload("qq", &e.payload)),
            code(&e.handler),
            cell(&e.doc)
        );
        if qq_unified {
            row.push_str(&format!(
                " {} | {} |",
                opt(e.unified.as_deref()),
                opt(e.scene.as_deref())
            ));
        }
        o.line(row);
    }
    o.blank();

    // Bubble
    o.line("## Bubble open gateway (`bubble`)");
    o.blank();
    o.line("*Since*: the Bubble event schema that introduced the type (`2025-12` is the seed, `2026-03`");
    o.line("the rewrite). *Subscribable*: whether op 30 may name it (the others are always sent).");
    o.blank();
    let bubble_unified = bubble
        .event
        .iter()
        .any(|e| e.unified.is_some() || e.scene.is_some());
    let mut head =
        "| Event (`t`) | Rust name | Payload | Handler | Since | Subscribable | Description |"
            .to_owned();
    let mut rule = "|---|---|---|---|---|---|---|".to_owned();
    if bubble_unified {
        head.push_str(" Unified | Scene |");
        rule.push_str("---|---|");
    }
    o.line(head);
    o.line(rule);
    for e in &bubble.event {
        let mut row = format!(
            "| {} | {} | {} | {} | {} | {} | {} |",
            code(&e.name),
            code(&camel_case(&e.name)),
            code(&short_payload("bubble", &e.payload)),
            code(&e.handler),
            e.since,
            if e.subscribable { "yes" } else { "no" },
            cell(&e.doc)
        );
        if bubble_unified {
            row.push_str(&format!(
                " {} | {} |",
                opt(e.unified.as_deref()),
                opt(e.scene.as_deref())
            ));
        }
        o.line(row);
    }

    // OneBot
    o.blank();
    o.line("## OneBot v11 (`onebot`)");
    o.blank();
    match onebot {
        None => {
            o.line("`proto/schema/onebot.toml` does not exist yet.");
        }
        Some(ob) => {
            o.line("The kind is `post_type`, the detail type (`message_type` / `notice_type` /");
            o.line("`request_type` / `meta_event_type`) and, where it selects the payload, `sub_type`,");
            o.line("joined by dots.");
            o.blank();
            let ob_unified = ob
                .event
                .iter()
                .any(|e| e.unified.is_some() || e.scene.is_some());
            let mut head = "| Kind | Rust name | Payload | Handler | Description |".to_owned();
            let mut rule = "|---|---|---|---|---|".to_owned();
            if ob_unified {
                head.push_str(" Unified | Scene |");
                rule.push_str("---|---|");
            }
            o.line(head);
            o.line(rule);
            for e in &ob.event {
                let mut row = format!(
                    "| {} | {} | {} | {} | {} |",
                    code(&e.kind),
                    code(&camel_case(&e.kind)),
                    code(&short_payload("onebot", &e.payload)),
                    code(&e.handler),
                    cell(&e.doc)
                );
                if ob_unified {
                    row.push_str(&format!(
                        " {} | {} |",
                        opt(e.unified.as_deref()),
                        opt(e.scene.as_deref())
                    ));
                }
                o.line(row);
            }
        }
    }
    o.finish()
}

/// The payload as written in the schema when it lives in the platform module, else the path.
fn short_payload(platform: &str, payload: &str) -> String {
    let full = payload_path(platform, payload);
    full.strip_prefix(&format!("botgate_proto::{platform}::"))
        .unwrap_or(&full)
        .to_owned()
}
