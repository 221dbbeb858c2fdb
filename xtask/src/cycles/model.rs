//! The module tree of one crate (one root file) and the paths its files name.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// An index into [`Crate::modules`].
pub type ModId = usize;

/// One module: a file, or an inline `mod name { ... }` inside one.
#[derive(Debug, Default)]
pub struct Module {
    /// The file that holds it (relative to the workspace root).
    pub file: PathBuf,
    /// The directory its `mod child;` files live in.
    pub dir: PathBuf,
    /// The enclosing module; `None` for the crate root.
    pub parent: Option<ModId>,
    /// `mod` declarations, by name.
    pub children: BTreeMap<String, ModId>,
    /// Names of the items it defines (`struct`, `fn`, `const`...).
    pub items: BTreeSet<String>,
    /// Names bound by its `use` declarations, with the path as written.
    pub bindings: BTreeMap<String, Vec<String>>,
    /// The paths of its glob imports (`use a::b::*` gives `[a, b]`).
    pub globs: Vec<Vec<String>>,
}

/// A path that starts at `crate`, `super` or `self`, named in a file.
#[derive(Debug, Clone)]
pub struct Ref {
    /// The module (possibly inline) the path is written in.
    pub module: ModId,
    /// The path's segments as written (a glob import ends before its `*`).
    pub path: Vec<String>,
    /// The line it starts on.
    pub line: usize,
}

/// One crate: the module tree from its root file, and every path its files name.
#[derive(Debug, Default)]
pub struct Crate {
    /// `modules[0]` is the root.
    pub modules: Vec<Module>,
    /// Every `crate::` / `super::` / `self::` path, in `use` declarations or elsewhere.
    pub refs: Vec<Ref>,
}

impl Crate {
    /// Adds a module and returns its id.
    pub fn add(&mut self, module: Module) -> ModId {
        self.modules.push(module);
        self.modules.len() - 1
    }
}
