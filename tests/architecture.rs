//! The module structure DESIGN.md describes, checked over the source: no import cycle
//! between top-level modules, and the layers kept — ui → app → sources' message types, never
//! back; runbook, exec, journal, model, text, clock, file, redact, sanitize and action are
//! leaves that import nothing from app, ui, sources, config or the binary's plumbing.
//! Test code (`#[cfg(test)]` modules, `tests.rs` files) is not counted.

use std::collections::{BTreeMap, BTreeSet};

/// Every `.rs` file under src/: its path relative to src/ and its text.
fn sources() -> Vec<(std::path::PathBuf, String)> {
    let root = std::path::PathBuf::from(
        std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").into()),
    )
    .join("src");
    let mut out = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let text = std::fs::read_to_string(&p).unwrap();
                out.push((p.strip_prefix(&root).unwrap().to_path_buf(), text));
            }
        }
    }
    out
}

/// Top-level module → the top-level modules it names (`crate::x…`, `crate::{x, y}`).
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (at, src) in modules() {
        let deps = out.entry(at[0].clone()).or_default();
        for target in references(&at, &src) {
            if let Some(first) = target.first()
                && *first != at[0]
            {
                deps.insert(first.clone());
            }
        }
    }
    out
}

/// A cycle through `start`, if there is one (depth-first search).
fn cycle_from(g: &BTreeMap<String, BTreeSet<String>>, start: &str) -> Option<Vec<String>> {
    fn walk(
        g: &BTreeMap<String, BTreeSet<String>>,
        node: &str,
        start: &str,
        path: &mut Vec<String>,
        seen: &mut BTreeSet<String>,
    ) -> bool {
        for next in g.get(node).into_iter().flatten() {
            if next == start {
                path.push(next.clone());
                return true;
            }
            if seen.insert(next.clone()) {
                path.push(next.clone());
                if walk(g, next, start, path, seen) {
                    return true;
                }
                path.pop();
            }
        }
        false
    }
    let mut path = vec![start.to_string()];
    let mut seen = BTreeSet::new();
    walk(g, start, start, &mut path, &mut seen).then_some(path)
}

#[test]
fn no_import_cycle_between_top_level_modules() {
    let g = graph();
    assert!(g.len() > 15, "the source was not read: {g:?}");
    let cycles: Vec<String> = g
        .keys()
        .filter_map(|m| cycle_from(&g, m))
        .map(|c| c.join(" → "))
        .collect();
    assert!(cycles.is_empty(), "import cycles:\n{}", cycles.join("\n"));
}

#[test]
fn layers_are_kept() {
    let g = graph();
    let plumbing = [
        "cockpit",
        "event_loop",
        "headless",
        "snapshot",
        "tui",
        "cli",
        "logging",
        "state",
    ];
    let leaves = [
        "action", "clock", "exec", "file", "journal", "model", "redact", "runbook", "sandbox",
        "sanitize", "text",
    ];
    let mut broken = Vec::new();
    let mut forbid = |module: &str, deps: &[&str]| {
        for d in deps {
            if g.get(module).is_some_and(|s| s.contains(*d)) {
                broken.push(format!("{module} imports {d}"));
            }
        }
    };
    for leaf in leaves {
        let mut no: Vec<&str> = vec!["app", "ui", "sources", "config"];
        no.extend(plumbing);
        forbid(leaf, &no);
    }
    let mut no_up: Vec<&str> = vec!["ui"];
    no_up.extend(plumbing);
    forbid("app", &no_up);
    let mut sources_no: Vec<&str> = vec!["app", "ui"];
    sources_no.extend(plumbing);
    forbid("sources", &sources_no);
    forbid("config", &["app", "ui", "sources", "exec", "journal"]);
    forbid(
        "ui",
        &[
            "sources",
            "cockpit",
            "event_loop",
            "headless",
            "tui",
            "snapshot",
        ],
    );
    assert!(broken.is_empty(), "layering broken:\n{}", broken.join("\n"));
}

/// Every source file's module path (`runbook::risk::tools`; a `mod.rs` is its folder's) and
/// its text without test code.
fn modules() -> Vec<(Vec<String>, String)> {
    let mut out = Vec::new();
    for (rel, mut src) in sources() {
        if rel.file_name().is_some_and(|n| n == "tests.rs") {
            continue;
        }
        let mut path: Vec<String> = rel
            .with_extension("")
            .components()
            .map(|c| c.as_os_str().to_string_lossy().to_string())
            .collect();
        if path.last().is_some_and(|l| l == "mod") {
            path.pop();
        }
        if path.first().is_some_and(|f| f == "lib" || f == "main") {
            continue;
        }
        if let Some(i) = src.find("#[cfg(test)]") {
            src.truncate(i);
        }
        // Comments (doc links included) are not imports.
        let code: String = src
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .map(|l| format!("{l}\n"))
            .collect();
        out.push((path, code));
    }
    out
}

/// The module paths a source names, made absolute from `at` (`crate::a::b`, `super::x`,
/// `self::y`, and each item of a `{…}` group).
fn references(at: &[String], src: &str) -> Vec<Vec<String>> {
    let path_re =
        regex::Regex::new(r"\b(crate|super|self)((?:::[A-Za-z_][A-Za-z0-9_]*)*)(::\{)?").unwrap();
    let mut out = Vec::new();
    for c in path_re.captures_iter(src) {
        let whole = c.get(0).unwrap();
        let mut base: Vec<String> = match &c[1] {
            "crate" => Vec::new(),
            // `super` in a file module is its folder; `self` is the module itself.
            _ => at.to_vec(),
        };
        let mut segs: Vec<&str> = c[2].split("::").filter(|s| !s.is_empty()).collect();
        if &c[1] == "super" {
            base.pop();
            while segs.first() == Some(&"super") {
                segs.remove(0);
                base.pop();
            }
        }
        base.extend(segs.iter().map(|s| s.to_string()));
        if c.get(3).is_some() {
            // One `{…}` group (nested groups: their first segment counts).
            let rest = &src[whole.end()..];
            let mut depth = 1;
            let mut end = rest.len();
            for (i, ch) in rest.char_indices() {
                match ch {
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            end = i;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            let mut item = String::new();
            let mut d = 0;
            for ch in rest[..end].chars().chain(std::iter::once(',')) {
                match ch {
                    '{' => d += 1,
                    '}' => d -= 1,
                    ',' if d == 0 => {
                        let first = item
                            .trim()
                            .split("::")
                            .next()
                            .unwrap_or("")
                            .trim()
                            .to_string();
                        if !first.is_empty() && first != "self" {
                            let mut p = base.clone();
                            p.push(first);
                            out.push(p);
                        }
                        item.clear();
                        continue;
                    }
                    _ => {}
                }
                if d == 0 {
                    item.push(ch);
                }
            }
        } else {
            out.push(base);
        }
    }
    out
}

/// Folder → sibling → the siblings it names (a sibling is a file or sub-folder of the folder;
/// naming the folder's own `mod.rs`, or a child naming its parent, is not an edge).
fn folder_graphs() -> BTreeMap<String, BTreeMap<String, BTreeSet<String>>> {
    let mods = modules();
    let known: BTreeSet<Vec<String>> = mods.iter().map(|(p, _)| p.clone()).collect();
    let mut out: BTreeMap<String, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    for (at, src) in &mods {
        for target in references(at, src) {
            // The longest prefix of the target that is a module.
            let mut t = target.clone();
            while !t.is_empty() && !known.contains(&t) {
                t.pop();
            }
            let common = at.iter().zip(&t).take_while(|(a, b)| a == b).count();
            if common >= at.len() || common >= t.len() {
                continue; // a module naming itself, an ancestor or a descendant
            }
            let folder = if common == 0 {
                "src".to_string()
            } else {
                at[..common].join("/")
            };
            out.entry(folder)
                .or_default()
                .entry(at[common].clone())
                .or_default()
                .insert(t[common].clone());
        }
    }
    out
}

#[test]
fn no_import_cycle_inside_a_folder() {
    let graphs = folder_graphs();
    assert!(
        graphs.contains_key("runbook") && graphs.contains_key("sources/aws"),
        "the folders were not read: {:?}",
        graphs.keys().collect::<Vec<_>>()
    );
    let mut cycles = Vec::new();
    for (folder, g) in &graphs {
        if folder == "src" {
            continue; // the top level has its own test
        }
        for m in g.keys() {
            if let Some(c) = cycle_from(g, m) {
                cycles.push(format!("{folder}: {}", c.join(" → ")));
            }
        }
    }
    assert!(
        cycles.is_empty(),
        "import cycles inside folders:\n{}",
        cycles.join("\n")
    );
}

/// The check itself finds a cycle when there is one.
#[test]
fn the_folder_check_sees_a_cycle() {
    let at = |p: &str| p.split("::").map(String::from).collect::<Vec<_>>();
    let a = references(
        &at("runbook::parse"),
        "use super::{targets, model::Step};\nuse crate::runbook::render;",
    );
    assert!(a.contains(&at("runbook::targets")), "{a:?}");
    assert!(a.contains(&at("runbook::model")), "{a:?}");
    assert!(a.contains(&at("runbook::render")), "{a:?}");
    let b = references(&at("runbook::risk::tools"), "super::super::shell::words(x)");
    assert_eq!(b, [at("runbook::shell::words")]);
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    g.entry("parse".into())
        .or_default()
        .insert("targets".into());
    g.entry("targets".into())
        .or_default()
        .insert("parse".into());
    assert!(cycle_from(&g, "parse").is_some());
}

/// `unsafe` lives in src/sys.rs alone, each use with why it is sound; everything else goes
/// through safe APIs (std, rustix).
#[test]
fn unsafe_only_in_sys() {
    let unsafe_re = regex::Regex::new(r"\bunsafe\s*(\{|fn\b|impl\b)").unwrap();
    let mut found = Vec::new();
    let mut in_sys = 0;
    for (rel, src) in sources() {
        let rel = rel.display().to_string();
        let lines: Vec<&str> = src.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            if line.trim_start().starts_with("//") || !unsafe_re.is_match(line) {
                continue;
            }
            if rel == "sys.rs" {
                in_sys += 1;
                // Each one says why: a SAFETY comment within the four lines above.
                let said = lines[i.saturating_sub(4)..i]
                    .iter()
                    .any(|l| l.contains("SAFETY"));
                assert!(
                    said,
                    "src/sys.rs:{}: unsafe without a SAFETY comment",
                    i + 1
                );
            } else {
                found.push(format!("src/{rel}:{}: {}", i + 1, line.trim()));
            }
        }
    }
    assert!(in_sys > 0, "src/sys.rs was not read");
    assert!(
        found.is_empty(),
        "unsafe outside src/sys.rs:\n{}",
        found.join("\n")
    );
}
