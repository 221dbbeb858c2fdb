//! Helpers shared by the frame tests: reading the sample files and the schema's
//! event → payload table.

#![allow(dead_code)]

use serde_json::Value;
use std::collections::BTreeMap;

/// Reads one sample file under `testdata/`, one JSON value per non-empty line.
pub fn lines(rel: &str) -> Vec<Value> {
    let path = format!("{}/../testdata/{rel}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, l)| serde_json::from_str(l).unwrap_or_else(|e| panic!("{rel}:{}: {e}", i + 1)))
        .collect()
}

/// `name` → `payload` of every `[[event]]` in `proto/schema/<file>` (a small line reader for
/// the two keys; the full schema is validated by xtask).
pub fn schema_payloads(file: &str) -> BTreeMap<String, String> {
    let path = format!("{}/schema/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut out = BTreeMap::new();
    let mut name: Option<String> = None;
    for line in text.lines().map(str::trim) {
        if line == "[[event]]" {
            name = None;
        } else if let Some(v) = value_of(line, "name") {
            name = Some(v);
        } else if let Some(v) = value_of(line, "payload") {
            let n = name
                .clone()
                .unwrap_or_else(|| panic!("{file}: payload before name"));
            assert!(
                out.insert(n.clone(), v).is_none(),
                "{file}: {n} listed twice"
            );
        }
    }
    out
}

fn value_of(line: &str, key: &str) -> Option<String> {
    let rest = line
        .strip_prefix(key)?
        .trim_start()
        .strip_prefix('=')?
        .trim();
    Some(rest.strip_prefix('"')?.strip_suffix('"')?.to_owned())
}

/// The raw text of `d`, so payloads are decoded from bytes as the codec does.
pub fn d_text(v: &Value) -> String {
    v.get("d")
        .map(Value::to_string)
        .unwrap_or_else(|| "null".into())
}
