//! `cargo xtask cycles`: fails when two files of a workspace crate import each other, directly
//! or around a loop.
//!
//! Every crate root of every workspace member (`src/lib.rs`, `src/main.rs`, `src/bin/`,
//! `tests/`, `benches/`, `examples/`, `build.rs`) is read with its module tree (`mod.rs`,
//! `foo.rs` + `foo/`, inline modules). Each `crate::` / `super::` / `self::` path, in a `use`
//! or anywhere else, becomes an import of the file that defines what it names: re-exports are
//! followed to the defining file, so a `mod.rs` that re-exports its children is no cycle by
//! itself. Paths without such a prefix (`use child::X` in a parent) are not imports here: a
//! parent naming its own children is what a module tree is.

mod graph;
mod lex;
mod model;
mod parse;
mod resolve;

use graph::Graph;
use parse::Sources;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The files of the workspace, read from the disk.
struct Disk<'a> {
    root: &'a Path,
}

impl Sources for Disk<'_> {
    fn read(&self, path: &Path) -> Option<String> {
        std::fs::read_to_string(self.root.join(path)).ok()
    }
}

/// Checks the workspace at `root`; `Ok(false)` (after printing them) when there are cycles.
pub fn run(root: &Path) -> Result<bool, String> {
    let mut roots = Vec::new();
    let mut all = BTreeSet::new();
    for member in members(root)? {
        roots.extend(crate_roots(root, &member));
        for dir in ["src", "tests", "benches", "examples"] {
            rust_files(root, &member.join(dir), &mut all);
        }
    }
    let (graph, reached) = build(&Disk { root }, &roots)?;
    for orphan in all.difference(&reached) {
        println!("note: {} is in no module tree", slash(orphan));
    }
    let cycles = graph.cycles();
    if cycles.is_empty() {
        println!(
            "no import cycle between files ({} files, {} imports)",
            reached.len(),
            graph.len()
        );
        return Ok(true);
    }
    println!("{} import cycle(s) between files:", cycles.len());
    for group in &cycles {
        println!("  {}", group.join(" <-> "));
        for from in group {
            for (to, why) in graph.edges.get(from).into_iter().flatten() {
                if group.contains(to) {
                    println!("      {from}:{why} imports {to}");
                }
            }
        }
    }
    println!("move what both sides need into a file of its own, or one side's use into the other");
    Ok(false)
}

/// The import graph of the crates whose root files are `roots`, and every file reached.
fn build(src: &dyn Sources, roots: &[PathBuf]) -> Result<(Graph, BTreeSet<PathBuf>), String> {
    let mut graph = Graph::default();
    let mut reached = BTreeSet::new();
    for root in roots {
        let krate = parse::parse_crate(src, root)?;
        for r in &krate.refs {
            if let Some(to) = resolve::module_of(&krate, r.module, &r.path) {
                let from = slash(&krate.modules[r.module].file);
                let to = slash(&krate.modules[to].file);
                graph.add(&from, &to, format!("{} ({})", r.line, r.path.join("::")));
            }
        }
        reached.extend(krate.modules.into_iter().map(|m| m.file));
    }
    Ok((graph, reached))
}

/// The workspace members (`[workspace] members` of the root `Cargo.toml`).
fn members(root: &Path) -> Result<Vec<PathBuf>, String> {
    let path = root.join("Cargo.toml");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let manifest: toml::Value =
        toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let members = manifest
        .get("workspace")
        .and_then(|w| w.get("members"))
        .and_then(toml::Value::as_array)
        .ok_or_else(|| format!("{}: no [workspace] members", path.display()))?;
    Ok(members
        .iter()
        .filter_map(toml::Value::as_str)
        .map(PathBuf::from)
        .collect())
}

/// The root files of every target of the member at `member` (relative to `root`).
fn crate_roots(root: &Path, member: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = ["src/lib.rs", "src/main.rs", "build.rs"]
        .iter()
        .map(|f| member.join(f))
        .filter(|p| root.join(p).is_file())
        .collect();
    for dir in ["src/bin", "tests", "benches", "examples"] {
        let Ok(entries) = std::fs::read_dir(root.join(member).join(dir)) else {
            continue;
        };
        let mut found: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter_map(|p| {
                let name = p.file_name()?.to_owned();
                if p.extension().is_some_and(|x| x == "rs") {
                    Some(member.join(dir).join(name))
                } else if p.join("main.rs").is_file() {
                    Some(member.join(dir).join(name).join("main.rs"))
                } else {
                    None
                }
            })
            .collect();
        found.sort();
        out.extend(found);
    }
    out
}

/// Every `.rs` file under `dir` (relative to `root`), recursively.
fn rust_files(root: &Path, dir: &Path, out: &mut BTreeSet<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let rel = dir.join(entry.file_name());
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            rust_files(root, &rel, out);
        } else if rel.extension().is_some_and(|x| x == "rs") {
            out.insert(rel);
        }
    }
}

/// A path with `/` separators, as the report prints it.
fn slash(path: &Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    struct Map(BTreeMap<PathBuf, String>);

    impl Sources for Map {
        fn read(&self, path: &Path) -> Option<String> {
            self.0.get(path).cloned()
        }
    }

    fn cycles(files: &[(&str, &str)]) -> Vec<Vec<String>> {
        let map = Map(files
            .iter()
            .map(|(p, s)| (PathBuf::from(p), (*s).to_owned()))
            .collect());
        let (graph, _) = build(&map, &[PathBuf::from("c/src/lib.rs")]).unwrap();
        graph.cycles()
    }

    #[test]
    fn two_siblings_importing_each_other_are_a_cycle() {
        let found = cycles(&[
            ("c/src/lib.rs", "mod a;\nmod b;\npub use a::A;"),
            ("c/src/a.rs", "use crate::b::B;\npub struct A;"),
            (
                "c/src/b/mod.rs",
                "pub struct B;\nfn f() { let _ = super::a::A; }",
            ),
        ]);
        assert_eq!(
            found,
            [vec!["c/src/a.rs".to_owned(), "c/src/b/mod.rs".into()]]
        );
    }

    #[test]
    fn a_reexport_leads_to_the_defining_file() {
        // b names A through lib.rs's re-export: that is an import of a.rs, not of lib.rs.
        let files = [
            (
                "c/src/lib.rs",
                "mod a;\nmod b;\npub use a::A;\nuse crate::b::f;",
            ),
            ("c/src/a.rs", "pub struct A;"),
            ("c/src/b.rs", "use crate::A;\npub fn f() {}"),
        ];
        assert!(cycles(&files).is_empty());
        // ...and when a.rs then names b, the pair is found through the re-export.
        let mut with_back = files;
        with_back[1].1 = "pub struct A;\nfn g() { crate::b::f() }";
        assert_eq!(
            cycles(&with_back),
            [vec!["c/src/a.rs".to_owned(), "c/src/b.rs".into()]]
        );
    }

    #[test]
    fn inline_test_modules_and_nested_files_resolve_super() {
        let found = cycles(&[
            ("c/src/lib.rs", "mod frame;"),
            (
                "c/src/frame.rs",
                "mod compact;\npub struct Frame;\n#[cfg(test)]\nmod tests { use super::*; use super::compact::scan; }",
            ),
            ("c/src/frame/compact.rs", "use super::Frame;\npub fn scan() {}"),
        ]);
        assert_eq!(
            found,
            [vec![
                "c/src/frame.rs".to_owned(),
                "c/src/frame/compact.rs".into()
            ]]
        );
    }

    #[test]
    fn a_path_in_a_comment_or_string_is_no_import() {
        let found = cycles(&[
            ("c/src/lib.rs", "mod a;\nmod b;"),
            (
                "c/src/a.rs",
                "/// use crate::b::B;\npub struct A;\nuse crate::b::B;",
            ),
            (
                "c/src/b.rs",
                "pub struct B;\nconst S: &str = \"crate::a::A\";",
            ),
        ]);
        assert!(found.is_empty(), "{found:?}");
    }
}
