//! Bubble writes a mention into a message's `content` as `<@userId>` (`<@everyone>` for
//! everyone) and lists the mentioned users in `mentions` too (the AlemonJS client strips
//! `<@id>` from the text for each of them). The unified elements hold each mention once, in
//! its place, and the text without the markup, so `@bot /ping` is the command `/ping`.
#![allow(clippy::unwrap_used)]

use botgate_codec::unify::{unify_frame, Outcome, Unified, UnifyContext};
use botgate_proto::unified::{Element, Platform};

fn unify(frame: &str) -> Unified {
    let ctx = UnifyContext::new("456").with_now(1_800_000_000);
    match unify_frame(Platform::Bubble, frame.as_bytes(), &ctx).unwrap() {
        Outcome::Unified(u) => *u,
        other => panic!("{other:?}"),
    }
}

fn frame(content: &str, mentions: &str) -> String {
    format!(
        r#"{{"op":0,"t":"MESSAGE_CREATE","d":{{"id":7,"channelId":6,"guildId":10,"authorId":1,"content":"{content}","mentions":{mentions}}}}}"#
    )
}

#[test]
fn a_mention_in_the_content_is_one_at_in_its_place_and_the_command_follows() {
    let e = unify(&frame("<@456> /ping 3", "[456]"));
    let ats: Vec<&str> = e
        .elements
        .iter()
        .filter_map(|el| match el {
            Element::At { user_id, .. } => Some(user_id.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(ats, ["456"], "{:?}", e.elements);
    assert!(
        matches!(e.elements.first(), Some(Element::At { .. })),
        "{:?}",
        e.elements
    );
    assert_eq!(e.plain_text().trim(), "/ping 3", "{:?}", e.elements);
}

#[test]
fn mentions_between_text_keep_their_order_and_everyone_is_at_all() {
    let e = unify(&frame("hi <@2> and <@everyone>, see <#5>", "[2]"));
    let shape: Vec<String> = e
        .elements
        .iter()
        .map(|el| match el {
            Element::At { user_id, .. } => format!("at:{user_id}"),
            Element::AtAll => "all".to_owned(),
            Element::Text { text } => format!("text:{text}"),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(
        shape,
        ["text:hi ", "at:2", "text: and ", "all", "text:, see <#5>"]
    );
}

#[test]
fn a_mention_listed_but_not_in_the_content_is_still_an_at() {
    let e = unify(&frame("/ping", "[9]"));
    assert!(
        e.elements
            .iter()
            .any(|el| matches!(el, Element::At { user_id, .. } if user_id == "9")),
        "{:?}",
        e.elements
    );
    assert_eq!(e.plain_text().trim(), "/ping");
}
