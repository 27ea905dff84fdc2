//! The module structure DESIGN.md describes, checked over the source: no import cycle
//! between top-level modules, and the layers kept — ui → app → sources' message types, never
//! back; runbook, exec, journal, model, text, clock, file, redact, sanitize and action are
//! leaves that import nothing from app, ui, sources, config or the binary's plumbing.
//! Test code (`#[cfg(test)]` modules, `tests.rs` files) is not counted.

use std::collections::{BTreeMap, BTreeSet};

/// Top-level module → the top-level modules it names (`crate::x…`, `crate::{x, y}`).
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let root = std::path::PathBuf::from(
        std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").into()),
    )
    .join("src");
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut stack = vec![root.clone()];
    let path_re = regex::Regex::new(r"crate::([a-z_]+)").unwrap();
    let group_re = regex::Regex::new(r"crate::\{([^}]*)\}").unwrap();
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            if p.extension().is_none_or(|x| x != "rs")
                || p.file_name().is_some_and(|n| n == "tests.rs")
            {
                continue;
            }
            let rel = p.strip_prefix(&root).unwrap();
            let first = rel
                .components()
                .next()
                .unwrap()
                .as_os_str()
                .to_string_lossy()
                .to_string();
            let module = first.trim_end_matches(".rs").to_string();
            if module == "lib" || module == "main" {
                continue;
            }
            let mut src = std::fs::read_to_string(&p).unwrap();
            if let Some(i) = src.find("#[cfg(test)]") {
                src.truncate(i);
            }
            let deps = out.entry(module.clone()).or_default();
            for c in path_re.captures_iter(&src) {
                deps.insert(c[1].to_string());
            }
            for c in group_re.captures_iter(&src) {
                for name in c[1].split(',') {
                    let name = name.trim().split("::").next().unwrap_or("").trim();
                    if !name.is_empty() {
                        deps.insert(name.to_string());
                    }
                }
            }
            deps.remove(&module);
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
