//! Themes: styles by meaning (roles), never raw colours in views.
//!
//! ```toml
//! extends = "default"     # optional; a user theme overrides only the roles it names
//! [styles]
//! crit = { fg = "#ff5555", bold = true }
//! ```
//!
//! Colours are ANSI names (`red`, `lightblue`, `darkgray`, `reset`...), `#rrggbb`, or a
//! 256-colour index. With `NO_COLOR` set, colours are dropped and meaning is carried by
//! modifiers (bold, reverse, underline) and by the symbols the views always draw.

use super::keymap::resolve;
use crate::file::FileError;
use crate::model::{Health, Level};
use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use toml::Spanned;

pub const BUILTIN: &[(&str, &str)] = &[
    ("default", include_str!("../../themes/default.toml")),
    ("light", include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
];

macro_rules! roles {
    ($($variant:ident => $name:literal),* $(,)?) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Role { $($variant),* }
        impl Role {
            pub const ALL: &'static [Role] = &[$(Role::$variant),*];
            pub fn name(self) -> &'static str { match self { $(Role::$variant => $name),* } }
            fn from_name(s: &str) -> Option<Role> { match s { $($name => Some(Role::$variant),)* _ => None } }
        }
    };
}

roles! {
    Text => "text",
    Muted => "muted",
    Accent => "accent",
    Title => "title",
    Border => "border",
    BorderFocused => "border_focused",
    Selection => "selection",
    Highlight => "highlight",
    Ok => "ok",
    Warn => "warn",
    Crit => "crit",
    Unknown => "unknown",
    StatusBar => "status_bar",
    Key => "key",
    RiskRead => "risk_read",
    RiskWrite => "risk_write",
    RiskDestructive => "risk_destructive",
    RiskUnknown => "risk_unknown",
    LevelError => "level_error",
    LevelWarn => "level_warn",
    LevelInfo => "level_info",
    LevelDebug => "level_debug",
}

#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    pub name: String,
    styles: Vec<Style>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStyle {
    fg: Option<Spanned<String>>,
    bg: Option<Spanned<String>>,
    #[serde(default)]
    bold: bool,
    #[serde(default)]
    dim: bool,
    #[serde(default)]
    italic: bool,
    #[serde(default)]
    underline: bool,
    #[serde(default)]
    reversed: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTheme {
    extends: Option<Spanned<String>>,
    #[serde(default)]
    styles: BTreeMap<String, Spanned<RawStyle>>,
}

impl Theme {
    /// Resolves `--theme NAME|PATH` like keymaps do; `no_color` strips colours (NO_COLOR).
    pub fn load(spec: &str, config_dir: Option<&Path>, no_color: bool) -> Result<Theme, FileError> {
        let (path, src) = resolve(spec, config_dir, "themes", BUILTIN)?;
        let mut seen = Vec::new();
        let theme = Theme::from_source(&path, &src, config_dir, &mut seen)?;
        Ok(if no_color { theme.monochrome() } else { theme })
    }

    fn from_source(
        path: &Path,
        src: &str,
        config_dir: Option<&Path>,
        seen: &mut Vec<PathBuf>,
    ) -> Result<Theme, FileError> {
        if seen.iter().any(|p| p == path) {
            return Err(FileError::whole(
                path,
                "theme `extends` chain loops back to this file",
            ));
        }
        seen.push(path.to_path_buf());
        let raw: RawTheme = toml::from_str(src).map_err(|e| FileError::from_toml(path, src, &e))?;
        let mut theme = match &raw.extends {
            Some(base) => {
                let (bpath, bsrc) = resolve(base.get_ref(), config_dir, "themes", BUILTIN)
                    .map_err(|e| {
                        FileError::at(
                            path,
                            src,
                            base.span().start,
                            format!("extends: {}", e.message),
                        )
                    })?;
                Theme::from_source(&bpath, &bsrc, config_dir, seen)?
            }
            None if src == BUILTIN[0].1 => Theme {
                name: String::new(),
                styles: vec![Style::default(); Role::ALL.len()],
            },
            None => {
                let (bpath, bsrc) = resolve("default", None, "themes", BUILTIN)?;
                Theme::from_source(&bpath, &bsrc, None, seen)?
            }
        };
        theme.name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("theme")
            .to_string();
        for (role_name, spanned) in raw.styles {
            let at = spanned.span().start;
            let role = Role::from_name(&role_name).ok_or_else(|| {
                let valid: Vec<_> = Role::ALL.iter().map(|r| r.name()).collect();
                FileError::at(
                    path,
                    src,
                    at,
                    format!(
                        "unknown style role `{role_name}`; valid roles: {}",
                        valid.join(", ")
                    ),
                )
            })?;
            let r = spanned.into_inner();
            let mut style = Style::default();
            if let Some(fg) = r.fg {
                style = style.fg(parse_color(fg.get_ref()).map_err(|m| {
                    FileError::at(path, src, fg.span().start, format!("{role_name}.fg: {m}"))
                })?);
            }
            if let Some(bg) = r.bg {
                style = style.bg(parse_color(bg.get_ref()).map_err(|m| {
                    FileError::at(path, src, bg.span().start, format!("{role_name}.bg: {m}"))
                })?);
            }
            for (on, m) in [
                (r.bold, Modifier::BOLD),
                (r.dim, Modifier::DIM),
                (r.italic, Modifier::ITALIC),
                (r.underline, Modifier::UNDERLINED),
                (r.reversed, Modifier::REVERSED),
            ] {
                if on {
                    style = style.add_modifier(m);
                }
            }
            theme.styles[role as usize] = style;
        }
        Ok(theme)
    }

    /// NO_COLOR: keep modifiers, drop colours, and make sure the roles that carry meaning by
    /// colour alone still stand out.
    pub fn monochrome(mut self) -> Theme {
        for (i, s) in self.styles.iter_mut().enumerate() {
            let mut m = Style::default().add_modifier(s.add_modifier);
            let role = Role::ALL[i];
            m = match role {
                Role::Selection => m.add_modifier(Modifier::REVERSED),
                Role::Highlight => m.add_modifier(Modifier::REVERSED | Modifier::UNDERLINED),
                Role::BorderFocused
                | Role::Crit
                | Role::LevelError
                | Role::RiskDestructive
                | Role::Title => m.add_modifier(Modifier::BOLD),
                Role::Muted | Role::Border | Role::LevelDebug => m.add_modifier(Modifier::DIM),
                Role::StatusBar => m.add_modifier(Modifier::REVERSED),
                _ => m,
            };
            *s = m;
        }
        self.name = format!("{} (no colour)", self.name);
        self
    }

    pub fn style(&self, role: Role) -> Style {
        self.styles[role as usize]
    }

    pub fn text(&self) -> Style {
        self.style(Role::Text)
    }
    pub fn muted(&self) -> Style {
        self.style(Role::Muted)
    }
    pub fn accent(&self) -> Style {
        self.style(Role::Accent)
    }
    pub fn title(&self) -> Style {
        self.style(Role::Title)
    }
    pub fn ok(&self) -> Style {
        self.style(Role::Ok)
    }
    pub fn warn(&self) -> Style {
        self.style(Role::Warn)
    }
    pub fn danger(&self) -> Style {
        self.style(Role::Crit)
    }
    pub fn selection(&self) -> Style {
        self.style(Role::Selection)
    }
    pub fn highlight(&self) -> Style {
        self.style(Role::Highlight)
    }
    pub fn key(&self) -> Style {
        self.style(Role::Key)
    }
    pub fn status_bar(&self) -> Style {
        self.style(Role::StatusBar)
    }
    pub fn border(&self, focused: bool) -> Style {
        self.style(if focused {
            Role::BorderFocused
        } else {
            Role::Border
        })
    }
    pub fn health(&self, h: Health) -> Style {
        self.style(match h {
            Health::Ok => Role::Ok,
            Health::Warn => Role::Warn,
            Health::Crit => Role::Crit,
            Health::Unknown => Role::Unknown,
        })
    }
    pub fn risk(&self, r: crate::model::Risk) -> Style {
        self.style(match r {
            crate::model::Risk::Read => Role::RiskRead,
            crate::model::Risk::Write => Role::RiskWrite,
            crate::model::Risk::Unknown => Role::RiskUnknown,
            crate::model::Risk::Destructive => Role::RiskDestructive,
        })
    }

    pub fn level(&self, l: Option<Level>) -> Style {
        match l {
            Some(Level::Error) => self.style(Role::LevelError),
            Some(Level::Warn) => self.style(Role::LevelWarn),
            Some(Level::Info) => self.style(Role::LevelInfo),
            Some(Level::Debug) => self.style(Role::LevelDebug),
            None => self.text(),
        }
    }
}

pub fn parse_color(s: &str) -> Result<Color, String> {
    let t = s.trim();
    if let Some(hex) = t.strip_prefix('#') {
        if hex.len() == 6 && hex.chars().all(|c| c.is_ascii_hexdigit()) {
            let v = u32::from_str_radix(hex, 16).map_err(|e| e.to_string())?;
            return Ok(Color::Rgb((v >> 16) as u8, (v >> 8) as u8, v as u8));
        }
        return Err(format!("`{s}` is not a #rrggbb colour"));
    }
    if let Ok(i) = t.parse::<u8>() {
        return Ok(Color::Indexed(i));
    }
    let c = match t.to_ascii_lowercase().replace(['_', '-', ' '], "").as_str() {
        "reset" | "default" => Color::Reset,
        "black" => Color::Black,
        "red" => Color::Red,
        "green" => Color::Green,
        "yellow" => Color::Yellow,
        "blue" => Color::Blue,
        "magenta" => Color::Magenta,
        "cyan" => Color::Cyan,
        "gray" | "grey" => Color::Gray,
        "darkgray" | "darkgrey" | "brightblack" => Color::DarkGray,
        "lightred" | "brightred" => Color::LightRed,
        "lightgreen" | "brightgreen" => Color::LightGreen,
        "lightyellow" | "brightyellow" => Color::LightYellow,
        "lightblue" | "brightblue" => Color::LightBlue,
        "lightmagenta" | "brightmagenta" => Color::LightMagenta,
        "lightcyan" | "brightcyan" => Color::LightCyan,
        "white" | "brightwhite" => Color::White,
        _ => {
            return Err(format!(
                "unknown colour `{s}`; use an ANSI name (black, red, green, yellow, blue, magenta, cyan, gray, darkgray, light<colour>, white, reset), #rrggbb or 0-255"
            ));
        }
    };
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtins_define_every_role() {
        for (name, src) in BUILTIN {
            let t = Theme::load(name, None, false).unwrap_or_else(|e| panic!("{e}"));
            // Every built-in names every role itself (light/high-contrast do not lean on
            // the dark default for anything).
            for r in Role::ALL {
                assert!(
                    src.contains(&format!("\n{} =", r.name())),
                    "{name} misses role {}",
                    r.name()
                );
            }
            assert_ne!(t.danger(), t.ok(), "{name}");
        }
    }

    #[test]
    fn default_theme_uses_only_16_colours() {
        let t = Theme::load("default", None, false).unwrap();
        for s in &t.styles {
            for c in [s.fg, s.bg].into_iter().flatten() {
                assert!(!matches!(c, Color::Rgb(..) | Color::Indexed(_)), "{c:?}");
            }
        }
    }

    #[test]
    fn no_color_drops_colours_keeps_meaning() {
        let t = Theme::load("default", None, true).unwrap();
        for s in &t.styles {
            assert!(s.fg.is_none() && s.bg.is_none());
        }
        assert!(t.selection().add_modifier.contains(Modifier::REVERSED));
        assert!(t.border(true).add_modifier.contains(Modifier::BOLD));
    }

    #[test]
    fn colours_parse() {
        assert_eq!(parse_color("#ff8000").unwrap(), Color::Rgb(255, 128, 0));
        assert_eq!(parse_color("LightBlue").unwrap(), Color::LightBlue);
        assert_eq!(parse_color("208").unwrap(), Color::Indexed(208));
        assert!(parse_color("#ff80").is_err());
        assert!(
            parse_color("chartreuse")
                .unwrap_err()
                .contains("unknown colour `chartreuse`")
        );
    }
}
