//! JSONL scripts of events for a sim: one JSON object per line; blank lines and lines
//! starting with `#` or `//` are skipped.

use serde_json::Value;

use crate::error::{Error, ErrorKind};

/// One scripted QQ / Bubble dispatch.
#[derive(Debug, Clone, PartialEq)]
pub struct ScriptEvent {
    /// Event type (`t`).
    pub t: String,
    /// Payload (`d`).
    pub d: Value,
}

/// Parses every line of `text` into a JSON value.
pub(crate) fn lines(text: &str) -> Result<Vec<(usize, Value)>, Error> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with("//") {
            continue;
        }
        let value: Value = serde_json::from_str(line).map_err(|e| {
            Error::new(
                ErrorKind::Script {
                    line: i + 1,
                    reason: e.to_string(),
                },
                None,
            )
        })?;
        if !value.is_object() {
            return Err(Error::new(
                ErrorKind::Script {
                    line: i + 1,
                    reason: "not a JSON object".into(),
                },
                None,
            ));
        }
        out.push((i + 1, value));
    }
    Ok(out)
}

/// Dispatches of a QQ / Bubble script: lines `{"t":..,"d":..}` or whole frames
/// `{"op":0,"t":..,"d":..}`. Frames with another op and the types in `generated` (made by the
/// sim itself, e.g. READY) are skipped, so captured traffic can be replayed as is.
pub fn parse_dispatches(text: &str, generated: &[&str]) -> Result<Vec<ScriptEvent>, Error> {
    let mut out = Vec::new();
    for (line, value) in lines(text)? {
        if value.get("op").is_some_and(|op| op.as_u64() != Some(0)) {
            continue;
        }
        let Some(t) = value.get("t").and_then(Value::as_str) else {
            return Err(Error::new(
                ErrorKind::Script {
                    line,
                    reason: "missing string field `t`".into(),
                },
                None,
            ));
        };
        if generated.contains(&t) {
            continue;
        }
        out.push(ScriptEvent {
            t: t.to_owned(),
            d: value.get("d").cloned().unwrap_or(Value::Null),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dispatch_lines_and_frames_are_read_and_others_skipped() {
        let text = "# comment\n{\"op\":10,\"d\":{}}\n{\"t\":\"A\",\"d\":{\"x\":1}}\n\n{\"op\":0,\"s\":1,\"t\":\"READY\",\"d\":{}}\n{\"op\":0,\"t\":\"B\"}\n";
        let events = parse_dispatches(text, &["READY"]).unwrap();
        assert_eq!(
            events,
            vec![
                ScriptEvent {
                    t: "A".into(),
                    d: serde_json::json!({"x":1})
                },
                ScriptEvent {
                    t: "B".into(),
                    d: Value::Null
                },
            ]
        );
    }

    #[test]
    fn bad_lines_name_their_number() {
        let err = parse_dispatches("{\"t\":\"A\"}\nnot json\n", &[]).unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::Script { line: 2, .. }));
        let err = parse_dispatches("{\"d\":1}\n", &[]).unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::Script { line: 1, .. }));
    }
}
