//! What this session journaled, newest last, for the timeline overlay: at most [`CAP`]
//! entries, the oldest dropped first. The one place the cap is kept.

use crate::journal::Entry;
use std::collections::VecDeque;

/// Entries kept in memory (the journal file keeps them all).
pub const CAP: usize = 1000;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Timeline(VecDeque<Entry>);

impl Timeline {
    /// Adds the newest entry, dropping the oldest past [`CAP`].
    pub fn push(&mut self, e: Entry) {
        if self.0.len() == CAP {
            self.0.pop_front();
        }
        self.0.push_back(e);
    }

    pub fn clear(&mut self) {
        self.0.clear();
    }
}

/// Read access as a deque (`len`, `back`, `iter`…); writes only through [`Timeline::push`].
impl std::ops::Deref for Timeline {
    type Target = VecDeque<Entry>;
    fn deref(&self) -> &VecDeque<Entry> {
        &self.0
    }
}

impl<'a> IntoIterator for &'a Timeline {
    type Item = &'a Entry;
    type IntoIter = std::collections::vec_deque::Iter<'a, Entry>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_newest_cap_entries() {
        let mut t = Timeline::default();
        for i in 0..CAP + 5 {
            let ctx = crate::journal::Context::default();
            t.push(ctx.entry(
                crate::journal::Kind::Note,
                format!("{i}"),
                chrono::Utc::now(),
            ));
        }
        assert_eq!(t.len(), CAP);
        assert_eq!(t.front().unwrap().what, "5");
        assert_eq!(t.back().unwrap().what, format!("{}", CAP + 4));
    }
}
