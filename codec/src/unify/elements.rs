//! Message text and attachments → unified elements (QQ content syntax, media kinds).

use botgate_proto::unified::{Element, Media};

/// Splits QQ message content into elements: `<@!id>` / `<@id>` → at, `<emoji:id>` and
/// `<faceType=..,faceId="id",..>` → face, `@everyone` → at-all when the message mentions
/// everyone; everything else (channel links `<#id>` included) stays text, as sent.
///
/// `name_of` gives a mentioned user's display name, where the message lists it.
pub(crate) fn qq_content(
    content: &str,
    mention_everyone: bool,
    name_of: impl Fn(&str) -> Option<String>,
) -> Vec<Element> {
    // Plain text (the usual message): no tag or `@everyone` can start anywhere in it.
    let may_have_tokens = content.contains('<') || (mention_everyone && content.contains('@'));
    if !may_have_tokens {
        return plain(content).into_iter().collect();
    }
    let mut out = Vec::new();
    let mut text = String::new();
    let mut rest = content;
    while !rest.is_empty() {
        if mention_everyone && rest.starts_with("@everyone") {
            flush(&mut text, &mut out);
            out.push(Element::AtAll);
            rest = &rest["@everyone".len()..];
            continue;
        }
        if rest.starts_with('<') {
            if let Some(end) = rest.find('>') {
                if let Some(el) = qq_tag(&rest[1..end], &name_of) {
                    flush(&mut text, &mut out);
                    out.push(el);
                    rest = &rest[end + 1..];
                    continue;
                }
            }
        }
        // Copy up to the next place a token may start.
        let next = rest
            .char_indices()
            .skip(1)
            .find(|&(_, c)| c == '<' || (mention_everyone && c == '@'))
            .map_or(rest.len(), |(i, _)| i);
        text.push_str(&rest[..next]);
        rest = &rest[next..];
    }
    flush(&mut text, &mut out);
    out
}

fn qq_tag(inner: &str, name_of: &impl Fn(&str) -> Option<String>) -> Option<Element> {
    if let Some(id) = inner.strip_prefix("@!").or_else(|| inner.strip_prefix('@')) {
        return is_id(id).then(|| Element::At {
            user_id: id.to_owned(),
            name: name_of(id),
        });
    }
    if let Some(id) = inner.strip_prefix("emoji:") {
        return is_id(id).then(|| Element::Face { id: id.to_owned() });
    }
    if inner.starts_with("faceType=") {
        let id = inner
            .split(',')
            .find_map(|kv| kv.trim().strip_prefix("faceId="))?
            .trim_matches('"');
        return is_id(id).then(|| Element::Face { id: id.to_owned() });
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

fn flush(text: &mut String, out: &mut Vec<Element>) {
    if !text.is_empty() {
        out.push(Element::Text {
            text: std::mem::take(text),
        });
    }
}

/// Text as one element, none when empty.
pub(crate) fn plain(content: &str) -> Option<Element> {
    (!content.is_empty()).then(|| Element::text(content))
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
pub(crate) fn https(url: &str) -> Option<String> {
    if url.is_empty() {
        None
    } else if url.contains("://") || url.starts_with("data:") {
        Some(url.to_owned())
    } else {
        Some(format!("https://{}", url.trim_start_matches('/')))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_names(_: &str) -> Option<String> {
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
            |id| (id == "12").then(|| "阿强".to_owned()),
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
