//! Several AWS contexts (profile × region, each with its own clients, account, limiters and
//! feeds) behind one [`DataSource`]: each context's source runs unchanged and its deliveries
//! come out tagged with the context's index; commands go to the context they name. A context
//! that fails (expired SSO, no permission) fails on its own feeds only.

use super::AwsSource;
use crate::sources::{DataSource, SourceCommand, SourceEvent, SourceInfo};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

pub struct MultiSource {
    /// In context order: index `i` is context `i`.
    pub sources: Vec<AwsSource>,
}

impl DataSource for MultiSource {
    fn info(&self) -> SourceInfo {
        // Every context polls the same feeds at the same intervals; the cockpit keeps each
        // context's freshness apart.
        let first = self.sources.first().map(DataSource::info);
        let labels: Vec<String> = self.sources.iter().map(|s| s.ctx.short_label()).collect();
        SourceInfo {
            label: format!("{} contexts: {}", self.sources.len(), labels.join(", ")),
            feeds: first.map(|i| i.feeds).unwrap_or_default(),
        }
    }

    fn start(
        self: Box<Self>,
        events: mpsc::Sender<SourceEvent>,
        mut commands: mpsc::Receiver<SourceCommand>,
    ) -> JoinHandle<()> {
        tokio::spawn(async move {
            let mut routes = Vec::new();
            let mut tasks = Vec::new();
            for (i, src) in self.sources.into_iter().enumerate() {
                let ctx = i as u16;
                let (tx, mut rx) = mpsc::channel::<SourceEvent>(crate::sources::EVENT_CHANNEL);
                let (cmd_tx, cmd_rx) = mpsc::channel(crate::sources::COMMAND_CHANNEL);
                tasks.push(Box::new(src).start(tx, cmd_rx));
                routes.push(cmd_tx);
                let out = events.clone();
                tasks.push(tokio::spawn(async move {
                    while let Some(mut ev) = rx.recv().await {
                        ev.ctx = ctx;
                        if out.send(ev).await.is_err() {
                            return;
                        }
                    }
                }));
            }
            while let Some(cmd) = commands.recv().await {
                let to: Vec<usize> = match &cmd {
                    SourceCommand::Mutate { ctx, .. } | SourceCommand::LogsQuery { ctx, .. } => {
                        vec![*ctx as usize]
                    }
                    // The metric window applies to every context.
                    SourceCommand::SetMetricWindow(_) => (0..routes.len()).collect(),
                    SourceCommand::Replay(_) => Vec::new(),
                };
                for i in to {
                    if let Some(r) = routes.get(i)
                        && r.send(cmd.clone()).await.is_err()
                    {
                        tracing::warn!("context {i}: its source stopped");
                    }
                }
            }
            for t in tasks {
                t.abort();
            }
        })
    }
}
