//! Single-field mutants of a JSON payload and the leniency check applied to each.
//!
//! Every field path of a payload (object keys and array elements, at any depth) gets three
//! mutants: the field removed, the field `null`, the field `""`. The rule under test
//! (docs/decisions/0014): all three decode, and `null` / `""` decode exactly as the removed
//! field does, i.e. to absent or the type's default. A field the typed payload does not model
//! (an `extra` map, an unknown segment's data, a raw JSON value) passes through as sent: there
//! the check is that the mutant differs from the removed field only by that value, kept as is.

#![allow(dead_code)]

use serde::Serialize;
use serde_json::Value;
use std::fmt::Debug;

/// One step of a path into a JSON document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// An object key.
    Key(String),
    /// An array index.
    Index(usize),
}

/// A path from the payload root, e.g. `author.roles[1]`.
pub type Path = Vec<Step>;

/// Render a path for messages: `sender.role`, `message[2].data.url`.
pub fn show(path: &[Step]) -> String {
    let mut out = String::new();
    for step in path {
        match step {
            Step::Key(k) if out.is_empty() => out.push_str(k),
            Step::Key(k) => {
                out.push('.');
                out.push_str(k);
            }
            Step::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// The three mutations of one field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mutation {
    /// The key (or array element) is gone.
    Removed,
    /// The value is `null`.
    Null,
    /// The value is `""`.
    Empty,
}

impl Mutation {
    /// The value a mutant carries at the path (`None` for a removed field).
    pub fn value(self) -> Option<Value> {
        match self {
            Mutation::Removed => None,
            Mutation::Null => Some(Value::Null),
            Mutation::Empty => Some(Value::String(String::new())),
        }
    }
}

/// Every field path of `root`, parents before children, in document order.
pub fn paths(root: &Value) -> Vec<Path> {
    fn walk(node: &Value, path: &mut Path, out: &mut Vec<Path>) {
        match node {
            Value::Object(map) => {
                for (k, v) in map {
                    path.push(Step::Key(k.clone()));
                    out.push(path.clone());
                    walk(v, path, out);
                    path.pop();
                }
            }
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    path.push(Step::Index(i));
                    out.push(path.clone());
                    walk(v, path, out);
                    path.pop();
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(root, &mut Vec::new(), &mut out);
    out
}

/// The node at `path`, if there is one.
pub fn get<'a>(root: &'a Value, path: &[Step]) -> Option<&'a Value> {
    path.iter().try_fold(root, |node, step| match step {
        Step::Key(k) => node.get(k.as_str()),
        Step::Index(i) => node.get(*i),
    })
}

/// `root` with the field at `path` changed by `m`. `None` if the path is not in `root`.
pub fn mutate(root: &Value, path: &[Step], m: Mutation) -> Option<Value> {
    let (last, parents) = path.split_last()?;
    let mut copy = root.clone();
    let mut node = &mut copy;
    for step in parents {
        node = match step {
            Step::Key(k) => node.get_mut(k.as_str())?,
            Step::Index(i) => node.get_mut(*i)?,
        };
    }
    match (last, m.value()) {
        (Step::Key(k), None) => {
            node.as_object_mut()?.remove(k)?;
        }
        (Step::Key(k), Some(v)) => *node.as_object_mut()?.get_mut(k)? = v,
        (Step::Index(i), None) => {
            let items = node.as_array_mut()?;
            if *i >= items.len() {
                return None;
            }
            items.remove(*i);
        }
        (Step::Index(i), Some(v)) => *node.as_array_mut()?.get_mut(*i)? = v,
    }
    Some(copy)
}

/// How one field's null / "" mutant compared with its removed mutant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Decoded to exactly what the removed field decodes to (absent / default).
    Absent,
    /// Not modelled by the typed payload: kept as sent, nothing else differs.
    PassedThrough,
}

/// A value no typed field reads back verbatim (a list of mixed shapes): where it survives a
/// decode and re-serialisation unchanged, the field is carried raw.
pub fn probe() -> Value {
    serde_json::json!([[true], {"botgate_probe": null}, 1.5])
}

/// The key [`sibling_probe`] adds.
pub const SIBLING: &str = "botgate_sibling_probe";

/// `root` with an unknown key added to the object that holds the field at `path` (the nearest
/// object on the path), and the path of that key. `None` if no object holds the field.
pub fn sibling_probe(root: &Value, path: &[Step]) -> Option<(Value, Path)> {
    let last_key = path.iter().rposition(|s| matches!(s, Step::Key(_)))?;
    let mut copy = root.clone();
    let mut node = &mut copy;
    for step in &path[..last_key] {
        node = match step {
            Step::Key(k) => node.get_mut(k.as_str())?,
            Step::Index(i) => node.get_mut(*i)?,
        };
    }
    node.as_object_mut()?
        .insert(SIBLING.to_owned(), Value::Bool(true));
    let mut at = path[..last_key].to_vec();
    at.push(Step::Key(SIBLING.to_owned()));
    Some((copy, at))
}

/// Compare the decoded mutant `got` with the decoded removed-field mutant `removed`.
///
/// `path` is where the field sits in the serialised event (the payload root for QQ and
/// Bubble, the event object for OneBot). `carried_raw` says whether the typed payload keeps the
/// field as sent (asked only when the two differ): then `got` may differ from `removed` by
/// exactly that value.
pub fn compare<E: PartialEq + Debug + Serialize>(
    got: &E,
    removed: &E,
    path: &[Step],
    m: Mutation,
    carried_raw: impl FnOnce() -> bool,
) -> Result<Outcome, String> {
    if got == removed {
        return Ok(Outcome::Absent);
    }
    let got_json = serde_json::to_value(got).map_err(|e| format!("serialise: {e}"))?;
    let removed_json = serde_json::to_value(removed).map_err(|e| format!("serialise: {e}"))?;
    let kept_as_sent = get(&got_json, path) == m.value().as_ref();
    let rest_equal = mutate(&got_json, path, Mutation::Removed).as_ref() == Some(&removed_json);
    if kept_as_sent && rest_equal && carried_raw() {
        return Ok(Outcome::PassedThrough);
    }
    Err(format!(
        "{m:?} does not decode as the removed field:\n    {m:?}: {got_json}\n    removed: {removed_json}"
    ))
}

/// What one platform's run covered.
#[derive(Debug, Default)]
pub struct Tally {
    /// Sample events walked.
    pub samples: usize,
    /// Field paths mutated.
    pub fields: usize,
    /// Mutants decoded (three per field).
    pub mutants: usize,
    /// Null / "" mutants that decoded to absent or the default.
    pub absent: usize,
    /// Null / "" mutants of fields the payload does not model, kept as sent.
    pub passed_through: usize,
    /// Field paths left alone because the protocol needs them (see the exemption lists).
    pub exempt: usize,
}

impl Tally {
    /// Add another tally.
    pub fn add(&mut self, other: &Tally) {
        self.samples += other.samples;
        self.fields += other.fields;
        self.mutants += other.mutants;
        self.absent += other.absent;
        self.passed_through += other.passed_through;
        self.exempt += other.exempt;
    }
}
