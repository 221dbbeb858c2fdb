//! `cargo xtask codegen [--check]`: schema → generated files, written or compared.

use crate::gen_dispatch::{self, Method};
use crate::rust::HEADER;
use crate::schema::{self, BubbleSchema, OneBotSchema, QqSchema};
use crate::{gen_codec, gen_codec_onebot, gen_docs, gen_proto};
use std::collections::BTreeSet;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Directories that hold nothing but generated files.
pub const GENERATED_DIRS: &[&str] = &[
    "proto/src/generated",
    "codec/src/generated",
    "dispatch/src/generated",
];

/// One generated file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    /// Relative to the workspace root, `/`-separated.
    pub path: String,
    /// Its full text.
    pub text: String,
}

impl File {
    fn new(path: &str, text: String) -> Self {
        Self {
            path: path.to_owned(),
            text,
        }
    }

    fn is_rust(&self) -> bool {
        self.path.ends_with(".rs")
    }
}

/// The parsed, validated schemas.
#[derive(Debug)]
pub struct Schemas {
    /// `qq.toml`.
    pub qq: QqSchema,
    /// `bubble.toml`.
    pub bubble: BubbleSchema,
    /// `onebot.toml`, `None` while it does not exist.
    pub onebot: Option<OneBotSchema>,
}

/// Reads and checks `proto/schema/*.toml`.
pub fn load(root: &Path) -> Result<Schemas, String> {
    let dir = root.join("proto/schema");
    let qq: QqSchema = schema::load(&dir.join("qq.toml"))?;
    let bubble: BubbleSchema = schema::load(&dir.join("bubble.toml"))?;
    let onebot_path = dir.join("onebot.toml");
    let onebot: Option<OneBotSchema> = if onebot_path.exists() {
        Some(schema::load(&onebot_path)?)
    } else {
        eprintln!("note: proto/schema/onebot.toml does not exist yet: no OneBot output");
        None
    };
    let problems: Vec<String> = [
        schema::validate_qq(&qq),
        schema::validate_bubble(&bubble),
        onebot.as_ref().map_or(Ok(()), schema::validate_onebot),
    ]
    .into_iter()
    .filter_map(Result::err)
    .collect();
    if !problems.is_empty() {
        return Err(format!("the schema has problems:\n{}", problems.join("\n")));
    }
    Ok(Schemas { qq, bubble, onebot })
}

/// Every generated file, before rustfmt.
pub fn render(s: &Schemas) -> Vec<File> {
    let mut proto_mods = vec!["bubble"];
    let mut files = vec![
        File::new(
            "proto/src/generated/qq.rs",
            gen_proto::render(&gen_proto::qq_spec(&s.qq)),
        ),
        File::new(
            "proto/src/generated/bubble.rs",
            gen_proto::render(&gen_proto::bubble_spec(&s.bubble)),
        ),
    ];
    if let Some(ob) = &s.onebot {
        proto_mods.push("onebot");
        files.push(File::new(
            "proto/src/generated/onebot.rs",
            gen_proto::render(&gen_proto::onebot_spec(ob)),
        ));
    }
    proto_mods.push("qq");
    files.push(File::new(
        "proto/src/generated/mod.rs",
        gen_proto::render_mod(&proto_mods),
    ));
    files.push(File::new(
        "codec/src/generated/qq.rs",
        gen_codec::render_qq(&s.qq),
    ));
    files.push(File::new(
        "codec/src/generated/bubble.rs",
        gen_codec::render_bubble(&s.bubble),
    ));
    files.push(File::new(
        "codec/src/generated/intents.rs",
        gen_codec::render_intents(&s.qq),
    ));
    files.push(File::new(
        "codec/src/generated/event_names.rs",
        gen_codec::render_event_names(&s.qq, &s.bubble),
    ));
    let mut codec_mods = vec!["bubble", "event_names", "intents"];
    if let Some(ob) = &s.onebot {
        codec_mods.push("onebot");
        files.push(File::new(
            "codec/src/generated/onebot.rs",
            gen_codec_onebot::render(ob),
        ));
    }
    codec_mods.push("qq");
    files.push(File::new(
        "codec/src/generated/mod.rs",
        gen_codec::render_mod(&codec_mods),
    ));
    files.extend(render_dispatch(s));
    files.push(File::new(
        "docs/events.md",
        gen_docs::render(&s.qq, &s.bubble, s.onebot.as_ref()),
    ));
    files
}

/// `dispatch/src/generated/*.rs`: the typed handler registration methods.
fn render_dispatch(s: &Schemas) -> Vec<File> {
    let qq: Vec<Method> =
        s.qq.event
            .iter()
            .map(|e| Method::new(&e.name, &e.doc, &e.handler, &e.payload))
            .collect();
    let bubble: Vec<Method> = s
        .bubble
        .event
        .iter()
        .map(|e| Method::new(&e.name, &e.doc, &e.handler, &e.payload))
        .collect();
    let mut mods = vec!["bubble"];
    let mut files = vec![
        File::new(
            "dispatch/src/generated/qq.rs",
            gen_dispatch::render("qq", "Qq", "EventType", &qq),
        ),
        File::new(
            "dispatch/src/generated/bubble.rs",
            gen_dispatch::render("bubble", "Bubble", "EventType", &bubble),
        ),
    ];
    if let Some(ob) = &s.onebot {
        let onebot: Vec<Method> = ob
            .event
            .iter()
            .map(|e| Method::new(&e.kind, &e.doc, &e.handler, &e.payload))
            .collect();
        mods.push("onebot");
        files.push(File::new(
            "dispatch/src/generated/onebot.rs",
            gen_dispatch::render("onebot", "OneBot", "EventKind", &onebot),
        ));
    }
    mods.push("qq");
    files.push(File::new(
        "dispatch/src/generated/mod.rs",
        gen_dispatch::render_mod(&mods),
    ));
    files
}

/// Runs every Rust file through `rustfmt --edition 2021` (the workspace's rustfmt config
/// applies, as for `cargo fmt`), so the checked-in text is what `cargo fmt --check` accepts.
pub fn format(root: &Path, files: &mut [File]) -> Result<(), String> {
    for f in files.iter_mut().filter(|f| f.is_rust()) {
        f.text = rustfmt(root, &f.text).map_err(|e| format!("{}: {e}", f.path))?;
    }
    Ok(())
}

fn rustfmt(root: &Path, text: &str) -> Result<String, String> {
    let rustfmt = std::env::var_os("RUSTFMT").unwrap_or_else(|| "rustfmt".into());
    let mut child = Command::new(&rustfmt)
        .args(["--edition", "2021"])
        .current_dir(root)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            format!(
                "cannot run {}: {e} (install it with `rustup component add rustfmt`)",
                Path::new(&rustfmt).display()
            )
        })?;
    // Write on another thread so a full stdout pipe cannot deadlock us.
    let mut stdin = child.stdin.take().ok_or("rustfmt has no stdin")?;
    let input = text.to_owned();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child
        .wait_with_output()
        .map_err(|e| format!("rustfmt failed: {e}"))?;
    writer
        .join()
        .map_err(|_| "rustfmt writer thread panicked".to_owned())?
        .map_err(|e| format!("cannot write to rustfmt: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "rustfmt rejected the generated code (a generator bug):\n{}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    String::from_utf8(output.stdout).map_err(|e| format!("rustfmt printed non-UTF-8: {e}"))
}

/// Why a checked-in file does not match the schema.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stale {
    /// The file does not exist.
    Missing(String),
    /// The file differs from what the schema generates.
    Differs(String),
    /// A generated file no schema produces any more.
    Stray(String),
}

impl std::fmt::Display for Stale {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Stale::Missing(p) => write!(f, "{p} is missing"),
            Stale::Differs(p) => write!(f, "{p} is stale"),
            Stale::Stray(p) => write!(f, "{p} is generated but no schema produces it"),
        }
    }
}

/// Compares one file's checked-in text (`None`: absent) with what the schema generates.
pub fn compare(path: &str, on_disk: Option<&str>, generated: &str) -> Option<Stale> {
    match on_disk {
        None => Some(Stale::Missing(path.to_owned())),
        Some(text) if text != generated => Some(Stale::Differs(path.to_owned())),
        Some(_) => None,
    }
}

/// Every difference between the tree under `root` and `files`, sorted.
pub fn check(root: &Path, files: &[File]) -> Result<Vec<Stale>, String> {
    let mut stale = Vec::new();
    for f in files {
        let on_disk = read_if_exists(&root.join(&f.path))?;
        stale.extend(compare(&f.path, on_disk.as_deref(), &f.text));
    }
    stale.extend(strays(root, files)?.into_iter().map(Stale::Stray));
    stale.sort();
    Ok(stale)
}

/// Writes the files that differ and removes stray generated files; returns what changed.
pub fn write(root: &Path, files: &[File]) -> Result<Vec<Stale>, String> {
    let changed = check(root, files)?;
    for s in &changed {
        match s {
            Stale::Missing(p) | Stale::Differs(p) => {
                let f = files
                    .iter()
                    .find(|f| &f.path == p)
                    .ok_or_else(|| format!("internal: {p} not generated"))?;
                let path = root.join(p);
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir)
                        .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
                }
                std::fs::write(&path, &f.text).map_err(|e| format!("cannot write {p}: {e}"))?;
            }
            Stale::Stray(p) => {
                std::fs::remove_file(root.join(p))
                    .map_err(|e| format!("cannot remove {p}: {e}"))?;
            }
        }
    }
    Ok(changed)
}

fn read_if_exists(path: &Path) -> Result<Option<String>, String> {
    match std::fs::read_to_string(path) {
        Ok(t) => Ok(Some(t)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("cannot read {}: {e}", path.display())),
    }
}

/// Files in the generated directories that carry the generated header but are not in `files`.
fn strays(root: &Path, files: &[File]) -> Result<Vec<String>, String> {
    let wanted: BTreeSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
    let mut out = Vec::new();
    for dir in GENERATED_DIRS {
        let entries = match std::fs::read_dir(root.join(dir)) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(format!("cannot list {dir}: {e}")),
        };
        for entry in entries {
            let entry = entry.map_err(|e| format!("cannot list {dir}: {e}"))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let rel = format!("{dir}/{name}");
            if wanted.contains(rel.as_str()) || !name.ends_with(".rs") {
                continue;
            }
            let text = read_if_exists(&entry.path())?.unwrap_or_default();
            if text.starts_with(HEADER) {
                out.push(rel);
            }
        }
    }
    Ok(out)
}

/// The workspace root (the parent of `xtask/`).
pub fn project_root() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.parent().unwrap_or(here).to_path_buf()
}

/// `cargo xtask codegen [--check]`; the exit status is 0 when all is well.
pub fn run(root: &Path, check_only: bool) -> Result<bool, String> {
    let schemas = load(root)?;
    let mut files = render(&schemas);
    format(root, &mut files)?;
    if check_only {
        let stale = check(root, &files)?;
        for s in &stale {
            eprintln!("error: {s}");
        }
        if !stale.is_empty() {
            eprintln!("run `cargo xtask codegen` to regenerate, and commit the result");
            return Ok(false);
        }
        eprintln!("generated files are fresh ({} files)", files.len());
    } else {
        let changed = write(root, &files)?;
        for s in &changed {
            match s {
                Stale::Stray(p) => eprintln!("removed {p}"),
                Stale::Missing(p) | Stale::Differs(p) => eprintln!("wrote {p}"),
            }
        }
        if changed.is_empty() {
            eprintln!("generated files were already fresh ({} files)", files.len());
        }
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    const QQ: &str = r#"
        [[intent]]
        name = "GUILDS"
        bit = 0
        doc = "Guilds."
        public = true

        [[intent]]
        name = "GUILD_MEMBERS"
        bit = 1
        doc = "Members."
        public = true

        [[intent]]
        name = "DIRECT_MESSAGE"
        bit = 12
        doc = "Direct messages."

        [[event]]
        name = "GUILD_MEMBER_ADD"
        intent = "GUILD_MEMBERS"
        payload = "Member"
        handler = "guild_member_add"
        doc = "A member joined."

        [[event]]
        name = "READY"
        payload = "Ready"
        handler = "ready"
        doc = "Ready."
    "#;

    const BUBBLE: &str = r#"
        [[event]]
        name = "MESSAGE_CREATE"
        payload = "Message"
        handler = "message_create"
        since = "2025-12"
        doc = "A new message | with a pipe."
    "#;

    fn schemas() -> Schemas {
        Schemas {
            qq: schema::parse(QQ).unwrap(),
            bubble: schema::parse(BUBBLE).unwrap(),
            onebot: None,
        }
    }

    /// A fresh, empty directory under the system temp dir, unique to this test.
    fn temp_root(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("xtask-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn compare_reports_missing_and_edited_files_only() {
        assert_eq!(compare("a.rs", Some("x\n"), "x\n"), None);
        assert_eq!(
            compare("a.rs", Some("x\n// edited\n"), "x\n"),
            Some(Stale::Differs("a.rs".into()))
        );
        assert_eq!(
            compare("a.rs", None, "x\n"),
            Some(Stale::Missing("a.rs".into()))
        );
    }

    #[test]
    fn every_generated_file_starts_with_the_header() {
        for f in render(&schemas()) {
            let first = f.text.lines().next().unwrap();
            assert!(
                first.contains(HEADER.trim_start_matches("// ")),
                "{}: {first}",
                f.path
            );
        }
    }

    #[test]
    fn check_fails_after_a_generated_file_is_edited_removed_or_left_over() {
        let root = temp_root("check");
        let files = render(&schemas());
        let written = write(&root, &files).unwrap();
        assert_eq!(written.len(), files.len(), "{written:?}");
        assert_eq!(check(&root, &files).unwrap(), vec![]);

        let edited = root.join("codec/src/generated/intents.rs");
        let mut text = std::fs::read_to_string(&edited).unwrap();
        text.push_str("// hand edit\n");
        std::fs::write(&edited, text).unwrap();
        std::fs::remove_file(root.join("docs/events.md")).unwrap();
        let stray = root.join("proto/src/generated/old.rs");
        std::fs::write(&stray, format!("{HEADER}\n")).unwrap();
        std::fs::write(root.join("proto/src/generated/notes.rs"), "// mine\n").unwrap();

        assert_eq!(
            check(&root, &files).unwrap(),
            vec![
                Stale::Missing("docs/events.md".into()),
                Stale::Differs("codec/src/generated/intents.rs".into()),
                Stale::Stray("proto/src/generated/old.rs".into()),
            ]
        );
        // Writing repairs all three and leaves the hand-written file alone.
        assert_eq!(write(&root, &files).unwrap().len(), 3);
        assert_eq!(check(&root, &files).unwrap(), vec![]);
        assert!(!stray.exists());
        assert!(root.join("proto/src/generated/notes.rs").exists());
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn intents_table_names_the_bits_and_the_public_set() {
        let files = render(&schemas());
        let intents = &files
            .iter()
            .find(|f| f.path == "codec/src/generated/intents.rs")
            .unwrap()
            .text;
        assert!(
            intents.contains("const DIRECT_MESSAGE = 1 << 12;"),
            "{intents}"
        );
        assert!(
            intents.contains(
                "pub const PUBLIC: Intents = Intents::GUILDS.union(Intents::GUILD_MEMBERS);"
            ),
            "{intents}"
        );
        assert!(intents.contains("EventType::GuildMemberAdd => Intents::GUILD_MEMBERS,"));
        assert!(
            !intents.contains("EventType::Ready =>"),
            "READY has no intent"
        );
    }

    #[test]
    fn docs_escape_pipes_and_say_when_onebot_is_missing() {
        let files = render(&schemas());
        let docs = &files
            .iter()
            .find(|f| f.path == "docs/events.md")
            .unwrap()
            .text;
        assert!(docs.contains("A new message \\| with a pipe."), "{docs}");
        assert!(
            docs.contains("| 12 | 4096 | `DIRECT_MESSAGE` | granted |"),
            "{docs}"
        );
        assert!(docs.contains("onebot.toml` does not exist yet"), "{docs}");
    }

    #[test]
    fn generated_rust_is_accepted_by_rustfmt() {
        // Proves the generated text parses; skipped (with a note) where rustfmt is missing.
        let mut files = render(&schemas());
        match format(&project_root(), &mut files) {
            Ok(()) => {}
            Err(e) if e.contains("cannot run") => eprintln!("skipped: {e}"),
            Err(e) => panic!("{e}"),
        }
    }
}
