//! Freshness of each data feed: when it last delivered, whether its last attempt failed, and
//! when it should be called stale.

use crate::sources::{Feed, FeedId};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq)]
pub struct FeedStatus {
    pub interval_ms: i64,
    pub last_ok_ms: Option<i64>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    Waiting,
    Fresh,
    Stale,
    Failing,
}

impl FeedStatus {
    pub fn age_ms(&self, now_ms: i64) -> Option<i64> {
        self.last_ok_ms.map(|t| (now_ms - t).max(0))
    }

    pub fn freshness(&self, now_ms: i64) -> Freshness {
        if self.error.is_some() {
            return Freshness::Failing;
        }
        match self.age_ms(now_ms) {
            None => Freshness::Waiting,
            // Three missed refreshes (and at least 10 s) make data stale.
            Some(a) if a > (self.interval_ms * 3).max(10_000) => Freshness::Stale,
            Some(_) => Freshness::Fresh,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Feeds {
    pub feeds: BTreeMap<FeedId, FeedStatus>,
}

impl Feeds {
    /// The declared feeds of each of `contexts` contexts (at least one).
    pub fn new(declared: &[(Feed, i64)], contexts: usize) -> Self {
        Feeds {
            feeds: (0..contexts.max(1) as u16)
                .flat_map(|ctx| {
                    declared.iter().map(move |(feed, i)| {
                        (
                            FeedId { ctx, feed: *feed },
                            FeedStatus {
                                interval_ms: *i,
                                last_ok_ms: None,
                                error: None,
                            },
                        )
                    })
                })
                .collect(),
        }
    }

    fn entry(&mut self, feed: impl Into<FeedId>) -> &mut FeedStatus {
        self.feeds.entry(feed.into()).or_insert(FeedStatus {
            interval_ms: 5_000,
            last_ok_ms: None,
            error: None,
        })
    }

    pub fn ok(&mut self, feed: impl Into<FeedId>, at_ms: i64) {
        let e = self.entry(feed);
        e.last_ok_ms = Some(e.last_ok_ms.map_or(at_ms, |t| t.max(at_ms)));
        e.error = None;
    }

    pub fn failed(&mut self, feed: impl Into<FeedId>, message: String) {
        self.entry(feed).error = Some(message);
    }

    pub fn all_delivered(&self) -> bool {
        self.feeds
            .values()
            .all(|f| f.last_ok_ms.is_some() || f.error.is_some())
    }

    pub fn get(&self, feed: impl Into<FeedId>) -> Option<&FeedStatus> {
        self.feeds.get(&feed.into())
    }

    /// Oldest data age among feeds that have delivered.
    pub fn max_age_ms(&self, now_ms: i64) -> Option<i64> {
        self.feeds.values().filter_map(|f| f.age_ms(now_ms)).max()
    }
}
