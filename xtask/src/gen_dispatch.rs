//! `dispatch/src/generated/*.rs`: one typed `on_<handler>` registration method per event type.
//! The template is `dispatch/src/generated/README.md` (written by the dispatch crate's owners).

use crate::rust::{camel_case, payload_path, Out};

/// One event as the dispatch methods need it.
pub struct Method {
    /// Wire name (or OneBot kind).
    pub name: String,
    /// One line.
    pub doc: String,
    /// `on_<handler>`.
    pub handler: String,
    /// Payload type as written in the schema.
    pub payload: String,
}

impl Method {
    /// A method for one schema event.
    pub fn new(name: &str, doc: &str, handler: &str, payload: &str) -> Self {
        Self {
            name: name.to_owned(),
            doc: doc.to_owned(),
            handler: handler.to_owned(),
            payload: payload.to_owned(),
        }
    }
}

/// `dispatch/src/generated/<platform>.rs`. `title` is the platform type in `crate::<platform>`
/// (`Qq`, `Bubble`, `OneBot`), `event_type` the proto enum (`EventType` / `EventKind`).
pub fn render(platform: &str, title: &str, event_type: &str, methods: &[Method]) -> String {
    let mut o = Out::generated();
    o.module_doc(&format!(
        "Typed handler registration for {title} events, generated from\n\
         `proto/schema/{platform}.toml`: one `on_<handler>` method per event type."
    ));
    o.blank();
    o.line("use std::future::Future;");
    o.blank();
    o.line(format!("use botgate_codec::{platform}::Event;"));
    o.line(format!("use botgate_proto::{platform}::{event_type};"));
    o.blank();
    o.line("use crate::context::Context;");
    o.line("use crate::error::HandlerError;");
    o.line("use crate::handlers::Handlers;");
    o.line(format!("use crate::{platform}::{title};"));
    o.blank();
    o.line(format!("impl Handlers<{title}> {{"));
    for (i, m) in methods.iter().enumerate() {
        if i > 0 {
            o.blank();
        }
        let variant = camel_case(&m.name);
        o.doc(4, &format!("`{}`: {}", m.name, m.doc.trim()));
        o.line(format!(
            "    pub fn on_{}<F, Fut>(&mut self, f: F) -> &mut Self",
            m.handler
        ));
        o.line("    where");
        o.line(format!(
            "        F: Fn(Context, {}) -> Fut + Send + Sync + 'static,",
            payload_path(platform, &m.payload)
        ));
        o.line("        Fut: Future<Output = Result<(), HandlerError>> + Send + 'static,");
        o.line("    {");
        o.line(format!(
            "        self.on_typed({event_type}::{variant}, move |ctx, event| match event {{"
        ));
        o.line(format!(
            "            Event::{variant}(payload) => Some(f(ctx, *payload)),"
        ));
        o.line("            _ => None,");
        o.line("        })");
        o.line("    }");
    }
    o.line("}");
    o.finish()
}

/// `dispatch/src/generated/mod.rs`.
pub fn render_mod(platforms: &[&str]) -> String {
    let mut o = Out::generated();
    o.module_doc(
        "Typed handler registration methods (`on_at_message_create`, ...), one per event type of\n\
         each schema. The template is in `README.md` next to this file.",
    );
    o.blank();
    for p in platforms {
        o.line(format!("mod {p};"));
    }
    o.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_follow_the_dispatch_readme_template() {
        let text = render(
            "onebot",
            "OneBot",
            "EventKind",
            &[Method::new(
                "notice.notify.poke",
                "A poke.",
                "notify_poke",
                "PokeNotice",
            )],
        );
        for line in [
            "use botgate_codec::onebot::Event;",
            "use botgate_proto::onebot::EventKind;",
            "use crate::onebot::OneBot;",
            "impl Handlers<OneBot> {",
            "    /// `notice.notify.poke`: A poke.",
            "    pub fn on_notify_poke<F, Fut>(&mut self, f: F) -> &mut Self",
            "        F: Fn(Context, botgate_proto::onebot::PokeNotice) -> Fut + Send + Sync + 'static,",
            "        self.on_typed(EventKind::NoticeNotifyPoke, move |ctx, event| match event {",
            "            Event::NoticeNotifyPoke(payload) => Some(f(ctx, *payload)),",
        ] {
            assert!(text.lines().any(|l| l == line), "missing {line:?} in\n{text}");
        }
    }
}
