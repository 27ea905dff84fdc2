//! What an overlay does with keys: one [`Handler`] per kind of overlay, each in its own file
//! beside the overlay's state (yazi's actor shape). [`super::overlay`] picks the handler of
//! the overlay on top; nothing else dispatches keys to overlays.

use super::{Action, App, Effect, InputKey};

pub trait Handler: Sync {
    /// A key bound in the overlay's keymap mode: `true` when it was the overlay's, else the
    /// keys that work over every overlay (help, journal, quit…) get it.
    fn action(&self, app: &mut App, a: Action, fx: &mut Vec<Effect>) -> bool;
    /// A typed key, for the overlays with a text field.
    fn input(&self, _app: &mut App, _key: InputKey, _fx: &mut Vec<Effect>) {}
}
