//! Message text and attachments → unified elements (QQ content syntax, media kinds).

use botgate_proto::unified::{Element, Media};
use botgate_proto::Text;

/// Splits QQ message content into elements: `<@!id>` / `<@id>` → at, `<emoji:id>` and
/// `<faceType=..,faceId="id",..>` → face, `@everyone` → at-all when the message mentions
/// everyone; everything else (channel links `<#id>` included) stays text, as sent.
///
/// `name_of` gives a mentioned user's display name, where the message lists it.
pub(crate) fn qq_content(
    content: &Text,
    mention_everyone: bool,
    name_of: impl Fn(&str) -> Option<Text>,
) -> Vec<Element> {
    tagged(content, mention_everyone, |inner| {
        qq_tag(content, inner, &name_of)
    })
}

/// Splits Bubble message content into elements: `<@userId>` → at, `<@everyone>` → at-all
/// (the markup Bubble writes a mention as, next to its `mentions` list); everything else
/// (channel links `<#id>` included) stays text, as sent.
pub(crate) fn bubble_content(
    content: &Text,
    name_of: impl Fn(&str) -> Option<Text>,
) -> Vec<Element> {
    tagged(content, false, |inner| {
        let id = inner.strip_prefix('@')?;
        if id == "everyone" {
            return Some(Element::AtAll);
        }
        (!id.is_empty() && id.len() <= 20 && id.bytes().all(|b| b.is_ascii_digit())).then(|| {
            Element::At {
                user_id: content.slice_of(id),
                name: name_of(id),
            }
        })
    })
}

/// Splits `content` at its tags `<inner>` that `tag` makes an element of (and, with
/// `plain_everyone`, at `@everyone`: QQ's at-all); the text between them stays text.
fn tagged(
    content: &Text,
    plain_everyone: bool,
    tag: impl Fn(&str) -> Option<Element>,
) -> Vec<Element> {
    // Plain text (the usual message): no tag or `@everyone` can start anywhere in it.
    let may_have_tokens = content.contains('<') || (plain_everyone && content.contains('@'));
    if !may_have_tokens {
        // `vec!` allocates exactly one slot (collecting an `Option` went through the
        // iterator's size hints).
        return plain(content).map_or_else(Vec::new, |e| vec![e]);
    }
    let mut out = Vec::new();
    // The text between tokens is one run of `content`: kept as its start, shared when flushed.
    let all = content.as_str();
    let mut text_from = 0;
    let mut rest = all;
    while !rest.is_empty() {
        let at = all.len() - rest.len();
        if plain_everyone && rest.starts_with("@everyone") {
            flush(content, &all[text_from..at], &mut out);
            out.push(Element::AtAll);
            rest = &rest["@everyone".len()..];
            text_from = all.len() - rest.len();
            continue;
        }
        if rest.starts_with('<') {
            if let Some(end) = rest.find('>') {
                if let Some(el) = tag(&rest[1..end]) {
                    flush(content, &all[text_from..at], &mut out);
                    out.push(el);
                    rest = &rest[end + 1..];
                    text_from = all.len() - rest.len();
                    continue;
                }
            }
        }
        // Keep up to the next place a token may start. `<` and `@` are ASCII: no byte of
        // a multi-byte character equals them, so their offsets are char boundaries.
        let next = rest
            .bytes()
            .skip(1)
            .position(|b| b == b'<' || (plain_everyone && b == b'@'))
            .map_or(rest.len(), |i| i + 1);
        rest = &rest[next..];
    }
    flush(content, &all[text_from..], &mut out);
    out
}

/// The element of the tag `<inner>` of `content`; its ids share `content`.
fn qq_tag(content: &Text, inner: &str, name_of: &impl Fn(&str) -> Option<Text>) -> Option<Element> {
    if let Some(id) = inner.strip_prefix("@!").or_else(|| inner.strip_prefix('@')) {
        return is_id(id).then(|| Element::At {
            user_id: content.slice_of(id),
            name: name_of(id),
        });
    }
    if let Some(id) = inner.strip_prefix("emoji:") {
        return is_id(id).then(|| Element::Face {
            id: content.slice_of(id),
        });
    }
    if inner.starts_with("faceType=") {
        let id = inner
            .split(',')
            .find_map(|kv| kv.trim().strip_prefix("faceId="))?
            .trim_matches('"');
        return is_id(id).then(|| Element::Face {
            id: content.slice_of(id),
        });
    }
    None
}

/// An id inside a tag: non-empty, no spaces or nested brackets (QQ ids are digits or
/// hexadecimal openids).
fn is_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 128
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// The run `text` of `content` as a text element (sharing `content`), none when empty.
fn flush(content: &Text, text: &str, out: &mut Vec<Element>) {
    if !text.is_empty() {
        out.push(Element::Text {
            text: content.slice_of(text),
        });
    }
}

/// Text as one element, none when empty (a payload's `Text` is shared, not copied).
pub(crate) fn plain(content: impl Into<Text> + AsRef<str>) -> Option<Element> {
    (!content.as_ref().is_empty()).then(|| Element::text(content))
}

/// An attachment as an image, record, video or file element, by MIME type or category
/// (`image/png`, `voice`, `video/mp4`, `file`, Bubble's `image`).
pub(crate) fn media(kind_hint: &str, media: Media) -> Element {
    let k = kind_hint.to_ascii_lowercase();
    if k.starts_with("image") {
        Element::Image(media)
    } else if k.starts_with("voice") || k.starts_with("audio") || k.starts_with("record") {
        Element::Record(media)
    } else if k.starts_with("video") {
        Element::Video(media)
    } else {
        Element::File(media)
    }
}

/// A URL as QQ sends it (often without a scheme: `gchat.qpic.cn/...`) made fetchable.
pub(crate) fn https(url: &str) -> Option<Text> {
    if url.is_empty() {
        None
    } else if url.contains("://") || url.starts_with("data:") {
        Some(url.into())
    } else {
        Some(format!("https://{}", url.trim_start_matches('/')).into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The mapping over a `&str` (its `Text` made here).
    fn qq_content(s: &str, everyone: bool, name_of: impl Fn(&str) -> Option<Text>) -> Vec<Element> {
        super::qq_content(&Text::from(s), everyone, name_of)
    }

    fn no_names(_: &str) -> Option<Text> {
        None
    }

    #[test]
    fn plain_text_is_one_element_and_empty_text_none() {
        assert_eq!(
            qq_content("hi @all 👋", false, no_names),
            vec![Element::text("hi @all 👋")]
        );
        assert_eq!(
            qq_content("hi @all", true, no_names),
            vec![Element::text("hi @all")]
        );
        assert_eq!(qq_content("", false, no_names), Vec::<Element>::new());
    }

    #[test]
    fn mentions_faces_and_text_split_in_order() {
        let els = qq_content(
            "<@!6158788878435714165> /天气 <emoji:4>深圳<@12>",
            false,
            |id| (id == "12").then(|| "阿强".into()),
        );
        assert_eq!(
            els,
            vec![
                Element::at("6158788878435714165"),
                Element::text(" /天气 "),
                Element::Face { id: "4".into() },
                Element::text("深圳"),
                Element::At {
                    user_id: "12".into(),
                    name: Some("阿强".into())
                },
            ]
        );
        // Ids are parts of the content, not copies.
        let (Element::At { user_id, .. }, Element::Face { id }) = (&els[0], &els[2]) else {
            panic!("{els:?}")
        };
        assert!(user_id.is_shared() && id.is_shared());
    }

    #[test]
    fn group_faces_everyone_and_non_tags() {
        let els = qq_content(
            r#"@everyone 看<faceType=1,faceId="13",ext="eyJ0ZXh0IjoiIn0=">a<b <#100> <@ x>>"#,
            true,
            no_names,
        );
        assert_eq!(
            els,
            vec![
                Element::AtAll,
                Element::text(" 看"),
                Element::Face { id: "13".into() },
                Element::text("a<b <#100> <@ x>>"),
            ]
        );
        assert_eq!(
            qq_content("@everyone", false, no_names),
            vec![Element::text("@everyone")]
        );
        assert!(qq_content("", true, no_names).is_empty());
        assert_eq!(qq_content("<", true, no_names), vec![Element::text("<")]);
        assert_eq!(qq_content("@", true, no_names), vec![Element::text("@")]);
    }

    #[test]
    fn media_kinds_and_urls() {
        assert!(matches!(
            media("image/png", Media::default()),
            Element::Image(_)
        ));
        assert!(matches!(
            media("voice", Media::default()),
            Element::Record(_)
        ));
        assert!(matches!(
            media("video/mp4", Media::default()),
            Element::Video(_)
        ));
        assert!(matches!(media("file", Media::default()), Element::File(_)));
        assert_eq!(
            https("gchat.qpic.cn/a").as_deref(),
            Some("https://gchat.qpic.cn/a")
        );
        assert_eq!(https("http://x/a").as_deref(), Some("http://x/a"));
        assert_eq!(https(""), None);
    }
}
