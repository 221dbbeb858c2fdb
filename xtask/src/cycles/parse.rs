//! Reads the files of one crate into its module tree: `mod` declarations (file or inline), the
//! items each module defines, its `use` bindings, and every `crate::` / `super::` / `self::`
//! path its files name.

use super::lex::{self, Tok, Token};
use super::model::{Crate, ModId, Module, Ref};
use std::path::{Path, PathBuf};

/// Where source text comes from: the disk, or a map in tests.
pub trait Sources {
    /// The text of `path` (relative to the workspace root), if it exists.
    fn read(&self, path: &Path) -> Option<String>;
}

/// Keywords that introduce an item named by the next identifier.
const ITEM_KEYWORDS: &[&str] = &[
    "fn", "struct", "enum", "union", "trait", "type", "const", "static",
];

/// The crate whose root file is `root`.
pub fn parse_crate(src: &dyn Sources, root: &Path) -> Result<Crate, String> {
    let mut krate = Crate::default();
    let dir = root.parent().map(Path::to_path_buf).unwrap_or_default();
    let id = krate.add(Module {
        file: root.to_path_buf(),
        dir,
        ..Module::default()
    });
    parse_file(src, &mut krate, id)?;
    Ok(krate)
}

fn parse_file(src: &dyn Sources, krate: &mut Crate, module: ModId) -> Result<(), String> {
    let file = krate.modules[module].file.clone();
    let text = src
        .read(&file)
        .ok_or_else(|| format!("cannot read {}", file.display()))?;
    let toks = lex::tokens(&text);
    let tok = |k: usize| toks.get(k).map(|t| &t.tok);
    let ident = |k: usize| match tok(k) {
        Some(Tok::Ident(s)) => Some(s.as_str()),
        _ => None,
    };
    // (module, brace depth of its body); items and bindings count at that depth only.
    let mut stack: Vec<(ModId, usize)> = vec![(module, 0)];
    let mut depth = 0;
    // The file of the next `mod name;`, set by a `#[path = "..."]` before it.
    let mut path_attr: Option<PathBuf> = None;
    let mut i = 0;
    while i < toks.len() {
        let (m, base) = stack[stack.len() - 1];
        let at_module_level = depth == base;
        match &toks[i].tok {
            Tok::Punct('{') => depth += 1,
            Tok::Punct('}') => {
                if stack.len() > 1 && depth == base {
                    stack.pop();
                }
                depth = depth.saturating_sub(1);
            }
            Tok::Punct('#')
                if tok(i + 1) == Some(&Tok::Punct('['))
                    && ident(i + 2) == Some("path")
                    && tok(i + 3) == Some(&Tok::Punct('=')) =>
            {
                let (Some(Tok::Str(p)), true) = (tok(i + 4), stack.len() == 1) else {
                    return Err(format!(
                        "{}:{}: this #[path] is not supported by the cycle check",
                        file.display(),
                        toks[i].line
                    ));
                };
                // Outside inline modules, relative to the directory of the declaring file.
                path_attr = Some(file.parent().unwrap_or(Path::new("")).join(p));
                i += 5;
                continue;
            }
            Tok::Ident(k) if k == "mod" => {
                if let Some(name) = ident(i + 1) {
                    let inline = match tok(i + 2) {
                        Some(Tok::Punct(';')) => false,
                        Some(Tok::Punct('{')) => true,
                        _ => {
                            i += 1;
                            continue;
                        }
                    };
                    let mut dir = krate.modules[m].dir.join(name);
                    let child_file = if inline {
                        file.clone()
                    } else if let Some(p) = path_attr.take() {
                        // A file named by #[path] keeps its children next to it, as a mod.rs.
                        dir = p.parent().unwrap_or(Path::new("")).to_path_buf();
                        p
                    } else {
                        module_file(src, &krate.modules[m].dir, name).ok_or_else(|| {
                            format!(
                                "{}:{}: no file for `mod {name};`",
                                file.display(),
                                toks[i].line
                            )
                        })?
                    };
                    let child = krate.add(Module {
                        file: child_file,
                        dir,
                        parent: Some(m),
                        ..Module::default()
                    });
                    krate.modules[m].children.insert(name.to_owned(), child);
                    if inline {
                        depth += 1;
                        stack.push((child, depth));
                    } else {
                        parse_file(src, krate, child)?;
                    }
                    i += 3;
                    continue;
                }
            }
            Tok::Ident(k) if k == "use" => {
                let mut items = Vec::new();
                let mut end = use_tree(&toks, i + 1, Vec::new(), &mut items);
                if tok(end) == Some(&Tok::Punct(';')) {
                    end += 1;
                }
                for item in items {
                    if item.path.first().is_some_and(|s| is_local_start(s)) {
                        krate.refs.push(Ref {
                            module: m,
                            path: item.path.clone(),
                            line: toks[i].line,
                        });
                    }
                    if at_module_level {
                        let module = &mut krate.modules[m];
                        match item.name {
                            None => module.globs.push(item.path),
                            Some(name) if name != "_" => {
                                module.bindings.insert(name, item.path);
                            }
                            Some(_) => {}
                        }
                    }
                }
                i = end.max(i + 1);
                continue;
            }
            Tok::Ident(k) if at_module_level && ITEM_KEYWORDS.contains(&k.as_str()) => {
                let name = match ident(i + 1) {
                    Some("mut" | "ref") if k == "static" => ident(i + 2),
                    other => other,
                };
                if let Some(name) =
                    name.filter(|n| !matches!(*n, "fn" | "_" | "unsafe" | "async" | "extern"))
                {
                    krate.modules[m].items.insert(name.to_owned());
                }
            }
            Tok::Ident(k)
                if k == "macro_rules"
                    && at_module_level
                    && tok(i + 1) == Some(&Tok::Punct('!')) =>
            {
                if let Some(name) = ident(i + 2) {
                    krate.modules[m].items.insert(name.to_owned());
                }
            }
            Tok::Ident(k)
                if is_local_start(k)
                    && tok(i + 1) == Some(&Tok::PathSep)
                    && !(i > 0
                        && (tok(i - 1) == Some(&Tok::PathSep) || ident(i - 1) == Some("in"))) =>
            {
                let (path, end) = expr_path(&toks, i);
                krate.refs.push(Ref {
                    module: m,
                    path,
                    line: toks[i].line,
                });
                i = end;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    Ok(())
}

/// `crate`, `super`, `self` (and `crate` as macros spell it, after a `$`).
fn is_local_start(s: &str) -> bool {
    matches!(s, "crate" | "super" | "self")
}

/// The file of `mod name;` declared by a module whose children live in `dir`.
fn module_file(src: &dyn Sources, dir: &Path, name: &str) -> Option<PathBuf> {
    [
        dir.join(format!("{name}.rs")),
        dir.join(name).join("mod.rs"),
    ]
    .into_iter()
    .find(|p| src.read(p).is_some())
}

/// One leaf of a `use` tree: the full path and the name it binds (`None` for a glob).
#[derive(Debug, PartialEq)]
struct UseItem {
    path: Vec<String>,
    name: Option<String>,
}

/// Reads the `use` tree starting at `i` under `prefix`; returns the index after it.
fn use_tree(toks: &[Token], mut i: usize, mut path: Vec<String>, out: &mut Vec<UseItem>) -> usize {
    let tok = |k: usize| toks.get(k).map(|t| &t.tok);
    if tok(i) == Some(&Tok::PathSep) {
        // `::name`: an extern crate, never a module of this one.
        path.push("::".to_owned());
        i += 1;
    }
    loop {
        match tok(i) {
            Some(Tok::Ident(s)) => {
                path.push(s.clone());
                i += 1;
                if tok(i) == Some(&Tok::PathSep) {
                    i += 1;
                    continue;
                }
                if path.last().is_some_and(|s| s == "self") {
                    path.pop();
                }
                let mut name = path.last().cloned();
                if let (Some(Tok::Ident(kw)), Some(Tok::Ident(alias))) = (tok(i), tok(i + 1)) {
                    if kw == "as" {
                        name = Some(alias.clone());
                        i += 2;
                    }
                }
                if let Some(name) = name {
                    out.push(UseItem {
                        path,
                        name: Some(name),
                    });
                }
                return i;
            }
            Some(Tok::Punct('*')) => {
                out.push(UseItem { path, name: None });
                return i + 1;
            }
            Some(Tok::Punct('{')) => {
                i += 1;
                loop {
                    match tok(i) {
                        Some(Tok::Punct('}')) => return i + 1,
                        Some(Tok::Punct(',')) => i += 1,
                        None => return i,
                        Some(_) => {
                            let next = use_tree(toks, i, path.clone(), out);
                            if next == i {
                                // Not a use tree after all: leave the rest to the caller.
                                return i;
                            }
                            i = next;
                        }
                    }
                }
            }
            _ => return i,
        }
    }
}

/// The path `a::b::c` starting at `i` (stops before a turbofish); the index after it.
fn expr_path(toks: &[Token], mut i: usize) -> (Vec<String>, usize) {
    let mut path = Vec::new();
    while let Some(Tok::Ident(s)) = toks.get(i).map(|t| &t.tok) {
        path.push(s.clone());
        i += 1;
        let sep = toks.get(i).map(|t| &t.tok) == Some(&Tok::PathSep);
        let then_ident = matches!(toks.get(i + 1).map(|t| &t.tok), Some(Tok::Ident(_)));
        if !(sep && then_ident) {
            break;
        }
        i += 1;
    }
    (path, i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(src: &str) -> Vec<UseItem> {
        let toks = lex::tokens(src);
        let mut out = Vec::new();
        use_tree(&toks, 1, Vec::new(), &mut out);
        out
    }

    fn item(path: &str, name: Option<&str>) -> UseItem {
        UseItem {
            path: path.split("::").map(str::to_owned).collect(),
            name: name.map(str::to_owned),
        }
    }

    #[test]
    fn use_trees_expand_to_their_leaves() {
        assert_eq!(
            items("use crate::scan::{self, Kind as K, nested::*};"),
            [
                item("crate::scan", Some("scan")),
                item("crate::scan::Kind", Some("K")),
                item("crate::scan::nested", None),
            ]
        );
        assert_eq!(items("use super::*;"), [item("super", None)]);
    }
}
