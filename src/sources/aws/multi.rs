//! Several AWS contexts (profile × region, each with its own clients, account, limiters and
//! feeds) behind one [`DataSource`]: each context connects on its own (a context whose STS
//! is slow to answer delays no other), says what it found ([`Payload::Connected`]), then runs
//! an unchanged [`AwsSource`] whose deliveries come out tagged with the context's index;
//! commands go to the context they name. A context that fails (expired SSO, no permission)
//! fails on its own feeds only.

use super::AwsSource;
use super::plan::Plan;
use crate::config::contexts::ContextSpec;
use crate::config::{AwsSettings, Refresh};
use crate::sources::{
    ContextInfo, DataSource, Feed, Payload, SourceCommand, SourceEvent, SourceInfo,
};
use aws_smithy_runtime_api::client::http::SharedHttpClient;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// A context to connect when the source starts: as `[[contexts]]` gives it, with the options
/// it connects with.
pub struct Pending {
    pub spec: ContextSpec,
    pub opts: AwsSettings,
    pub plan: Plan,
    pub refresh: Refresh,
}

pub struct MultiSource {
    /// In context order: index `i` is context `i`.
    pub contexts: Vec<Pending>,
    /// One HTTPS client for all: one connection pool, the root certificates parsed once.
    pub http: SharedHttpClient,
}

/// Aborts the task when dropped: a context's source stops with the task that started it, and
/// every context's tasks with the multi-context source's.
struct AbortOnDrop(JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl DataSource for MultiSource {
    fn info(&self) -> SourceInfo {
        // Every context polls the same feeds at the same intervals; the cockpit keeps each
        // context's freshness apart.
        let feeds = self
            .contexts
            .first()
            .map(|p| AwsSource::feeds(&p.refresh))
            .unwrap_or_default();
        let labels: Vec<&str> = self
            .contexts
            .iter()
            .map(|p| p.spec.label.as_str())
            .collect();
        SourceInfo {
            label: format!("{} contexts: {}", self.contexts.len(), labels.join(", ")),
            feeds,
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
            let http = self.http;
            for (i, p) in self.contexts.into_iter().enumerate() {
                let ctx = i as u16;
                let (tx, mut rx) = mpsc::channel::<SourceEvent>(crate::sources::EVENT_CHANNEL);
                // Commands wait in the channel while the context connects.
                let (cmd_tx, cmd_rx) = mpsc::channel(crate::sources::COMMAND_CHANNEL);
                routes.push(cmd_tx);
                let http = http.clone();
                tasks.push(AbortOnDrop(tokio::spawn(async move {
                    let (clients, mut c, _role) = super::connect_with(&p.opts, http).await;
                    c.mark(&p.spec);
                    let info = ContextInfo {
                        account: c.account.clone(),
                        region: c.region.clone(),
                        env: c.env(),
                    };
                    let said = tx
                        .send(SourceEvent {
                            feed: Feed::Actions,
                            ctx: 0,
                            at_ms: crate::clock::now_ms(),
                            payload: Payload::Connected(info),
                        })
                        .await;
                    if said.is_err() {
                        return;
                    }
                    let src = AwsSource {
                        clients,
                        ctx: c,
                        plan: p.plan,
                        refresh: p.refresh,
                    };
                    let mut running = AbortOnDrop(Box::new(src).start(tx, cmd_rx));
                    let _ = (&mut running.0).await;
                })));
                let out = events.clone();
                tasks.push(AbortOnDrop(tokio::spawn(async move {
                    while let Some(mut ev) = rx.recv().await {
                        ev.ctx = ctx;
                        if out.send(ev).await.is_err() {
                            return;
                        }
                    }
                })));
            }
            while let Some(cmd) = commands.recv().await {
                let to: Vec<usize> = match &cmd {
                    SourceCommand::Mutate { ctx, .. }
                    | SourceCommand::LogsQuery { ctx, .. }
                    | SourceCommand::Focus { ctx, .. } => vec![*ctx as usize],
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
            // Each context's connecting, source and forwarding stop here (and if this task
            // is aborted, with it).
            drop(tasks);
        })
    }
}
