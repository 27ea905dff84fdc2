//! Every key goes through the keymap: each overlay has its own mode whose bindings carry a
//! description, so help, hints and user keymaps cover them; Ctrl-C means one thing per mode
//! and the help says which; text fields cannot have printable keys bound.

mod common;

use opsdeck::action::Action;
use opsdeck::config::keys::KeyCombo;
use opsdeck::config::{Keymap, Mode, Theme};

/// What each overlay mode reacts to (its handler), all of which must have a key.
const OVERLAY_ACTIONS: &[(Mode, &[Action])] = &[
    (Mode::Help, &[Action::Close, Action::Up, Action::Down]),
    (
        Mode::Journal,
        &[Action::Close, Action::Up, Action::Down, Action::Note],
    ),
    (
        Mode::Insights,
        &[Action::Close, Action::Up, Action::Down, Action::Yank],
    ),
    (
        Mode::Procedure,
        &[
            Action::RunStep,
            Action::DryRun,
            Action::RunAll,
            Action::CopyStep,
            Action::Tick1,
            Action::Tick9,
            Action::Close,
            Action::Cancel,
            Action::Up,
            Action::Down,
        ],
    ),
    (
        Mode::Palette,
        &[
            Action::Submit,
            Action::Close,
            Action::Up,
            Action::Down,
            Action::ClearLine,
        ],
    ),
    (
        Mode::Form,
        &[
            Action::Submit,
            Action::Close,
            Action::Up,
            Action::Down,
            Action::Complete,
            Action::ClearLine,
        ],
    ),
    (
        Mode::Prompt,
        &[Action::Submit, Action::Close, Action::ClearLine],
    ),
    (
        Mode::Confirm,
        &[Action::Confirm, Action::Refuse, Action::Close],
    ),
    (
        Mode::Typed,
        &[Action::Submit, Action::Refuse, Action::ClearLine],
    ),
];

#[test]
fn every_overlay_key_is_bound_described_and_in_help() {
    let theme = Theme::load("default", None, false).unwrap();
    for name in ["default", "vim"] {
        let keymap = Keymap::load(name, None).unwrap();
        let help: Vec<String> = opsdeck::ui::help::lines(&keymap, &theme)
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
            .collect();
        let help = help.join("\n");
        for (mode, actions) in OVERLAY_ACTIONS {
            assert!(
                help.contains(&mode.name().to_uppercase()),
                "{name}: help has no {mode} section"
            );
            for a in *actions {
                let key = keymap.key_for(*mode, *a);
                assert!(key.is_some(), "{name}: no key for {a} in [{mode}]");
                let desc_shown = keymap
                    .bindings(*mode)
                    .iter()
                    .chain(keymap.bindings(Mode::Global))
                    .any(|b| b.action == *a && !b.desc.is_empty() && help.contains(&b.desc));
                assert!(
                    desc_shown,
                    "{name}: {a} in [{mode}] is not described in help"
                );
            }
        }
    }
}

#[test]
fn ctrl_c_means_one_thing_in_every_mode() {
    let keymap = common::keymap();
    let ctrl_c = KeyCombo::parse("ctrl-c").unwrap();
    for mode in Mode::ALL {
        let a = keymap.action(*mode, ctrl_c);
        assert!(a.is_some(), "Ctrl-C does nothing in [{mode}]");
        let desc = keymap
            .bindings(*mode)
            .iter()
            .chain(
                mode.falls_back()
                    .then(|| keymap.bindings(Mode::Global))
                    .into_iter()
                    .flatten(),
            )
            .find(|b| b.keys.contains(&ctrl_c))
            .map(|b| b.desc.clone());
        assert!(
            desc.is_some_and(|d| !d.is_empty()),
            "Ctrl-C in [{mode}] has no description"
        );
    }
}

#[test]
fn text_fields_refuse_printable_bindings_and_dialogs_do_not_fall_back() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bad.toml");
    std::fs::write(
        &p,
        "[palette]\nsubmit = { keys = [\"enter\", \"x\"], desc = \"Open\" }\n",
    )
    .unwrap();
    let err = Keymap::load(p.to_str().unwrap(), None)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("bad.toml:2:")
            && err.contains("key `x` cannot be bound in [palette]: it types text there"),
        "{err}"
    );
    // `q` quits from a pane, types in a prompt and is not "quit" in a confirmation.
    let keymap = common::keymap();
    let q = KeyCombo::parse("q").unwrap();
    assert_eq!(keymap.action(Mode::Logs, q), Some(Action::Quit));
    assert_eq!(keymap.action(Mode::Prompt, q), None);
    assert_eq!(keymap.action(Mode::Confirm, q), None);
}

/// A user keymap rebinds a procedure key; the view's hint and the behaviour follow it.
#[test]
fn user_keymaps_reach_overlay_keys() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("mine.toml");
    std::fs::write(
        &p,
        "extends = \"default\"\n[procedure]\ndry_run = { keys = [\"D\"], desc = \"Dry run\" }\n",
    )
    .unwrap();
    let keymap = Keymap::load(p.to_str().unwrap(), None).unwrap();
    assert_eq!(
        keymap.action(Mode::Procedure, KeyCombo::parse("D").unwrap()),
        Some(Action::DryRun)
    );
    assert_eq!(
        keymap.action(Mode::Procedure, KeyCombo::parse("d").unwrap()),
        None
    );
}
