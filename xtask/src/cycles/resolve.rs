//! Which module a path names: modules are walked by their `mod` names, and a name that a module
//! only imports (`use`, `pub use`, globs) is followed to the module that defines it, so that a
//! re-export in a `mod.rs` or `lib.rs` leads to the file that holds the item.

use super::model::{Crate, ModId};

/// How many `use` hops are followed before giving up on a name (re-export chains are short).
const MAX_HOPS: usize = 16;

/// The module that holds what `path`, written in module `from`, names; `None` for a path into
/// another crate.
pub fn module_of(krate: &Crate, from: ModId, path: &[String]) -> Option<ModId> {
    resolve(krate, from, path, 0)
}

fn resolve(krate: &Crate, from: ModId, path: &[String], hops: usize) -> Option<ModId> {
    let first = path.first()?;
    let mut m = match first.as_str() {
        "crate" => 0,
        "super" => krate.modules[from].parent?,
        "self" => from,
        name => *krate.modules[from].children.get(name)?,
    };
    let mut rest = &path[1..];
    while let Some((seg, tail)) = rest.split_first() {
        if seg == "super" {
            m = krate.modules[m].parent?;
        } else if let Some(&child) = krate.modules[m].children.get(seg) {
            m = child;
        } else {
            break;
        }
        rest = tail;
    }
    match rest.first() {
        None => Some(m),
        Some(name) => lookup(krate, m, name, hops),
    }
}

/// The module that defines `name` as seen from module `m`; `m` itself when it cannot tell
/// (an item made by a macro, say).
fn lookup(krate: &Crate, m: ModId, name: &str, hops: usize) -> Option<ModId> {
    let module = &krate.modules[m];
    if hops > MAX_HOPS || module.items.contains(name) {
        return Some(m);
    }
    if let Some(path) = module.bindings.get(name) {
        return resolve(krate, m, path, hops + 1);
    }
    for glob in &module.globs {
        if let Some(g) = resolve(krate, m, glob, hops + 1) {
            if g != m && provides(krate, g, name, hops + 1) {
                return lookup(krate, g, name, hops + 1);
            }
        }
    }
    Some(m)
}

/// Whether module `m` has `name` in scope: defined, imported, a child, or through a glob.
fn provides(krate: &Crate, m: ModId, name: &str, hops: usize) -> bool {
    let module = &krate.modules[m];
    if module.items.contains(name)
        || module.bindings.contains_key(name)
        || module.children.contains_key(name)
    {
        return true;
    }
    hops <= MAX_HOPS
        && module.globs.iter().any(|glob| {
            resolve(krate, m, glob, hops + 1)
                .is_some_and(|g| g != m && provides(krate, g, name, hops + 1))
        })
}
