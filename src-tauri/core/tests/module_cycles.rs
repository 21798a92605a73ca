//! The module graph has no cycle: for each crate of the workspace (core, CLI, desktop app), reads every source file,
//! finds the `crate::`/`super::`/`self::` paths it names, and fails naming the modules that import each other.
//! `.ci/run` runs it on its own as the cycle check; it also runs with every `cargo test`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Module = Vec<String>;

/// The module a source file defines: `lib.rs`/`main.rs` are the crate root, `a/mod.rs` is `a`, `a/b.rs` is `a::b`.
fn module_of(src: &Path, file: &Path) -> Option<Module> {
    let rel = file.strip_prefix(src).ok()?;
    let mut parts: Module = rel
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let last = parts.pop()?;
    let stem = last.strip_suffix(".rs")?;
    if !(parts.is_empty() && (stem == "lib" || stem == "main")) && stem != "mod" {
        parts.push(stem.to_string());
    }
    Some(parts)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The code of a file without comments, string and char literals, and without its `#[cfg(test)]` module (whose
/// `super::` means something else, and whose imports do not reach a build).
fn code_only(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod ") {
        Some(i) => &text[..i],
        None => text,
    };
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < b.len() && !(b[i] == b'*' && b[i + 1] == b'/') {
                    i += 1;
                }
                i += 2;
            }
            b'r' if matches!(b.get(i + 1), Some(b'"') | Some(b'#'))
                && (i == 0 || !is_ident(b[i - 1])) =>
            {
                // Raw string: r"…" or r#"…"#.
                let mut j = i + 1;
                let mut hashes = 0;
                while b.get(j) == Some(&b'#') {
                    hashes += 1;
                    j += 1;
                }
                if b.get(j) != Some(&b'"') {
                    out.push('r');
                    i += 1;
                    continue;
                }
                j += 1;
                loop {
                    if j >= b.len() {
                        break;
                    }
                    if b[j] == b'"'
                        && b[j + 1..]
                            .iter()
                            .take(hashes)
                            .filter(|c| **c == b'#')
                            .count()
                            == hashes
                    {
                        j += 1 + hashes;
                        break;
                    }
                    j += 1;
                }
                out.push_str("\"\"");
                i = j;
            }
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    if b[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                i += 1;
                out.push_str("\"\"");
            }
            b'\'' => {
                // A char literal ('x', '\n', '"'); a lifetime ('a) is kept.
                if b.get(i + 1) == Some(&b'\\') {
                    let mut j = i + 2;
                    while j < b.len() && b[j] != b'\'' {
                        j += 1;
                    }
                    i = j + 1;
                } else if b.get(i + 2) == Some(&b'\'') {
                    i += 3;
                } else {
                    out.push('\'');
                    i += 1;
                }
                out.push_str("' '");
            }
            c => {
                // Copy one whole UTF-8 character.
                let len = match c {
                    0x00..=0x7f => 1,
                    0xc0..=0xdf => 2,
                    0xe0..=0xef => 3,
                    _ => 4,
                };
                out.push_str(&text[i..(i + len).min(b.len())]);
                i += len;
            }
        }
    }
    out
}

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// Every path the code names starting at `crate::`, `super::` or `self::`, with `use` groups expanded
/// (`crate::{a, b::c}` gives `crate::a` and `crate::b::c`). Each path is a list of segments, the keyword first.
fn named_paths(code: &str) -> Vec<Vec<String>> {
    let b = code.as_bytes();
    let mut out = Vec::new();
    for kw in ["crate", "super", "self"] {
        let mut from = 0;
        while let Some(at) = code[from..].find(kw) {
            let start = from + at;
            from = start + kw.len();
            let before = start.checked_sub(1).map(|i| b[i]);
            if before.is_some_and(|c| is_ident(c) || c == b'$' || c == b':') {
                continue;
            }
            if !code[from..].trim_start().starts_with("::") {
                continue;
            }
            let mut prefix = vec![kw.to_string()];
            if kw == "super" {
                // `super::super::x` stays one path.
                let mut rest = &code[from..];
                while let Some(r) = rest.trim_start().strip_prefix("::") {
                    let r = r.trim_start();
                    if let Some(r2) = r.strip_prefix("super") {
                        if !r2.starts_with(|c: char| c.is_alphanumeric() || c == '_') {
                            prefix.push("super".into());
                            rest = r2;
                            continue;
                        }
                    }
                    break;
                }
                from = code.len() - rest.len();
            }
            let mut pos = from;
            parse_tree(code, &mut pos, prefix, &mut out);
        }
    }
    out
}

/// Parses `::seg::seg` or `::{tree, tree}` after `prefix`, pushing each full path.
fn parse_tree(code: &str, pos: &mut usize, prefix: Vec<String>, out: &mut Vec<Vec<String>>) {
    let mut path = prefix;
    loop {
        let rest = code[*pos..].trim_start();
        let Some(after) = rest.strip_prefix("::") else {
            break;
        };
        *pos = code.len() - after.len();
        let after = after.trim_start();
        *pos = code.len() - after.len();
        if let Some(inner) = after.strip_prefix('{') {
            *pos = code.len() - inner.len();
            loop {
                let r = code[*pos..].trim_start();
                *pos = code.len() - r.len();
                if let Some(r) = r.strip_prefix('}') {
                    *pos = code.len() - r.len();
                    return;
                }
                if let Some(r) = r.strip_prefix(',') {
                    *pos = code.len() - r.len();
                    continue;
                }
                // One subtree: an identifier (or `self`, `*`) followed by its own `::…`.
                let ident: String = r
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '*')
                    .collect();
                if ident.is_empty() {
                    // Not a use tree we understand (e.g. a macro body); stop here.
                    out.push(path);
                    return;
                }
                *pos += ident.len();
                let mut sub = path.clone();
                if ident != "self" && ident != "*" {
                    sub.push(ident);
                }
                parse_tree(code, pos, sub, out);
                // Skip an `as alias`.
                let r = code[*pos..].trim_start();
                if let Some(r) = r.strip_prefix("as ") {
                    let r = r.trim_start();
                    let alias_len = r
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .count();
                    *pos = code.len() - r.len() + alias_len;
                }
            }
        }
        let ident: String = after
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if ident.is_empty() {
            break;
        }
        *pos += ident.len();
        path.push(ident);
    }
    out.push(path);
}

/// The module a path names: resolved against the file's module, cut to the longest prefix that is a module.
fn target(from: &Module, path: &[String], modules: &BTreeSet<Module>) -> Option<Module> {
    let mut base: Module = match path.first().map(String::as_str) {
        Some("crate") => Vec::new(),
        Some("self") => from.clone(),
        Some("super") => from.clone(),
        _ => return None,
    };
    let mut segs = &path[1..];
    if path[0] == "super" {
        base.pop()?;
        while segs.first().map(String::as_str) == Some("super") {
            base.pop()?;
            segs = &segs[1..];
        }
    }
    let mut best = base.clone();
    for s in segs {
        base.push(s.clone());
        if modules.contains(&base) {
            best = base.clone();
        } else {
            break;
        }
    }
    Some(best)
}

/// Module -> modules it names, for the crate whose sources are under `src`.
fn crate_graph(src: &Path) -> BTreeMap<Module, BTreeSet<Module>> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let mut texts = Vec::new();
    let mut modules = BTreeSet::new();
    for f in files {
        let Some(m) = module_of(src, &f) else {
            continue;
        };
        let text =
            std::fs::read_to_string(&f).unwrap_or_else(|e| panic!("reading {}: {e}", f.display()));
        modules.insert(m.clone());
        texts.push((m, text));
    }
    let mut graph: BTreeMap<Module, BTreeSet<Module>> = BTreeMap::new();
    for (m, text) in texts {
        let edges = graph.entry(m.clone()).or_default();
        for p in named_paths(&code_only(&text)) {
            if let Some(t) = target(&m, &p, &modules) {
                edges.insert(t);
            }
        }
    }
    graph
}

fn is_prefix(a: &Module, b: &Module) -> bool {
    a.len() <= b.len() && b[..a.len()] == a[..]
}

/// Every cycle of the graph, looked for at each depth: at depth d a module stands for itself and all modules
/// below it (`snapshot` for `snapshot::store` too), so folders that import each other are found as well as
/// files. A module naming its own ancestor or descendant (a `mod.rs` and its files) is not a cycle.
/// Each cycle is its modules, sorted and joined by " <-> ".
fn cycles(graph: &BTreeMap<Module, BTreeSet<Module>>) -> BTreeSet<String> {
    let depth = graph.keys().map(Vec::len).max().unwrap_or(0);
    let mut found = BTreeSet::new();
    for d in 1..=depth {
        let cut = |m: &Module| m[..m.len().min(d)].to_vec();
        let mut g: BTreeMap<Module, BTreeSet<Module>> = BTreeMap::new();
        for (from, tos) in graph {
            let a = cut(from);
            g.entry(a.clone()).or_default();
            for to in tos {
                let b = cut(to);
                if !is_prefix(&a, &b) && !is_prefix(&b, &a) {
                    g.entry(a.clone()).or_default().insert(b);
                }
            }
        }
        for scc in strongly_connected(&g) {
            if scc.len() > 1 {
                let names: BTreeSet<String> = scc.iter().map(|m| m.join("::")).collect();
                found.insert(names.into_iter().collect::<Vec<_>>().join(" <-> "));
            }
        }
    }
    found
}

/// Tarjan's algorithm, iterative enough for a few hundred modules (recursion depth = longest path).
fn strongly_connected(g: &BTreeMap<Module, BTreeSet<Module>>) -> Vec<Vec<Module>> {
    struct State<'a> {
        g: &'a BTreeMap<Module, BTreeSet<Module>>,
        index: BTreeMap<&'a Module, usize>,
        low: BTreeMap<&'a Module, usize>,
        stack: Vec<&'a Module>,
        on_stack: BTreeSet<&'a Module>,
        next: usize,
        out: Vec<Vec<Module>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a Module) {
        s.index.insert(v, s.next);
        s.low.insert(v, s.next);
        s.next += 1;
        s.stack.push(v);
        s.on_stack.insert(v);
        if let Some(tos) = s.g.get(v) {
            for w in tos {
                let Some((w, _)) = s.g.get_key_value(w) else {
                    continue;
                };
                if !s.index.contains_key(w) {
                    visit(s, w);
                    let lw = s.low[w];
                    let lv = s.low[v];
                    s.low.insert(v, lv.min(lw));
                } else if s.on_stack.contains(w) {
                    let iw = s.index[w];
                    let lv = s.low[v];
                    s.low.insert(v, lv.min(iw));
                }
            }
        }
        if s.low[v] == s.index[v] {
            let mut scc = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                scc.push(w.clone());
                if w == v {
                    break;
                }
            }
            s.out.push(scc);
        }
    }
    let mut s = State {
        g,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        next: 0,
        out: Vec::new(),
    };
    for v in g.keys() {
        if !s.index.contains_key(v) {
            visit(&mut s, v);
        }
    }
    s.out
}

fn crate_sources() -> Vec<(&'static str, PathBuf)> {
    let core = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shell = core.parent().expect("core sits in src-tauri");
    vec![
        ("tideline-core", core.join("src")),
        ("tideline-cli", shell.join("cli/src")),
        ("tideline (desktop app)", shell.join("src")),
    ]
}

#[test]
fn no_crate_has_a_module_cycle() {
    let mut problems = Vec::new();
    for (name, src) in crate_sources() {
        assert!(src.is_dir(), "{} is missing", src.display());
        let found = cycles(&crate_graph(&src));
        problems.extend(found.into_iter().map(|cycle| format!("{name}: {cycle}")));
    }
    assert!(
        problems.is_empty(),
        "modules that import each other (break the cycle: move what both need into a third module):\n  {}",
        problems.join("\n  ")
    );
}

/// Writes a small crate to a temporary folder and returns its cycles.
fn cycles_of(files: &[(&str, &str)]) -> BTreeSet<String> {
    let dir = tempfile::tempdir().expect("temp dir");
    for (path, text) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().expect("a parent")).expect("mkdir");
        std::fs::write(&p, text).expect("write");
    }
    cycles(&crate_graph(dir.path()))
}

#[test]
fn the_checker_finds_folders_that_import_each_other() {
    let found = cycles_of(&[
        (
            "lib.rs",
            "pub mod report;\npub mod plan;\nuse crate::report::Report;\n",
        ),
        ("report/mod.rs", "pub mod build;\n"),
        ("report/build.rs", "use crate::plan::steps::Step;\n"),
        (
            "plan/mod.rs",
            "pub mod steps;\nuse crate::{report::build, Thing};\n",
        ),
        (
            "plan/steps.rs",
            "use super::super::report;\n// use crate::nothing::here;\n",
        ),
    ]);
    assert_eq!(found, BTreeSet::from(["plan <-> report".to_string()]));
}

#[test]
fn the_checker_finds_sibling_files_through_super_and_longer_rings() {
    let found = cycles_of(&[
        ("lib.rs", "mod a;\n"),
        ("a/mod.rs", "mod x;\nmod y;\nmod z;\npub use x::X;\n"),
        ("a/x.rs", "use super::{y::Y, Other};\n"),
        ("a/y.rs", "pub fn f() { super::z::g(); }\n"),
        (
            "a/z.rs",
            "pub fn g() { let s = \"crate::a::x\"; crate::a::x::h(); }\n",
        ),
    ]);
    assert_eq!(
        found,
        BTreeSet::from(["a::x <-> a::y <-> a::z".to_string()])
    );
}

#[test]
fn the_checker_accepts_a_tree_a_parent_and_its_files_and_text_that_only_looks_like_a_path() {
    let found = cycles_of(&[
        ("lib.rs", "pub mod a;\npub mod b;\npub use a::A;\n"),
        (
            "a/mod.rs",
            "pub mod inner;\npub use inner::A;\nuse crate::b::B;\n",
        ),
        (
            "a/inner.rs",
            "use super::super::b;\nuse crate::a::Shared;\n",
        ),
        (
            "b.rs",
            "//! Doc naming crate::a::A.\nconst S: &str = \"use crate::a\";\n\
             #[cfg(test)]\nmod tests {\n    use crate::a::A;\n}\n",
        ),
    ]);
    assert!(found.is_empty(), "{found:?}");
}
