//! Services pane state: rows from every feed (ECS, Lambda, HTTP), sorted, filtered, selected.

use crate::model::Resource;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    #[default]
    Health,
    Name,
    Kind,
}

impl Sort {
    pub fn next(self) -> Sort {
        match self {
            Sort::Health => Sort::Name,
            Sort::Name => Sort::Kind,
            Sort::Kind => Sort::Health,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Sort::Health => "health",
            Sort::Name => "name",
            Sort::Kind => "kind",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct ServicesState {
    by_feed: BTreeMap<crate::sources::FeedId, Vec<Resource>>,
    /// `c`: only the rows of this context (its label).
    pub context: Option<String>,
    /// Sorted and filtered rows, rebuilt when data, sort or filter change.
    rows: Vec<Resource>,
    /// A feed delivered different rows since `rows` was built: [`Self::settle`] rebuilds
    /// once for a whole batch of deliveries (ten contexts' feeds arrive together).
    stale: bool,
    pub sort: Sort,
    pub filter: String,
    selected_key: Option<String>,
    pub selected: usize,
}

impl ServicesState {
    /// A feed's rows; an unchanged delivery (the steady state) costs a comparison. The
    /// sorted view is rebuilt at the next [`Self::settle`].
    pub fn set_feed(&mut self, feed: impl Into<crate::sources::FeedId>, rows: Vec<Resource>) {
        let feed = feed.into();
        if self.by_feed.get(&feed) == Some(&rows) {
            return;
        }
        self.by_feed.insert(feed, rows);
        self.stale = true;
    }

    /// Rebuilds the sorted, filtered rows if a delivery changed them.
    pub fn settle(&mut self) {
        if self.stale {
            self.rebuild();
        }
    }

    /// Rates the rows of the kinds rated by their metrics (see
    /// [`Resource::rate_by_metrics`]) against the latest series.
    pub fn rate(&mut self, series: &[crate::model::MetricSeries]) {
        let mut changed = false;
        for r in self.by_feed.values_mut().flatten().filter(|r| r.rated()) {
            let before = (r.health, r.status.clone());
            r.rate_by_metrics(series);
            changed |= before != (r.health, r.status.clone());
        }
        if changed {
            self.stale = true;
        }
    }

    /// The rows a feed delivered last (empty before its first delivery).
    pub fn feed_rows(&self, feed: impl Into<crate::sources::FeedId>) -> &[Resource] {
        self.by_feed.get(&feed.into()).map_or(&[], Vec::as_slice)
    }

    /// Whether a feed has delivered rows yet.
    pub fn has_feed(&self, feed: impl Into<crate::sources::FeedId>) -> bool {
        self.by_feed.contains_key(&feed.into())
    }

    /// Narrows the rows to one context's (`None`: all).
    pub fn set_context(&mut self, context: Option<String>) {
        self.context = context;
        self.rebuild();
    }

    pub fn rows(&self) -> &[Resource] {
        &self.rows
    }

    pub fn all(&self) -> impl Iterator<Item = &Resource> {
        self.by_feed.values().flatten()
    }

    pub fn total(&self) -> usize {
        self.by_feed.values().map(Vec::len).sum()
    }

    /// Forgets a feed's rows that were listed but never described (its feed failed).
    pub fn drop_loading(&mut self, feed: impl Into<crate::sources::FeedId>) {
        if let Some(rows) = self.by_feed.get_mut(&feed.into())
            && rows.iter().any(|r| r.loading)
        {
            rows.retain(|r| !r.loading);
            self.stale = true;
        }
    }

    /// Rows listed but not described yet (progressive first paint).
    pub fn loading(&self) -> usize {
        self.by_feed
            .values()
            .flatten()
            .filter(|r| r.loading)
            .count()
    }

    /// Selects the first row (as sorted and filtered) that `pred` accepts.
    pub fn select_where(&mut self, pred: impl Fn(&Resource) -> bool) {
        self.settle();
        if let Some(i) = self.rows.iter().position(pred) {
            self.selected = i;
            self.selected_key = Some(self.rows[i].key());
        }
    }

    pub fn selected_row(&self) -> Option<&Resource> {
        self.rows.get(self.selected)
    }

    pub fn set_sort(&mut self, sort: Sort) {
        self.sort = sort;
        self.rebuild();
    }

    pub fn set_filter(&mut self, filter: &str) {
        self.filter = filter.to_string();
        self.rebuild();
    }

    pub fn move_by(&mut self, delta: i64) {
        self.settle();
        if self.rows.is_empty() {
            return;
        }
        let max = self.rows.len() as i64 - 1;
        self.selected = (self.selected as i64 + delta).clamp(0, max) as usize;
        self.selected_key = Some(self.rows[self.selected].key());
    }

    /// Every row gone (a replay's jump); sort, filter and the selected row's identity stay.
    pub fn clear_rows(&mut self) {
        self.by_feed.clear();
        self.rows.clear();
        self.stale = false;
    }

    fn rebuild(&mut self) {
        self.stale = false;
        let needle = self.filter.to_lowercase();
        let mut rows: Vec<Resource> = self
            .by_feed
            .values()
            .flatten()
            .filter(|s| self.context.is_none() || s.context == self.context)
            .filter(|s| {
                // Every word of the filter matches some field: `eu-west-1 prod/api`.
                needle.split_whitespace().all(|word| {
                    // As shown (`prod/api`), as well as by each part.
                    (s.cluster().is_some() && s.display_name().to_lowercase().contains(word))
                        || [
                            Some(s.name.as_str()),
                            s.cluster(),
                            Some(s.status.as_str()),
                            s.http_detail().map(|d| d.url.as_str()),
                            s.context.as_deref(),
                        ]
                        .into_iter()
                        .flatten()
                        .any(|f| f.to_lowercase().contains(word))
                })
            })
            .cloned()
            .collect();
        // Borrowed keys: a sort of 2 000 rows allocates nothing per comparison.
        fn name(s: &Resource) -> (&str, &str) {
            (s.cluster().unwrap_or_default(), s.name.as_str())
        }
        match self.sort {
            Sort::Health => rows.sort_by(|a, b| {
                a.health
                    .rank()
                    .cmp(&b.health.rank())
                    .then(a.kind.cmp(&b.kind))
                    .then_with(|| name(a).cmp(&name(b)))
            }),
            Sort::Name => rows.sort_by(|a, b| {
                a.name
                    .cmp(&b.name)
                    .then_with(|| a.cluster().cmp(&b.cluster()))
            }),
            Sort::Kind => {
                rows.sort_by(|a, b| a.kind.cmp(&b.kind).then_with(|| name(a).cmp(&name(b))))
            }
        }
        self.rows = rows;
        // Keep the cursor on the same service when rows move around.
        self.selected = self
            .selected_key
            .as_ref()
            .and_then(|k| {
                self.rows
                    .iter()
                    .position(|r| k.ends_with(r.id.as_str()) && &r.key() == k)
            })
            .unwrap_or_else(|| self.selected.min(self.rows.len().saturating_sub(1)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Health;

    fn svc(name: &str, h: Health) -> Resource {
        let mut s = Resource::ecs("prod", name);
        s.health = h;
        s
    }

    #[test]
    fn worst_first_and_selection_follows_the_row() {
        let mut st = ServicesState::default();
        st.set_feed(
            crate::sources::Feed::ECS,
            vec![
                svc("a", Health::Ok),
                svc("b", Health::Ok),
                svc("c", Health::Ok),
            ],
        );
        st.settle();
        st.move_by(1);
        assert_eq!(st.selected_row().unwrap().name, "b");
        st.set_feed(
            crate::sources::Feed::ECS,
            vec![
                svc("a", Health::Ok),
                svc("b", Health::Ok),
                svc("c", Health::Crit),
            ],
        );
        // The sorted view waits for the batch to end.
        assert_eq!(st.rows()[0].name, "a");
        st.settle();
        assert_eq!(st.rows()[0].name, "c");
        assert_eq!(st.selected_row().unwrap().name, "b");
    }

    #[test]
    fn filter_and_sort() {
        let mut st = ServicesState::default();
        st.set_feed(
            crate::sources::Feed::ECS,
            vec![svc("api", Health::Ok), svc("worker", Health::Warn)],
        );
        st.set_filter("API");
        assert_eq!(st.rows().len(), 1);
        // The name as the pane shows it: cluster/service.
        let cluster = st.rows()[0].cluster().unwrap_or_default().to_string();
        st.set_filter(&format!("{cluster}/api"));
        assert_eq!(st.rows().len(), 1);
        st.set_filter("");
        st.set_sort(Sort::Name);
        assert_eq!(st.rows()[0].name, "api");
    }
}
