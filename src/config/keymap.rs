//! Keymaps: per-mode bindings loaded from TOML (`keymaps/*.toml` embedded, or the user's).
//!
//! ```toml
//! extends = "default"          # optional; a user keymap overrides only what it names
//! [logs]
//! toggle_follow = { keys = ["f", "space"], desc = "Follow on/off" }
//! ```
//!
//! A mode section maps action names to the keys that trigger them. Lookups try the active
//! overlay's or pane's mode first, then `global`.

use super::keys::KeyCombo;
use crate::action::Action;
use crate::file::{FileError, read_text};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};
use toml::Spanned;

pub const BUILTIN: &[(&str, &str)] = &[
    ("default", include_str!("../../keymaps/default.toml")),
    ("vim", include_str!("../../keymaps/vim.toml")),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Mode {
    Global,
    Services,
    Metrics,
    Alarms,
    Logs,
    Help,
    /// The journal / timeline overlay.
    Journal,
    /// Logs Insights results.
    Insights,
    /// The procedure view of a runbook.
    Procedure,
    /// The action palette (typing filters).
    Palette,
    /// Value forms: a built-in action's value, a step's placeholders (typing fills).
    Form,
    /// A text prompt: search, row filter, note, Insights query (typing edits).
    Prompt,
    /// A yes/no confirmation (also "quit while steps run?").
    Confirm,
    /// A destructive confirmation: the target's name is typed.
    Typed,
    /// `opsdeck replay`: tried before the pane's keys while no overlay is open.
    Replay,
}

impl Mode {
    pub const ALL: &'static [Mode] = &[
        Mode::Global,
        Mode::Services,
        Mode::Metrics,
        Mode::Alarms,
        Mode::Logs,
        Mode::Help,
        Mode::Journal,
        Mode::Insights,
        Mode::Procedure,
        Mode::Palette,
        Mode::Form,
        Mode::Prompt,
        Mode::Confirm,
        Mode::Typed,
        Mode::Replay,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Mode::Global => "global",
            Mode::Services => "services",
            Mode::Metrics => "metrics",
            Mode::Alarms => "alarms",
            Mode::Logs => "logs",
            Mode::Help => "help",
            Mode::Journal => "journal",
            Mode::Insights => "insights",
            Mode::Procedure => "procedure",
            Mode::Palette => "palette",
            Mode::Form => "form",
            Mode::Prompt => "prompt",
            Mode::Confirm => "confirm",
            Mode::Typed => "typed",
            Mode::Replay => "replay",
        }
    }

    /// Keys not bound in this mode type text (so printable keys cannot be bound in it).
    pub fn text_entry(self) -> bool {
        matches!(
            self,
            Mode::Palette | Mode::Form | Mode::Prompt | Mode::Typed
        )
    }

    /// Whether `[global]` bindings apply when this mode has none for a key. Dialogs answer
    /// only their own keys: `q` in a confirmation must not quit.
    pub fn falls_back(self) -> bool {
        !self.text_entry() && self != Mode::Confirm
    }

    fn from_name(s: &str) -> Option<Mode> {
        Mode::ALL.iter().copied().find(|m| m.name() == s)
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Binding {
    pub action: Action,
    pub keys: Vec<KeyCombo>,
    pub desc: String,
}

#[derive(Debug, Clone, Default)]
pub struct Keymap {
    /// Bindings per mode in file order (the help screen lists them this way).
    modes: BTreeMap<Mode, Vec<Binding>>,
    lookup: HashMap<(Mode, KeyCombo), Action>,
    pub name: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBinding {
    keys: Vec<Spanned<String>>,
    desc: String,
}

/// A top-level entry: `extends = "name"` or a `[mode]` table. A hand-written visitor rather
/// than `#[serde(flatten)]`/`untagged`, which buffer values and lose the spans that error
/// messages need for line numbers.
enum Section {
    Extends(#[allow(dead_code)] String),
    Mode(BTreeMap<String, Spanned<RawBinding>>),
}

impl<'de> Deserialize<'de> for Section {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Section;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a [mode] table of bindings, or `extends = \"keymap\"`")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Section, E> {
                Ok(Section::Extends(v.to_string()))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Section, A::Error> {
                BTreeMap::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(Section::Mode)
            }
        }
        d.deserialize_any(V)
    }
}

impl Keymap {
    /// Resolves `--keymap NAME|PATH`: a path to a file, else a file in the user's config dir
    /// (`keymaps/NAME.toml`), else a built-in.
    pub fn load(spec: &str, config_dir: Option<&Path>) -> Result<Keymap, FileError> {
        let (path, src) = resolve(spec, config_dir, "keymaps", BUILTIN)?;
        let mut seen = Vec::new();
        Keymap::from_source(&path, &src, config_dir, &mut seen)
    }

    fn from_source(
        path: &Path,
        src: &str,
        config_dir: Option<&Path>,
        seen: &mut Vec<PathBuf>,
    ) -> Result<Keymap, FileError> {
        if seen.iter().any(|p| p == path) {
            return Err(FileError::whole(
                path,
                "keymap `extends` chain loops back to this file",
            ));
        }
        seen.push(path.to_path_buf());
        let table: toml::Table =
            toml::from_str(src).map_err(|e| FileError::from_toml(path, src, &e))?;
        let mut keymap = match table.get("extends") {
            Some(toml::Value::String(base)) => {
                let (bpath, bsrc) = resolve(base, config_dir, "keymaps", BUILTIN).map_err(|e| {
                    FileError::at(
                        path,
                        src,
                        find(src, "extends"),
                        format!("extends: {}", e.message),
                    )
                })?;
                Keymap::from_source(&bpath, &bsrc, config_dir, seen)?
            }
            Some(_) => {
                return Err(FileError::at(
                    path,
                    src,
                    find(src, "extends"),
                    "`extends` must be a keymap name or path",
                ));
            }
            // The built-in default is the root; every other keymap layers over it.
            None if src == BUILTIN[0].1 => Keymap::default(),
            None => {
                let (bpath, bsrc) = resolve("default", None, "keymaps", BUILTIN)?;
                Keymap::from_source(&bpath, &bsrc, None, seen)?
            }
        };
        keymap.name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("keymap")
            .to_string();
        keymap.apply(path, src)?;
        Ok(keymap)
    }

    fn apply(&mut self, path: &Path, src: &str) -> Result<(), FileError> {
        // Long on purpose: parse, then validate each binding with its file:line error.
        let raw: BTreeMap<String, Spanned<Section>> =
            toml::from_str(src).map_err(|e| FileError::from_toml(path, src, &e))?;
        let valid_modes = || {
            Mode::ALL
                .iter()
                .map(|m| m.name())
                .collect::<Vec<_>>()
                .join(", ")
        };
        // Sections in file order so the help screen follows the author's order.
        let mut sections: Vec<_> = raw
            .into_iter()
            .filter_map(|(k, v)| {
                let span = v.span();
                match v.into_inner() {
                    Section::Mode(m) => Some((k, Spanned::new(span, m))),
                    Section::Extends(_) => None,
                }
            })
            .collect();
        sections.sort_by_key(|(_, v)| v.span().start);
        for (mode_name, section) in sections {
            let mode_span = section.span().start;
            let mode = Mode::from_name(&mode_name).ok_or_else(|| {
                FileError::at(
                    path,
                    src,
                    mode_span,
                    format!(
                        "unknown mode `[{mode_name}]`; valid modes: {}",
                        valid_modes()
                    ),
                )
            })?;
            let mut entries: Vec<_> = section.into_inner().into_iter().collect();
            entries.sort_by_key(|(_, v)| v.span().start);
            let mut bound_here: HashMap<KeyCombo, (Action, usize)> = HashMap::new();
            let mut new_bindings = Vec::new();
            for (action_name, spanned) in entries {
                let at = spanned.span().start;
                let action = Action::from_name(&action_name).ok_or_else(|| {
                    FileError::at(
                        path,
                        src,
                        at,
                        format!(
                            "unknown action `{action_name}` in [{mode}]; valid actions: {}",
                            Action::valid_names()
                        ),
                    )
                })?;
                let raw = spanned.into_inner();
                if raw.desc.trim().is_empty() {
                    return Err(FileError::at(
                        path,
                        src,
                        at,
                        format!("binding `{action_name}` in [{mode}] needs a non-empty `desc`"),
                    ));
                }
                let mut keys = Vec::new();
                for k in raw.keys {
                    let kat = k.span().start;
                    let combo = KeyCombo::parse(k.get_ref())
                        .map_err(|m| FileError::at(path, src, kat, m))?;
                    if mode.text_entry() && combo.types_text() {
                        return Err(FileError::at(
                            path,
                            src,
                            kat,
                            format!(
                                "key `{combo}` cannot be bound in [{mode}]: it types text there; use a named key or ctrl-/alt-"
                            ),
                        ));
                    }
                    let line = crate::file::line_of(src, kat);
                    if let Some((other, other_line)) = bound_here.insert(combo, (action, line)) {
                        return Err(FileError::at(
                            path,
                            src,
                            kat,
                            format!(
                                "key `{combo}` is bound twice in [{mode}]: to `{other}` (line {other_line}) and to `{action}`"
                            ),
                        ));
                    }
                    keys.push(combo);
                }
                new_bindings.push(Binding {
                    action,
                    keys,
                    desc: raw.desc,
                });
            }
            self.merge(mode, new_bindings);
        }
        Ok(())
    }

    /// Later bindings win: an action named again gets the new keys, and a key taken by the new
    /// binding is removed from whatever had it before in the same mode.
    fn merge(&mut self, mode: Mode, new: Vec<Binding>) {
        let list = self.modes.entry(mode).or_default();
        for b in new {
            for other in list.iter_mut() {
                other.keys.retain(|k| !b.keys.contains(k));
            }
            match list.iter_mut().find(|o| o.action == b.action) {
                Some(existing) => *existing = b,
                None => list.push(b),
            }
        }
        list.retain(|b| !b.keys.is_empty());
        self.lookup.retain(|(m, _), _| *m != mode);
        for b in list.iter() {
            for k in &b.keys {
                self.lookup.insert((mode, *k), b.action);
            }
        }
    }

    /// The action for `key` in `mode`, falling back to the global bindings where the mode
    /// does (see [`Mode::falls_back`]).
    pub fn action(&self, mode: Mode, key: KeyCombo) -> Option<Action> {
        self.lookup
            .get(&(mode, key))
            .or_else(|| {
                mode.falls_back()
                    .then(|| self.lookup.get(&(Mode::Global, key)))
                    .flatten()
            })
            .copied()
    }

    pub fn bindings(&self, mode: Mode) -> &[Binding] {
        self.modes.get(&mode).map(Vec::as_slice).unwrap_or(&[])
    }

    /// First key bound to `action` in `mode` (or global, where the mode falls back), for
    /// key hints.
    pub fn key_for(&self, mode: Mode, action: Action) -> Option<KeyCombo> {
        let fallback = mode.falls_back().then_some(Mode::Global);
        std::iter::once(mode)
            .chain(fallback)
            .flat_map(|m| self.bindings(m))
            .find(|b| b.action == action)
            .and_then(|b| b.keys.first().copied())
    }

    /// `KEY desc` hints for the given actions of `mode`, in that order, each with its first
    /// key (actions without a key are left out): what a dialog's footer shows.
    pub fn hints(&self, mode: Mode, actions: &[(Action, &str)]) -> String {
        actions
            .iter()
            .filter_map(|(a, label)| self.key_for(mode, *a).map(|k| format!("{k} {label}")))
            .collect::<Vec<_>>()
            .join(" · ")
    }
}

fn find(src: &str, needle: &str) -> usize {
    src.find(needle).unwrap_or(0)
}

/// Shared by themes and keymaps: NAME|PATH resolution to (path, source text).
pub(crate) fn resolve(
    spec: &str,
    config_dir: Option<&Path>,
    kind: &str,
    builtin: &[(&str, &str)],
) -> Result<(PathBuf, String), FileError> {
    let looks_like_path = spec.contains('/') || spec.ends_with(".toml");
    if looks_like_path {
        let p = PathBuf::from(spec);
        return Ok((p.clone(), read_text(&p)?));
    }
    if let Some(dir) = config_dir {
        let p = dir.join(kind).join(format!("{spec}.toml"));
        if p.is_file() {
            return Ok((p.clone(), read_text(&p)?));
        }
    }
    match builtin.iter().find(|(n, _)| *n == spec) {
        Some((n, src)) => Ok((
            PathBuf::from(format!("{kind}/{n}.toml")),
            (*src).to_string(),
        )),
        None => {
            let names: Vec<_> = builtin.iter().map(|(n, _)| *n).collect();
            Err(FileError::whole(
                Path::new(spec),
                format!(
                    "no such {} (built-in: {}; or give a path to a .toml file)",
                    kind.trim_end_matches('s'),
                    names.join(", ")
                ),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::keys::KeyCombo;

    fn k(s: &str) -> KeyCombo {
        KeyCombo::parse(s).unwrap()
    }

    #[test]
    fn builtins_load_and_cover_every_mode() {
        for (name, _) in BUILTIN {
            let km = Keymap::load(name, None).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(
                km.action(Mode::Global, k("q")),
                Some(Action::Quit),
                "{name}"
            );
            assert_eq!(
                km.action(Mode::Logs, k("/")),
                Some(Action::Search),
                "{name}"
            );
            assert!(
                km.bindings(Mode::Help)
                    .iter()
                    .any(|b| b.action == Action::Close)
            );
        }
        let vim = Keymap::load("vim", None).unwrap();
        assert_eq!(vim.action(Mode::Services, k("j")), Some(Action::Down));
        assert_eq!(vim.action(Mode::Logs, k("ctrl-d")), Some(Action::PageDown));
    }

    #[test]
    fn pane_mode_falls_back_to_global() {
        let km = Keymap::load("default", None).unwrap();
        assert_eq!(km.action(Mode::Metrics, k("tab")), Some(Action::FocusNext));
    }

    #[test]
    fn user_keymap_overrides_only_what_it_names() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("mine.toml");
        std::fs::write(
            &p,
            "[global]\nzoom = { keys = [\"Z\", \"q\"], desc = \"Zoom it\" }\n",
        )
        .unwrap();
        let km = Keymap::load(p.to_str().unwrap(), None).unwrap();
        assert_eq!(km.action(Mode::Global, k("Z")), Some(Action::Zoom));
        // `q` moved to zoom; quit keeps its other key.
        assert_eq!(km.action(Mode::Global, k("q")), Some(Action::Zoom));
        assert_eq!(km.action(Mode::Global, k("ctrl-c")), Some(Action::Cancel));
        // untouched modes keep the defaults
        assert_eq!(km.action(Mode::Logs, k("f")), Some(Action::ToggleFollow));
    }
}
