//! Key combinations as written in keymap files (`ctrl-c`, `shift-tab`, `PgUp`, `G`, `?`) and as
//! delivered by crossterm, normalised so that both compare equal.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyCombo {
    pub code: KeyCodeOrd,
    pub mods: u8,
}

/// `KeyCode` is not `Ord`; this wraps the few codes a keymap can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyCodeOrd {
    Char(char),
    F(u8),
    Enter,
    Esc,
    Tab,
    BackTab,
    Backspace,
    Delete,
    Insert,
    Home,
    End,
    PageUp,
    PageDown,
    Up,
    Down,
    Left,
    Right,
}

const CTRL: u8 = 1;
const ALT: u8 = 2;
const SHIFT: u8 = 4;

impl KeyCombo {
    pub fn from_event(ev: &KeyEvent) -> Option<KeyCombo> {
        let code = match ev.code {
            KeyCode::Char(c) => KeyCodeOrd::Char(c),
            KeyCode::F(n) => KeyCodeOrd::F(n),
            KeyCode::Enter => KeyCodeOrd::Enter,
            KeyCode::Esc => KeyCodeOrd::Esc,
            KeyCode::Tab => KeyCodeOrd::Tab,
            KeyCode::BackTab => KeyCodeOrd::BackTab,
            KeyCode::Backspace => KeyCodeOrd::Backspace,
            KeyCode::Delete => KeyCodeOrd::Delete,
            KeyCode::Insert => KeyCodeOrd::Insert,
            KeyCode::Home => KeyCodeOrd::Home,
            KeyCode::End => KeyCodeOrd::End,
            KeyCode::PageUp => KeyCodeOrd::PageUp,
            KeyCode::PageDown => KeyCodeOrd::PageDown,
            KeyCode::Up => KeyCodeOrd::Up,
            KeyCode::Down => KeyCodeOrd::Down,
            KeyCode::Left => KeyCodeOrd::Left,
            KeyCode::Right => KeyCodeOrd::Right,
            _ => return None,
        };
        let mut mods = 0;
        if ev.modifiers.contains(KeyModifiers::CONTROL) {
            mods |= CTRL;
        }
        if ev.modifiers.contains(KeyModifiers::ALT) {
            mods |= ALT;
        }
        if ev.modifiers.contains(KeyModifiers::SHIFT) {
            mods |= SHIFT;
        }
        Some(KeyCombo::normalised(code, mods))
    }

    /// A printable character without ctrl/alt: in a text field it types itself.
    pub fn types_text(&self) -> bool {
        matches!(self.code, KeyCodeOrd::Char(c) if !c.is_control()) && self.mods & (CTRL | ALT) == 0
    }

    /// The character this key types, when it types one.
    pub fn typed_char(&self) -> Option<char> {
        match self.code {
            KeyCodeOrd::Char(c) if self.types_text() => Some(c),
            _ => None,
        }
    }

    /// A typed character already carries its shift state (`G`, `?`), so SHIFT is dropped for
    /// characters; control characters are case-insensitive (`ctrl-C` is `ctrl-c`).
    fn normalised(code: KeyCodeOrd, mut mods: u8) -> KeyCombo {
        let code = match code {
            KeyCodeOrd::Char(c) => {
                mods &= !SHIFT;
                if mods & CTRL != 0 {
                    KeyCodeOrd::Char(c.to_ascii_lowercase())
                } else {
                    KeyCodeOrd::Char(c)
                }
            }
            KeyCodeOrd::Tab if mods & SHIFT != 0 => {
                mods &= !SHIFT;
                KeyCodeOrd::BackTab
            }
            KeyCodeOrd::BackTab => {
                mods &= !SHIFT;
                KeyCodeOrd::BackTab
            }
            other => other,
        };
        KeyCombo { code, mods }
    }

    pub fn parse(s: &str) -> Result<KeyCombo, String> {
        let s = s.trim();
        if s.is_empty() {
            return Err("empty key".into());
        }
        let mut mods = 0u8;
        let mut rest = s;
        loop {
            let lower = rest.to_ascii_lowercase();
            let (prefix_len, bit) = if let Some(p) = ["ctrl-", "control-", "c-"]
                .iter()
                .find(|p| lower.starts_with(**p))
            {
                (p.len(), CTRL)
            } else if let Some(p) = ["alt-", "meta-", "m-", "a-"]
                .iter()
                .find(|p| lower.starts_with(**p))
            {
                (p.len(), ALT)
            } else if let Some(p) = ["shift-", "s-"].iter().find(|p| lower.starts_with(**p)) {
                (p.len(), SHIFT)
            } else {
                break;
            };
            // `c-` alone (the key `c` followed by nothing) is not a prefix.
            if rest.len() == prefix_len {
                break;
            }
            mods |= bit;
            rest = &rest[prefix_len..];
        }
        let lower = rest.to_ascii_lowercase();
        let code = match lower.as_str() {
            "enter" | "return" | "cr" => KeyCodeOrd::Enter,
            "esc" | "escape" => KeyCodeOrd::Esc,
            "tab" => KeyCodeOrd::Tab,
            "backtab" => KeyCodeOrd::BackTab,
            "space" | "spc" => KeyCodeOrd::Char(' '),
            "backspace" | "bs" => KeyCodeOrd::Backspace,
            "delete" | "del" => KeyCodeOrd::Delete,
            "insert" | "ins" => KeyCodeOrd::Insert,
            "home" => KeyCodeOrd::Home,
            "end" => KeyCodeOrd::End,
            "pageup" | "pgup" => KeyCodeOrd::PageUp,
            "pagedown" | "pgdn" | "pgdown" => KeyCodeOrd::PageDown,
            "up" => KeyCodeOrd::Up,
            "down" => KeyCodeOrd::Down,
            "left" => KeyCodeOrd::Left,
            "right" => KeyCodeOrd::Right,
            "minus" => KeyCodeOrd::Char('-'),
            f if f.len() >= 2
                && f.starts_with('f')
                && f[1..].chars().all(|c| c.is_ascii_digit()) =>
            {
                let n: u8 = f[1..].parse().map_err(|_| format!("unknown key `{s}`"))?;
                if !(1..=24).contains(&n) {
                    return Err(format!("unknown key `{s}`: function keys are f1 to f24"));
                }
                KeyCodeOrd::F(n)
            }
            _ => {
                let mut chars = rest.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => KeyCodeOrd::Char(c),
                    _ => {
                        return Err(format!(
                            "unknown key `{s}`: use a single character, or a name (enter, esc, tab, backtab, space, backspace, delete, insert, home, end, pageup, pagedown, up, down, left, right, f1..f24) with optional ctrl-, alt-, shift- prefixes"
                        ));
                    }
                }
            }
        };
        Ok(KeyCombo::normalised(code, mods))
    }
}

impl fmt::Display for KeyCombo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mods & CTRL != 0 {
            f.write_str("Ctrl-")?;
        }
        if self.mods & ALT != 0 {
            f.write_str("Alt-")?;
        }
        if self.mods & SHIFT != 0 {
            f.write_str("Shift-")?;
        }
        match self.code {
            KeyCodeOrd::Char(' ') => f.write_str("Space"),
            KeyCodeOrd::Char(c) => write!(f, "{c}"),
            KeyCodeOrd::F(n) => write!(f, "F{n}"),
            KeyCodeOrd::Enter => f.write_str("Enter"),
            KeyCodeOrd::Esc => f.write_str("Esc"),
            KeyCodeOrd::Tab => f.write_str("Tab"),
            KeyCodeOrd::BackTab => f.write_str("Shift-Tab"),
            KeyCodeOrd::Backspace => f.write_str("Backspace"),
            KeyCodeOrd::Delete => f.write_str("Del"),
            KeyCodeOrd::Insert => f.write_str("Ins"),
            KeyCodeOrd::Home => f.write_str("Home"),
            KeyCodeOrd::End => f.write_str("End"),
            KeyCodeOrd::PageUp => f.write_str("PgUp"),
            KeyCodeOrd::PageDown => f.write_str("PgDn"),
            KeyCodeOrd::Up => f.write_str("↑"),
            KeyCodeOrd::Down => f.write_str("↓"),
            KeyCodeOrd::Left => f.write_str("←"),
            KeyCodeOrd::Right => f.write_str("→"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(code: KeyCode, m: KeyModifiers) -> KeyCombo {
        KeyCombo::from_event(&KeyEvent::new(code, m)).unwrap()
    }

    #[test]
    fn parsed_keys_equal_terminal_events() {
        assert_eq!(
            KeyCombo::parse("ctrl-c").unwrap(),
            ev(KeyCode::Char('c'), KeyModifiers::CONTROL)
        );
        assert_eq!(
            KeyCombo::parse("C-C").unwrap(),
            ev(KeyCode::Char('c'), KeyModifiers::CONTROL)
        );
        assert_eq!(
            KeyCombo::parse("G").unwrap(),
            ev(KeyCode::Char('G'), KeyModifiers::SHIFT)
        );
        assert_eq!(
            KeyCombo::parse("?").unwrap(),
            ev(KeyCode::Char('?'), KeyModifiers::SHIFT)
        );
        assert_eq!(
            KeyCombo::parse("shift-tab").unwrap(),
            ev(KeyCode::BackTab, KeyModifiers::SHIFT)
        );
        assert_eq!(
            KeyCombo::parse("PgUp").unwrap(),
            ev(KeyCode::PageUp, KeyModifiers::NONE)
        );
        assert_eq!(
            KeyCombo::parse("space").unwrap(),
            ev(KeyCode::Char(' '), KeyModifiers::NONE)
        );
        assert_eq!(
            KeyCombo::parse("f5").unwrap(),
            ev(KeyCode::F(5), KeyModifiers::NONE)
        );
        assert_eq!(
            KeyCombo::parse("-").unwrap(),
            ev(KeyCode::Char('-'), KeyModifiers::NONE)
        );
        assert_eq!(
            KeyCombo::parse("c").unwrap(),
            ev(KeyCode::Char('c'), KeyModifiers::NONE)
        );
    }

    #[test]
    fn bad_keys_are_explained() {
        assert!(
            KeyCombo::parse("ctrl-foo")
                .unwrap_err()
                .contains("unknown key `ctrl-foo`")
        );
        assert!(KeyCombo::parse("f99").unwrap_err().contains("f1 to f24"));
        assert!(KeyCombo::parse("").is_err());
    }

    #[test]
    fn display_is_readable() {
        assert_eq!(KeyCombo::parse("ctrl-p").unwrap().to_string(), "Ctrl-p");
        assert_eq!(KeyCombo::parse("pagedown").unwrap().to_string(), "PgDn");
    }
}
