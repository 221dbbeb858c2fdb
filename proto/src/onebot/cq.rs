//! CQ codes: the string form of a OneBot message (`hi[CQ:face,id=178]`).
//!
//! Escaping (OneBot v11 `message/string.md`): in text `&` → `&amp;`, `[` → `&#91;`, `]` →
//! `&#93;`; inside a code's type, keys and values additionally `,` → `&#44;`. Unescaping is one
//! left-to-right pass, so `&amp;#91;` is the text `&#91;`, not `[`. A bare `&` that starts no
//! escape is taken literally.
//!
//! Two parsers: [`parse`] is strict and reports the byte offset of the first problem;
//! [`parse_lenient`] never fails (a malformed code is kept as literal text, a known type whose
//! parameters do not fit is kept as [`Segment::Unknown`]). Event decoding uses the lenient one so
//! a sloppy producer never loses an event. Both merge adjacent text into one segment and drop
//! empty text. Parameters a known type does not model are kept in its `extra`, as strings
//! (decision 0058); [`render`] writes the flat ones back.
//!
//! `node` segments carry a nested message in `content`; it is parsed recursively up to
//! [`MAX_DEPTH`] levels.
//!
//! ```
//! use botgate_proto::onebot::{cq, Segment};
//! let segs = cq::parse("hi [CQ:face,id=178]").unwrap();
//! assert_eq!(segs, vec![Segment::text("hi "), Segment::face(178)]);
//! assert_eq!(cq::render(&segs), "hi [CQ:face,id=178]");
//! ```

use super::message::push_normalized;
use super::segment::{Node, Segment};
use super::Message;
use crate::Text;
use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::fmt;

/// How deep `node` contents may nest inside one CQ string.
pub const MAX_DEPTH: usize = 16;

/// A malformed CQ-code string: where, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CqError {
    /// Byte offset in the string.
    pub offset: usize,
    /// What is wrong there.
    pub reason: String,
}

impl CqError {
    fn new(offset: usize, reason: impl Into<String>) -> Self {
        Self {
            offset,
            reason: reason.into(),
        }
    }
}

impl fmt::Display for CqError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CQ code at byte {}: {}", self.offset, self.reason)
    }
}

impl std::error::Error for CqError {}

/// Parse a CQ string strictly: unescaped `[` / `]` in text, unterminated codes, parameters
/// without `=`, duplicate keys and typed data that does not fit are errors.
pub fn parse(s: &str) -> Result<Vec<Segment>, CqError> {
    Parser {
        strict: true,
        source: None,
    }
    .message(s, 0)
}

/// Parse a CQ string leniently: never fails (see the module docs).
pub fn parse_lenient(s: &str) -> Vec<Segment> {
    // The lenient parser reports no errors: every failure falls back to literal text.
    Parser {
        strict: false,
        source: None,
    }
    .message(s, 0)
    .unwrap_or_else(|_| vec![Segment::text(s)])
}

/// [`parse_lenient`] of a payload's string: text runs without an escape are ranges of `s`
/// (a reference count, not a copy; decision 0032).
pub fn parse_lenient_text(s: &Text) -> Vec<Segment> {
    Parser {
        strict: false,
        source: Some(s),
    }
    .message(s, 0)
    .unwrap_or_else(|_| vec![Segment::text(s.clone())])
}

/// Render segments as a CQ string. `parse(&render(segs)) == segs` for normalised segments
/// (no empty or adjacent text, see [`Message::normalize`]) whose unknown-type data and
/// unmodelled fields (`extra`) hold only strings (a CQ code carries nothing else).
///
/// A known type's unmodelled fields follow its modelled ones: strings, numbers and bools as
/// parameters (they read back as strings), `null`, arrays and objects left out, as are keys
/// that are empty or hold `=` (decision 0058). A text segment is bare text unless it carries
/// flat `extra` fields; then it is a `[CQ:text,…]` code.
pub fn render(segs: &[Segment]) -> String {
    let mut out = String::new();
    render_into(segs, &mut out);
    out
}

/// Append the rendering of `segs` to `out`.
pub fn render_into(segs: &[Segment], out: &mut String) {
    for seg in segs {
        match seg {
            // Text with an unmodelled field a parameter carries is a `[CQ:text,..]` code, so
            // that the field reads back (decision 0058); other text is bare.
            Segment::Text(t) if !t.extra.iter().any(|(k, v)| flat_param(k, v)) => {
                escape_text_into(&t.text, out);
            }
            _ => render_code(seg, out),
        }
    }
}

fn render_code(seg: &Segment, out: &mut String) {
    out.push_str("[CQ:");
    escape_param_into(seg.kind(), out);
    let fields = ordered_fields(seg);
    // A known type's unmodelled fields (`extra`, decision 0058) are written when a flat
    // parameter carries them: a string, number or bool under a key that reads back as itself.
    let extra = (!seg.is_unknown()).then(|| seg.extra());
    for (key, value) in fields {
        if let (Segment::Node(node), "content") = (seg, key.as_str()) {
            if let Some(content) = &node.content {
                out.push_str(",content=");
                escape_param_into(&render(content), out);
            }
            continue;
        }
        if extra.is_some_and(|extra| extra.contains_key(&key)) && !flat_param(&key, &value) {
            continue;
        }
        let text: Cow<'_, str> = match &value {
            Value::Null => continue,
            Value::String(s) => Cow::Borrowed(s.as_str()),
            Value::Bool(b) => Cow::Owned(b.to_string()),
            Value::Number(n) => Cow::Owned(n.to_string()),
            Value::Array(_) | Value::Object(_) => Cow::Owned(value.to_string()),
        };
        out.push(',');
        escape_param_into(&key, out);
        out.push('=');
        escape_param_into(&text, out);
    }
    out.push(']');
}

/// Whether an unmodelled field of a known type is written as a CQ parameter: a string, number
/// or bool (read back as a string) under a non-empty key without `=` (which would read back as
/// another key). `null`, arrays and objects (NapCat's `face.raw`, `forward.content`) are left
/// out: a CQ code is flat, and their JSON text would read back as a string the producer never
/// sent.
fn flat_param(key: &str, value: &Value) -> bool {
    !key.is_empty()
        && !key.contains('=')
        && matches!(value, Value::String(_) | Value::Number(_) | Value::Bool(_))
}

/// The segment's data fields in declaration order (typed) or key order (unknown).
///
/// The values come from `to_value` (exact: no float goes through text and back); the order
/// from the keys of `to_string`, which follow the struct's declaration order.
fn ordered_fields(seg: &Segment) -> Vec<(String, Value)> {
    let (Ok(Value::Object(mut values)), Ok(json)) = (seg.data_value(), seg.data_json()) else {
        return Vec::new();
    };
    let mut de = serde_json::Deserializer::from_str(&json);
    let keys = de.deserialize_map(KeysVisitor).unwrap_or_default();
    keys.into_iter()
        .filter_map(|k| values.remove(&k).map(|v| (k, v)))
        .collect()
}

/// The keys of a JSON object, in order.
struct KeysVisitor;

impl<'de> Visitor<'de> for KeysVisitor {
    type Value = Vec<String>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        while let Some((k, IgnoredAny)) = map.next_entry::<String, IgnoredAny>()? {
            out.push(k);
        }
        Ok(out)
    }
}

/// Escape text outside codes: `&`, `[`, `]`.
pub fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    escape_text_into(s, &mut out);
    out
}

/// Escape a parameter value (or type, or key): `&`, `[`, `]` and `,`.
pub fn escape_param(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    escape_param_into(s, &mut out);
    out
}

fn escape_text_into(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '[' => out.push_str("&#91;"),
            ']' => out.push_str("&#93;"),
            c => out.push(c),
        }
    }
}

fn escape_param_into(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '[' => out.push_str("&#91;"),
            ']' => out.push_str("&#93;"),
            ',' => out.push_str("&#44;"),
            c => out.push(c),
        }
    }
}

/// Unescape text outside codes (`&amp;`, `&#91;`, `&#93;`); anything else stays as is.
pub fn unescape_text(s: &str) -> Cow<'_, str> {
    unescape(s, false)
}

/// Unescape a parameter value (`&amp;`, `&#91;`, `&#93;`, `&#44;`).
pub fn unescape_param(s: &str) -> Cow<'_, str> {
    unescape(s, true)
}

fn unescape(s: &str, comma: bool) -> Cow<'_, str> {
    if !s.contains('&') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let (rep, len) = if tail.starts_with("&amp;") {
            ('&', 5)
        } else if tail.starts_with("&#91;") {
            ('[', 5)
        } else if tail.starts_with("&#93;") {
            (']', 5)
        } else if comma && tail.starts_with("&#44;") {
            (',', 5)
        } else {
            ('&', 1)
        };
        out.push(rep);
        rest = &tail[len..];
    }
    out.push_str(rest);
    Cow::Owned(out)
}

struct Parser<'a> {
    strict: bool,
    /// The string being parsed as a `Text`, when it is one: unescaped text runs share it.
    source: Option<&'a Text>,
}

impl Parser<'_> {
    /// Parse a whole message. `depth` counts the enclosing `node` contents.
    fn message(&self, s: &str, depth: usize) -> Result<Vec<Segment>, CqError> {
        let bytes = s.as_bytes();
        let mut out = Vec::new();
        let mut run_start = 0;
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'[' if bytes[i..].starts_with(b"[CQ:") => match self.code(s, i, depth) {
                    Ok((seg, end)) => {
                        self.push_text(&mut out, &s[run_start..i]);
                        push_normalized(&mut out, seg);
                        i = end;
                        run_start = i;
                    }
                    Err(e) if self.strict => return Err(e),
                    Err(_) => i += 1,
                },
                b'[' if self.strict => return Err(CqError::new(i, "unescaped `[` in text")),
                b']' if self.strict => return Err(CqError::new(i, "unescaped `]` in text")),
                _ => i += 1,
            }
        }
        self.push_text(&mut out, &s[run_start..]);
        Ok(out)
    }

    /// Parse the code starting at `start` (at `[CQ:`); returns the segment and the offset
    /// after its `]`.
    fn code(&self, s: &str, start: usize, depth: usize) -> Result<(Segment, usize), CqError> {
        let bytes = s.as_bytes();
        let type_start = start + 4;
        let type_end = find_delim(bytes, type_start).ok_or_else(|| unterminated(start))?;
        if bytes[type_end] == b'[' {
            return Err(CqError::new(type_end, "unescaped `[` inside a CQ code"));
        }
        let kind = unescape_param(&s[type_start..type_end]).into_owned();
        if kind.is_empty() {
            return Err(CqError::new(type_start, "empty CQ code type"));
        }
        let mut data = Map::new();
        let mut node_content: Option<(usize, String)> = None;
        let mut pos = type_end;
        while bytes[pos] == b',' {
            let p_start = pos + 1;
            let p_end = find_delim(bytes, p_start).ok_or_else(|| unterminated(start))?;
            if bytes[p_end] == b'[' {
                return Err(CqError::new(p_end, "unescaped `[` inside a CQ code"));
            }
            let param = &s[p_start..p_end];
            let Some(eq) = param.find('=') else {
                return Err(CqError::new(
                    p_start,
                    format!("parameter `{param}` has no `=`"),
                ));
            };
            let key = unescape_param(&param[..eq]).into_owned();
            if key.is_empty() {
                return Err(CqError::new(p_start, "empty parameter name"));
            }
            let value = unescape_param(&param[eq + 1..]).into_owned();
            if data.contains_key(&key) || (key == "content" && node_content.is_some()) {
                if self.strict {
                    return Err(CqError::new(
                        p_start,
                        format!("duplicate parameter `{key}`"),
                    ));
                }
                data.remove(&key);
            }
            if kind == "node" && key == "content" {
                node_content = Some((p_start + eq + 1, value));
            } else {
                data.insert(key, Value::String(value));
            }
            pos = p_end;
        }
        let end = pos + 1;
        let seg = match node_content {
            Some((offset, content)) => self.node(data, &content, offset, depth)?,
            None if self.strict => Segment::from_parts_strict(kind, data)
                .map_err(|e| CqError::new(start, e.to_string()))?,
            None => Segment::from_parts(kind, data),
        };
        Ok((seg, end))
    }

    /// A `node` with a nested `content` message.
    fn node(
        &self,
        data: Map<String, Value>,
        content: &str,
        offset: usize,
        depth: usize,
    ) -> Result<Segment, CqError> {
        let inner = if depth + 1 > MAX_DEPTH {
            Err(CqError::new(
                offset,
                format!("node contents nested deeper than {MAX_DEPTH}"),
            ))
        } else {
            self.message(content, depth + 1).map_err(|e| {
                CqError::new(
                    offset,
                    format!("in node content at byte {}: {}", e.offset, e.reason),
                )
            })
        };
        let typed = Segment::from_parts_strict("node".to_owned(), data.clone());
        match (inner, typed) {
            (Ok(inner), Ok(Segment::Node(node))) => Ok(Segment::Node(Node {
                content: Some(Message(inner)),
                ..node
            })),
            (Err(e), _) if self.strict => Err(e),
            (_, Err(e)) if self.strict => Err(CqError::new(offset, e.to_string())),
            _ => {
                // Lenient: keep the node raw, content as the string it was.
                let mut data = data;
                data.insert("content".to_owned(), Value::String(content.to_owned()));
                Ok(Segment::Unknown(super::segment::UnknownSegment {
                    kind: "node".to_owned(),
                    data,
                }))
            }
        }
    }

    /// A run of text between codes, unescaped: a range of the source when nothing was
    /// unescaped (and the run lies in it: `node` contents are strings of their own).
    fn push_text(&self, out: &mut Vec<Segment>, raw: &str) {
        if raw.is_empty() {
            return;
        }
        let text = match (unescape_text(raw), self.source) {
            (Cow::Borrowed(run), Some(source)) => source.slice_of(run),
            (Cow::Borrowed(run), None) => Text::from(run),
            (Cow::Owned(run), _) => Text::from(run),
        };
        push_normalized(out, Segment::text(text));
    }
}

fn unterminated(start: usize) -> CqError {
    CqError::new(start, "unterminated CQ code (no closing `]`)")
}

/// The offset of the next `,`, `]` or `[` from `from`.
fn find_delim(bytes: &[u8], from: usize) -> Option<usize> {
    bytes
        .get(from..)?
        .iter()
        .position(|b| matches!(b, b',' | b']' | b'['))
        .map(|p| from + p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unescape_is_one_pass() {
        assert_eq!(unescape_text("&amp;#91;"), "&#91;");
        assert_eq!(unescape_text("a&#91;b&#93;&#44;"), "a[b]&#44;");
        assert_eq!(unescape_param("&#44;&amp;"), ",&");
        assert_eq!(unescape_text("& &x; &"), "& &x; &");
    }

    #[test]
    fn escape_covers_the_four_characters() {
        assert_eq!(escape_text("a&[b],"), "a&amp;&#91;b&#93;,");
        assert_eq!(escape_param("a&[b],"), "a&amp;&#91;b&#93;&#44;");
    }

    #[test]
    fn strict_errors_carry_offsets() {
        assert_eq!(parse("ab[CQ:face,id=1").unwrap_err().offset, 2);
        assert_eq!(parse("ab]").unwrap_err().offset, 2);
        assert_eq!(parse("a[b").unwrap_err().offset, 1);
        assert_eq!(parse("[CQ:]").unwrap_err().offset, 4);
        assert_eq!(parse("[CQ:face,id]").unwrap_err().offset, 9);
        assert_eq!(parse("[CQ:face,=1]").unwrap_err().offset, 9);
        assert_eq!(parse("[CQ:face,id=1,id=2]").unwrap_err().offset, 14);
        assert_eq!(parse("[CQ:face,id=[CQ:x]]").unwrap_err().offset, 12);
    }

    #[test]
    fn lenient_keeps_malformed_codes_as_text() {
        assert_eq!(parse_lenient("a[b]c"), vec![Segment::text("a[b]c")]);
        assert_eq!(
            parse_lenient("[CQ:face,id=1"),
            vec![Segment::text("[CQ:face,id=1")]
        );
        assert_eq!(
            parse_lenient("x[CQ:oops[CQ:face,id=2]"),
            vec![Segment::text("x[CQ:oops"), Segment::face(2)]
        );
    }

    #[test]
    fn value_may_contain_equals_signs() {
        let segs = parse("[CQ:image,file=a.jpg,url=http://x/?a=1&#44;b=2]").unwrap();
        let Segment::Image(img) = &segs[0] else {
            panic!()
        };
        assert_eq!(img.url.as_deref(), Some("http://x/?a=1,b=2"));
    }

    #[test]
    fn node_content_nests_and_round_trips() {
        let s = "[CQ:node,user_id=10,nickname=a,content=hi&#44; &#91;CQ:face&#44;id=1&#93;]";
        let segs = parse(s).unwrap();
        let Segment::Node(n) = &segs[0] else {
            panic!("{segs:?}")
        };
        assert_eq!(n.user_id, Some(10));
        let content = n.content.as_ref().unwrap();
        assert_eq!(content.0, vec![Segment::text("hi, "), Segment::face(1)]);
        assert_eq!(render(&segs), s);
    }

    #[test]
    fn lenient_parse_of_a_text_shares_its_unescaped_runs() {
        let source = crate::Text::from("hi [CQ:face,id=1] a&#91;b [CQ:node,content=x] tail");
        let segs = parse_lenient_text(&source);
        assert_eq!(
            segs,
            parse_lenient(&source),
            "the same segments as from a &str"
        );
        let texts: Vec<&crate::Text> = segs
            .iter()
            .filter_map(|s| match s {
                Segment::Text(t) => Some(&t.text),
                _ => None,
            })
            .collect();
        assert_eq!(texts, ["hi ", " a[b ", " tail"]);
        // unescaped runs are ranges of the source; an unescaped one has its own buffer
        assert!(texts[0].is_shared() && texts[2].is_shared());
        assert!(!texts[1].is_shared());
        // a node's content is a string of its own: its text is copied, not misread
        let Some(Segment::Node(n)) = segs.get(3) else {
            panic!("{segs:?}")
        };
        let inner = n.content.as_ref().unwrap();
        assert_eq!(inner.0, vec![Segment::text("x")]);
        assert_eq!(parse_lenient_text(&crate::Text::new()), vec![]);
    }

    #[test]
    fn unmodelled_parameters_of_a_known_type_are_kept_and_rendered_back() {
        let s = "[CQ:face,id=14,resultId=a&#44;b][CQ:reply,id=1,seq=456]";
        let segs = parse(s).unwrap();
        assert_eq!(
            segs,
            vec![
                Segment::face(14).with_extra("resultId", "a,b"),
                Segment::reply(1).with_extra("seq", "456"),
            ]
        );
        assert_eq!(parse_lenient(s), segs);
        assert_eq!(render(&segs), s);
    }

    #[test]
    fn render_writes_flat_unmodelled_fields_and_leaves_out_the_rest() {
        let seg: Segment = serde_json::from_str(
            r#"{"type":"face","data":{"id":"14","raw":{"faceIndex":14},"resultId":null,
                "seq":456,"big":true,"name":"微笑","":"x","a=b":"c","list":[1]}}"#,
        )
        .unwrap();
        assert_eq!(seg.extra().len(), 8);
        let s = render(std::slice::from_ref(&seg));
        assert_eq!(s, "[CQ:face,id=14,big=true,name=微笑,seq=456]");
        // what a CQ code carries reads back, as strings
        assert_eq!(
            parse(&s).unwrap(),
            vec![Segment::face(14)
                .with_extra("big", "true")
                .with_extra("name", "微笑")
                .with_extra("seq", "456")]
        );
    }

    #[test]
    fn text_with_unmodelled_fields_is_a_text_code_and_is_not_merged() {
        let segs = vec![
            Segment::text("a"),
            Segment::text("b[").with_extra("k", "v"),
            Segment::text("c"),
        ];
        let s = render(&segs);
        assert_eq!(s, "a[CQ:text,text=b&#91;,k=v]c");
        assert_eq!(parse(&s).unwrap(), segs);
        let mut m = Message(segs.clone());
        m.normalize();
        assert_eq!(m.0, segs, "text with fields of its own stays apart");
        // an empty one is kept too; without fields it is dropped
        let mut m = Message(vec![
            Segment::text("").with_extra("k", "v"),
            Segment::text(""),
        ]);
        m.normalize();
        assert_eq!(m.0, vec![Segment::text("").with_extra("k", "v")]);
        // a text whose fields no parameter carries is bare text
        let s = render(&[Segment::text("x").with_extra("raw", serde_json::json!({}))]);
        assert_eq!(s, "x");
    }

    #[test]
    fn too_deep_node_nesting_is_an_error_not_a_crash() {
        let mut s = String::from("x");
        for _ in 0..(MAX_DEPTH + 2) {
            s = format!("[CQ:node,content={}]", escape_param(&s));
        }
        let e = parse(&s).unwrap_err();
        assert!(e.reason.contains("nested deeper"), "{e}");
        let lenient = parse_lenient(&s);
        assert_eq!(lenient.len(), 1);
    }
}
