//! Built-in actions on the selected resource (ECS: force a new deployment, scale, roll
//! back; Lambda: alias, reserved concurrency, memory), the one-field value form some of them
//! need, and their results. Every change is carried out from a confirmed state only.

use super::confirm::Confirm;
use super::{Action, App, Effect, InputKey, Overlay};
use crate::model::{Resource, Risk};
use crate::sources::{Mutation, SourceCommand};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Builtin {
    ForceNewDeployment {
        cluster: String,
        service: String,
    },
    Scale {
        cluster: String,
        service: String,
        current: i64,
    },
    Rollback {
        cluster: String,
        service: String,
        revision: String,
    },
    SetAlias {
        function: String,
        alias: String,
        current: String,
        versions: Vec<String>,
    },
    SetReservedConcurrency {
        function: String,
        current: Option<i64>,
    },
    SetMemory {
        function: String,
        current: i64,
    },
    PurgeQueue {
        queue: String,
        url: String,
        visible: i64,
    },
    RedriveQueue {
        queue: String,
        dlq: String,
        dlq_arn: String,
        queue_arn: String,
        depth: i64,
    },
    /// An action that needs no value: straight to its confirmation, which says `prompt`.
    Direct {
        label: String,
        prompt: String,
        mutation: Mutation,
    },
}

impl Builtin {
    pub fn label(&self) -> String {
        match self {
            Builtin::ForceNewDeployment { cluster, service } => {
                format!("ECS › Force new deployment of {cluster}/{service}")
            }
            Builtin::Scale {
                cluster,
                service,
                current,
            } => format!("ECS › Scale {cluster}/{service} (now {current})"),
            Builtin::Rollback {
                cluster,
                service,
                revision,
            } => {
                format!(
                    "ECS › Roll back {cluster}/{service} to the previous task definition (now {revision})"
                )
            }
            Builtin::SetAlias {
                function,
                alias,
                current,
                ..
            } => format!("Lambda › Point {function}:{alias} at another version (now {current})"),
            Builtin::SetReservedConcurrency { function, current } => format!(
                "Lambda › Set reserved concurrency of {function} (now {})",
                current.map_or("unreserved".to_string(), |c| c.to_string())
            ),
            Builtin::SetMemory { function, current } => {
                format!("Lambda › Set memory of {function} (now {current} MB)")
            }
            Builtin::PurgeQueue { queue, visible, .. } => {
                format!("SQS › Purge {queue}: delete every message ({visible} waiting)")
            }
            Builtin::RedriveQueue {
                queue, dlq, depth, ..
            } => format!("SQS › Redrive {dlq} back to {queue} ({depth} messages)"),
            Builtin::Direct { label, .. } => label.clone(),
        }
    }

    pub fn risk(&self) -> Risk {
        match self {
            Builtin::Direct { mutation, .. } => mutation.risk(),
            Builtin::Rollback { .. } | Builtin::PurgeQueue { .. } => Risk::Destructive,
            _ => Risk::Write,
        }
    }
}

/// Built-in actions for a services-pane row; `now_ms` names snapshots and backups.
pub fn builtins_for(s: &Resource, now_ms: i64) -> Vec<Builtin> {
    match &s.detail {
        crate::model::Detail::Ecs(d) => {
            let c = &d.cluster;
            vec![
                Builtin::ForceNewDeployment {
                    cluster: c.clone(),
                    service: s.name.clone(),
                },
                Builtin::Scale {
                    cluster: c.clone(),
                    service: s.name.clone(),
                    current: s.counts.map_or(0, |n| n.desired),
                },
                Builtin::Rollback {
                    cluster: c.clone(),
                    service: s.name.clone(),
                    revision: d.task_definition.clone().unwrap_or_else(|| "?".into()),
                },
            ]
        }
        crate::model::Detail::Lambda(d) => {
            let mut out = Vec::new();
            if let Some(alias) = &d.alias {
                out.push(Builtin::SetAlias {
                    function: s.name.clone(),
                    alias: alias.name.clone(),
                    current: alias.version.clone(),
                    versions: d.versions.clone(),
                });
            }
            out.push(Builtin::SetReservedConcurrency {
                function: s.name.clone(),
                current: d.reserved_concurrency,
            });
            out.push(Builtin::SetMemory {
                function: s.name.clone(),
                current: d.memory_mb.unwrap_or(128),
            });
            out
        }
        crate::model::Detail::Http(_) => Vec::new(),
        crate::model::Detail::Sqs(d) => {
            let mut out = vec![Builtin::PurgeQueue {
                queue: s.name.clone(),
                url: d.url.clone(),
                visible: d.visible,
            }];
            if let (Some(dlq), Some(dlq_arn), Some(queue_arn)) = (&d.dlq, &d.dlq_arn, &d.arn) {
                out.push(Builtin::RedriveQueue {
                    queue: s.name.clone(),
                    dlq: dlq.clone(),
                    dlq_arn: dlq_arn.clone(),
                    queue_arn: queue_arn.clone(),
                    depth: d.dlq_depth.unwrap_or(0),
                });
            }
            out
        }
        crate::model::Detail::Rds(d) => rds_builtins(s, d, stamp(now_ms)),
        crate::model::Detail::Dynamodb(_) => vec![direct(
            format!("DynamoDB › Back up {} (on-demand backup)", s.name),
            format!("Make an on-demand backup of table {}", s.name),
            Mutation::BackupTable {
                table: s.name.clone(),
                backup: format!("opsdeck-{}-{}", s.name, stamp(now_ms)),
            },
        )],
        crate::model::Detail::Sfn(d) => {
            let mut out = Vec::new();
            if let Some(oldest) = d.running_arns.first() {
                let ex = crate::text::last_segment(oldest);
                out.push(direct(
                    format!(
                        "Step Functions › Stop the oldest running execution of {} ({ex})",
                        s.name
                    ),
                    format!(
                        "Stop execution {ex} of {}: its remaining steps are abandoned",
                        s.name
                    ),
                    Mutation::StopExecution {
                        machine: s.name.clone(),
                        execution_arn: oldest.clone(),
                    },
                ));
            }
            if let Some(f) = &d.last_failure {
                out.push(direct(
                    format!(
                        "Step Functions › Redrive the latest failed execution of {} ({})",
                        s.name, f.name
                    ),
                    format!(
                        "Re-run execution {} of {} from the state that failed",
                        f.name, s.name
                    ),
                    Mutation::RedriveExecution {
                        machine: s.name.clone(),
                        execution_arn: f.execution_arn.clone(),
                    },
                ));
            }
            out
        }
        crate::model::Detail::Elasticache(d) => {
            if d.replicas.is_empty() {
                return Vec::new();
            }
            d.node_groups
                .iter()
                .map(|ng| {
                    direct(
                        format!("ElastiCache › Test failover of {} shard {ng}", s.name),
                        format!(
                            "Fail the primary of {} shard {ng} over to a replica: connections to it drop",
                            s.name
                        ),
                        Mutation::TestFailover {
                            group: s.name.clone(),
                            node_group: ng.clone(),
                        },
                    )
                })
                .collect()
        }
        crate::model::Detail::Elb(_) | crate::model::Detail::Apigateway(_) => Vec::new(),
    }
}

fn direct(label: String, prompt: String, mutation: Mutation) -> Builtin {
    Builtin::Direct {
        label,
        prompt,
        mutation,
    }
}

/// `20261202-181503`: names snapshots and backups (UTC, sortable, valid in both APIs).
fn stamp(now_ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(now_ms)
        .unwrap_or_default()
        .format("%Y%m%d-%H%M%S")
        .to_string()
}

fn rds_builtins(s: &Resource, d: &crate::model::RdsDetail, stamp: String) -> Vec<Builtin> {
    let id = &s.name;
    if d.role == "cluster" {
        let mut out = Vec::new();
        if d.cluster_members.len() > 1 {
            out.push(direct(
                format!("RDS › Fail over cluster {id} (promote a reader)"),
                format!(
                    "Fail over {id}: writer {} steps down, connections drop",
                    d.cluster_members[0]
                ),
                Mutation::FailoverDbCluster {
                    cluster: id.clone(),
                },
            ));
        }
        out.push(direct(
            format!("RDS › Snapshot cluster {id}"),
            format!("Take a manual snapshot of cluster {id}"),
            Mutation::SnapshotDb {
                id: id.clone(),
                cluster: true,
                snapshot: format!("opsdeck-{id}-{stamp}"),
            },
        ));
        return out;
    }
    let mut out = vec![direct(
        format!("RDS › Reboot {id}"),
        format!("Reboot {id}: it does not serve until it is back"),
        Mutation::RebootDb {
            instance: id.clone(),
            failover: false,
        },
    )];
    if d.multi_az {
        out.push(direct(
            format!("RDS › Reboot {id} with failover to its standby"),
            format!("Reboot {id} failing over to the Multi-AZ standby: connections drop"),
            Mutation::RebootDb {
                instance: id.clone(),
                failover: true,
            },
        ));
    }
    if d.cluster.is_none() {
        out.push(direct(
            format!("RDS › Snapshot {id}"),
            format!("Take a manual snapshot of {id}"),
            Mutation::SnapshotDb {
                id: id.clone(),
                cluster: false,
                snapshot: format!("opsdeck-{id}-{stamp}"),
            },
        ));
    }
    out
}

/// A one-field value form (the desired count for a scale).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    pub title: String,
    pub label: String,
    pub value: String,
    pub error: Option<String>,
    pub action: Builtin,
    /// Values to pick from (Tab cycles), e.g. a function's published versions.
    pub suggestions: Vec<String>,
}

impl App {
    /// A built-in action chosen in the palette: its value form, or straight to confirmation.
    pub(super) fn start_builtin(&mut self, chosen: Builtin) {
        let form = |title: String, label: &str, value: String, suggestions: Vec<String>| {
            Overlay::Form(Form {
                title,
                label: label.into(),
                value,
                error: None,
                action: chosen.clone(),
                suggestions,
            })
        };
        let overlay = match &chosen {
            Builtin::ForceNewDeployment { cluster, service } => {
                let label = format!("Force new deployment of {cluster}/{service}");
                let m = Mutation::ForceNewDeployment {
                    cluster: cluster.clone(),
                    service: service.clone(),
                };
                return self.open_confirm(label, m);
            }
            Builtin::Rollback {
                cluster,
                service,
                revision,
            } => {
                let label = format!(
                    "Roll back {cluster}/{service} from {revision} to the previous revision"
                );
                let m = Mutation::RollbackService {
                    cluster: cluster.clone(),
                    service: service.clone(),
                };
                return self.open_confirm(label, m);
            }
            Builtin::PurgeQueue {
                queue,
                url,
                visible,
            } => {
                let label =
                    format!("Purge {queue}: delete its {visible} waiting messages for good");
                let m = Mutation::PurgeQueue {
                    queue: queue.clone(),
                    url: url.clone(),
                };
                return self.open_confirm(label, m);
            }
            Builtin::RedriveQueue {
                queue,
                dlq,
                dlq_arn,
                queue_arn,
                depth,
            } => {
                let label = format!("Move the {depth} messages of {dlq} back to {queue}");
                let m = Mutation::RedriveQueue {
                    queue: queue.clone(),
                    dlq_arn: dlq_arn.clone(),
                    queue_arn: queue_arn.clone(),
                };
                return self.open_confirm(label, m);
            }
            Builtin::Direct {
                prompt, mutation, ..
            } => {
                return self.open_confirm(prompt.clone(), mutation.clone());
            }
            Builtin::Scale {
                cluster,
                service,
                current,
            } => form(
                format!("Scale {cluster}/{service}"),
                "desired count",
                current.to_string(),
                Vec::new(),
            ),
            Builtin::SetAlias {
                function,
                alias,
                current,
                versions,
            } => form(
                format!("Point {function}:{alias} at version (now {current})"),
                "version",
                String::new(),
                versions.clone(),
            ),
            Builtin::SetReservedConcurrency { function, current } => form(
                format!("Reserved concurrency of {function} (empty: unreserved)"),
                "reserved",
                current.map(|c| c.to_string()).unwrap_or_default(),
                Vec::new(),
            ),
            Builtin::SetMemory { function, current } => form(
                format!("Memory of {function}"),
                "memory (MB)",
                current.to_string(),
                Vec::new(),
            ),
        };
        self.open(overlay);
    }

    pub(super) fn form_input(&mut self, key: InputKey) {
        let Some(f) = self.form_mut() else { return };
        match key {
            InputKey::Char(c) if !c.is_control() => {
                f.value.push(c);
                f.error = None;
            }
            InputKey::Char(_) => {}
            InputKey::Backspace => {
                f.value.pop();
            }
        }
    }

    pub(super) fn form_action(&mut self, a: Action, _fx: &mut Vec<Effect>) -> bool {
        let Some(f) = self.form_mut() else {
            return false;
        };
        match a {
            Action::ClearLine => f.value.clear(),
            Action::Complete if !f.suggestions.is_empty() => {
                let next = f
                    .suggestions
                    .iter()
                    .position(|x| *x == f.value)
                    .map_or(0, |i| (i + 1) % f.suggestions.len());
                f.value = f.suggestions[next].clone();
            }
            Action::Close => {
                self.close_top();
            }
            Action::Submit => match f.mutation() {
                Ok((title, m)) => {
                    self.close_top();
                    self.open_confirm(title, m);
                }
                Err(e) => f.error = Some(e),
            },
            _ => return false,
        }
        true
    }

    /// Sends a confirmed mutation; returns its action id.
    pub(super) fn start_mutation(
        &mut self,
        title: String,
        mutation: Mutation,
        ctx: u16,
        fx: &mut Vec<Effect>,
    ) -> u64 {
        fx.push(self.entry_in(Some(ctx), crate::journal::Kind::Start, mutation.describe()));
        let id = self.next_action;
        self.next_action += 1;
        self.pending.insert(id, mutation.clone());
        self.pending_ctx.insert(id, ctx);
        self.toast = Some((format!("… {title}"), crate::model::Health::Unknown));
        fx.push(Effect::Command(SourceCommand::Mutate { id, mutation, ctx }));
        id
    }

    pub(super) fn action_result(
        &mut self,
        id: u64,
        result: Result<String, String>,
        fx: &mut Vec<Effect>,
    ) {
        let Some(m) = self.pending.remove(&id) else {
            return;
        };
        let ctx = self.pending_ctx.remove(&id);
        let run = self.mutation_runs.remove(&id);
        if result.is_ok()
            && let Some(change) = super::preview::Change::from_mutation(&m)
        {
            self.verify_changes(vec![change], run, ctx.unwrap_or(0));
        }
        let (what, health, status) = match &result {
            Ok(msg) => (
                format!("✓ {msg}"),
                crate::model::Health::Ok,
                "ok".to_string(),
            ),
            Err(e) => (
                format!("✗ {}: {e}", m.describe()),
                crate::model::Health::Crit,
                format!("failed: {e}"),
            ),
        };
        self.toast = Some((what, health));
        let mut entry = self.entry_in(ctx, crate::journal::Kind::End, m.describe());
        if let Effect::Journal(e) = &mut entry {
            e.status = Some(status);
        }
        fx.push(entry);
    }

    pub(super) fn open_confirm(&mut self, title: String, mutation: Mutation) {
        // The selected row's context acts; a context marked read-only refuses like the
        // session's mode.
        let ctx = self.context_of(self.services.selected_row());
        let read_only =
            self.read_only || self.contexts.get(ctx as usize).is_some_and(|c| c.read_only);
        let mut c = Confirm::new(title, mutation, read_only);
        c.ctx = ctx;
        self.preview(&mut c);
        self.open(Overlay::Confirm(Box::new(c)));
    }
}

impl Form {
    /// The mutation the value asks for, or why the value is not acceptable.
    fn mutation(&self) -> Result<(String, Mutation), String> {
        let v = self.value.trim().to_string();
        let number = |lo: i64, hi: i64| v.parse::<i64>().ok().filter(|n| (lo..=hi).contains(n));
        match self.action.clone() {
            Builtin::Scale {
                cluster, service, ..
            } => match number(0, 1000) {
                Some(n) => Ok((
                    format!("Scale {cluster}/{service} to {n}"),
                    Mutation::ScaleService {
                        cluster,
                        service,
                        desired: n,
                    },
                )),
                None => Err(format!("`{v}` is not a task count from 0 to 1000")),
            },
            Builtin::SetAlias {
                function,
                alias,
                versions,
                ..
            } => {
                if versions.contains(&v) {
                    let title = format!("Point {function}:{alias} at version {v}");
                    Ok((
                        title,
                        Mutation::SetAlias {
                            function,
                            alias,
                            version: v.clone(),
                        },
                    ))
                } else {
                    Err(format!(
                        "`{v}` is not a published version (Tab cycles through them)"
                    ))
                }
            }
            Builtin::SetReservedConcurrency { function, .. } => {
                if v.is_empty() {
                    return Ok((
                        format!("Remove the reservation of {function}"),
                        Mutation::SetReservedConcurrency {
                            function,
                            value: None,
                        },
                    ));
                }
                match number(0, 1000) {
                    Some(n) => Ok((
                        format!("Reserve {n} concurrent executions for {function}"),
                        Mutation::SetReservedConcurrency {
                            function,
                            value: Some(n),
                        },
                    )),
                    None => Err(format!(
                        "`{v}` is not a concurrency from 0 to 1000 (empty removes it)"
                    )),
                }
            }
            Builtin::SetMemory { function, .. } => match number(128, 10240) {
                Some(n) => Ok((
                    format!("Set memory of {function} to {n} MB"),
                    Mutation::SetMemory { function, mb: n },
                )),
                None => Err(format!("`{v}` is not a memory size from 128 to 10240 MB")),
            },
            _ => Err("this action takes no value".into()),
        }
    }
}
