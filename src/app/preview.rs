//! What a confirmed change will do, from live state: the changes opsdeck recognises (its own
//! built-in actions, and the runbook commands that make them: `aws ecs update-service
//! --desired-count/--force-new-deployment/--task-definition`, `aws lambda update-alias /
//! put-function-concurrency / update-function-configuration --memory-size`, RDS reboots and
//! failovers, SQS purges) previewed against the watched rows (`prod/api desired 6 → 8
//! (running 3)`), and later verified against them (see `verify`). Pure: tested without a
//! terminal.

use crate::model::{Detail, Health, Resource, ResourceKind};
use crate::sources::Mutation;
use crate::sources::{EcsMutation, LambdaMutation, RdsMutation, SqsMutation};

/// A change opsdeck knows how to preview and verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Desired {
        cluster: Option<String>,
        service: String,
        desired: i64,
    },
    Redeploy {
        cluster: Option<String>,
        service: String,
    },
    TaskDefinition {
        cluster: Option<String>,
        service: String,
        task_definition: String,
    },
    Alias {
        function: String,
        alias: String,
        version: String,
    },
    Concurrency {
        function: String,
        value: Option<i64>,
    },
    Memory {
        function: String,
        mb: i64,
    },
    DbReboot {
        instance: String,
        failover: bool,
    },
    DbClusterFailover {
        cluster: String,
    },
    Purge {
        queue: String,
    },
}

/// One line of the preview: what it says, and how alarming it is (`Crit`: the target is not
/// watched or the change stops everything).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub text: String,
    pub severity: Health,
}

impl Change {
    pub fn from_mutation(m: &Mutation) -> Option<Change> {
        Some(match m.clone() {
            Mutation::Ecs(EcsMutation::ScaleService {
                cluster,
                service,
                desired,
            }) => Change::Desired {
                cluster: Some(cluster),
                service,
                desired,
            },
            Mutation::Ecs(EcsMutation::ForceNewDeployment { cluster, service }) => {
                Change::Redeploy {
                    cluster: Some(cluster),
                    service,
                }
            }
            Mutation::Lambda(LambdaMutation::SetAlias {
                function,
                alias,
                version,
            }) => Change::Alias {
                function,
                alias,
                version,
            },
            Mutation::Lambda(LambdaMutation::SetReservedConcurrency { function, value }) => {
                Change::Concurrency { function, value }
            }
            Mutation::Lambda(LambdaMutation::SetMemory { function, mb }) => {
                Change::Memory { function, mb }
            }
            Mutation::Rds(RdsMutation::RebootDb { instance, failover }) => {
                Change::DbReboot { instance, failover }
            }
            Mutation::Rds(RdsMutation::FailoverDbCluster { cluster }) => {
                Change::DbClusterFailover { cluster }
            }
            Mutation::Sqs(SqsMutation::PurgeQueue { queue, .. }) => Change::Purge { queue },
            _ => return None,
        })
    }

    /// The built-in mutation that makes this change, when there is one (the demo applies
    /// recognised runbook commands this way). An ECS service needs its cluster.
    pub fn to_mutation(&self) -> Option<Mutation> {
        Some(match self.clone() {
            Change::Desired {
                cluster: Some(cluster),
                service,
                desired,
            } => Mutation::Ecs(EcsMutation::ScaleService {
                cluster,
                service,
                desired,
            }),
            Change::Redeploy {
                cluster: Some(cluster),
                service,
            } => Mutation::Ecs(EcsMutation::ForceNewDeployment { cluster, service }),
            Change::Alias {
                function,
                alias,
                version,
            } => Mutation::Lambda(LambdaMutation::SetAlias {
                function,
                alias,
                version,
            }),
            Change::Concurrency { function, value } => {
                Mutation::Lambda(LambdaMutation::SetReservedConcurrency { function, value })
            }
            Change::Memory { function, mb } => {
                Mutation::Lambda(LambdaMutation::SetMemory { function, mb })
            }
            Change::DbReboot { instance, failover } => {
                Mutation::Rds(RdsMutation::RebootDb { instance, failover })
            }
            Change::DbClusterFailover { cluster } => {
                Mutation::Rds(RdsMutation::FailoverDbCluster { cluster })
            }
            _ => return None,
        })
    }

    /// The changes a shell script's `aws` commands make. Variables are filled in from `env`
    /// for reading only (the script that runs still takes them from its environment).
    pub fn from_script(
        script: &str,
        env: &std::collections::BTreeMap<String, String>,
    ) -> Vec<Change> {
        let filled = fill(script, env);
        let mut out = Vec::new();
        for words in crate::runbook::targets::simple_commands(&filled) {
            let Some(start) = words.iter().position(|w| w == "aws" || w.ends_with("/aws")) else {
                continue;
            };
            let w = &words[start + 1..];
            let flag = |name: &str| -> Option<String> {
                w.iter().enumerate().find_map(|(i, a)| {
                    if a == name {
                        w.get(i + 1).cloned()
                    } else {
                        a.strip_prefix(&format!("{name}=")).map(str::to_string)
                    }
                })
            };
            let has = |name: &str| w.iter().any(|a| a == name);
            let (Some(svc), Some(verb)) = (w.first(), w.get(1)) else {
                continue;
            };
            match (svc.as_str(), verb.as_str()) {
                ("ecs", "update-service") => {
                    let Some(service) = flag("--service") else {
                        continue;
                    };
                    let cluster = flag("--cluster");
                    if let Some(n) = flag("--desired-count").and_then(|n| n.parse().ok()) {
                        out.push(Change::Desired {
                            cluster: cluster.clone(),
                            service: service.clone(),
                            desired: n,
                        });
                    }
                    if let Some(td) = flag("--task-definition") {
                        out.push(Change::TaskDefinition {
                            cluster: cluster.clone(),
                            service: service.clone(),
                            task_definition: td,
                        });
                    }
                    if has("--force-new-deployment") {
                        out.push(Change::Redeploy { cluster, service });
                    }
                }
                ("lambda", "update-alias") => {
                    if let (Some(function), Some(alias), Some(version)) = (
                        flag("--function-name"),
                        flag("--name"),
                        flag("--function-version"),
                    ) {
                        out.push(Change::Alias {
                            function,
                            alias,
                            version,
                        });
                    }
                }
                ("lambda", "put-function-concurrency") => {
                    if let (Some(function), Some(v)) = (
                        flag("--function-name"),
                        flag("--reserved-concurrent-executions").and_then(|v| v.parse().ok()),
                    ) {
                        out.push(Change::Concurrency {
                            function,
                            value: Some(v),
                        });
                    }
                }
                ("lambda", "delete-function-concurrency") => {
                    if let Some(function) = flag("--function-name") {
                        out.push(Change::Concurrency {
                            function,
                            value: None,
                        });
                    }
                }
                ("lambda", "update-function-configuration") => {
                    if let (Some(function), Some(mb)) = (
                        flag("--function-name"),
                        flag("--memory-size").and_then(|v| v.parse().ok()),
                    ) {
                        out.push(Change::Memory { function, mb });
                    }
                }
                ("rds", "reboot-db-instance") => {
                    if let Some(instance) = flag("--db-instance-identifier") {
                        out.push(Change::DbReboot {
                            instance,
                            failover: has("--force-failover"),
                        });
                    }
                }
                ("rds", "failover-db-cluster") => {
                    if let Some(cluster) = flag("--db-cluster-identifier") {
                        out.push(Change::DbClusterFailover { cluster });
                    }
                }
                ("sqs", "purge-queue") => {
                    if let Some(q) = flag("--queue-url") {
                        out.push(Change::Purge {
                            queue: crate::text::last_segment(&q).to_string(),
                        });
                    }
                }
                _ => {}
            }
        }
        out
    }

    /// The watched row this change acts on.
    pub fn find<'a>(&self, rows: impl Iterator<Item = &'a Resource>) -> Option<&'a Resource> {
        let mut rows = rows;
        let ecs = |cluster: &Option<String>, service: &str, r: &Resource| {
            r.kind == ResourceKind::Ecs
                && r.name == service
                && cluster.as_deref().is_none_or(|c| {
                    r.cluster() == Some(c)
                        || c.ends_with(&format!("/{}", r.cluster().unwrap_or("")))
                })
        };
        match self {
            Change::Desired {
                cluster, service, ..
            }
            | Change::Redeploy { cluster, service }
            | Change::TaskDefinition {
                cluster, service, ..
            } => rows.find(|r| ecs(cluster, service, r)),
            Change::Alias { function, .. }
            | Change::Concurrency { function, .. }
            | Change::Memory { function, .. } => {
                let name = crate::text::last_segment(function);
                rows.find(|r| r.kind == ResourceKind::Lambda && r.name == name)
            }
            Change::DbReboot { instance: x, .. } | Change::DbClusterFailover { cluster: x } => {
                rows.find(|r| r.kind == ResourceKind::Rds && &r.name == x)
            }
            Change::Purge { queue } => {
                rows.find(|r| r.kind == ResourceKind::Sqs && &r.name == queue)
            }
        }
    }

    /// What the change is about, as the preview names it.
    pub fn subject(&self) -> String {
        match self {
            Change::Desired {
                cluster, service, ..
            }
            | Change::Redeploy { cluster, service }
            | Change::TaskDefinition {
                cluster, service, ..
            } => match cluster {
                Some(c) => format!("{}/{service}", crate::text::last_segment(c)),
                None => service.clone(),
            },
            Change::Alias { function, .. }
            | Change::Concurrency { function, .. }
            | Change::Memory { function, .. } => crate::text::last_segment(function).to_string(),
            Change::DbReboot { instance: x, .. }
            | Change::DbClusterFailover { cluster: x }
            | Change::Purge { queue: x } => x.clone(),
        }
    }

    /// The preview against the watched rows: the change from its current value, or that the
    /// target is not among them.
    pub fn preview<'a>(&self, rows: impl Iterator<Item = &'a Resource>) -> Line {
        let subject = self.subject();
        let Some(r) = self.find(rows) else {
            return Line {
                text: format!(
                    "{subject}: not among the watched resources: its current state is unknown (check the name and the account)"
                ),
                severity: Health::Crit,
            };
        };
        let ok = |text: String| Line {
            text,
            severity: Health::Ok,
        };
        let warn = |text: String| Line {
            text,
            severity: Health::Warn,
        };
        match (self, &r.detail) {
            (Change::Desired { desired, .. }, _) => {
                let c = r.counts.unwrap_or_default();
                let text = format!(
                    "{subject} desired {} → {desired} (running {})",
                    c.desired, c.running
                );
                if *desired == 0 {
                    Line {
                        text: format!("{text}: stops every task"),
                        severity: Health::Crit,
                    }
                } else if *desired < c.desired {
                    warn(format!("{text}: fewer tasks"))
                } else {
                    ok(text)
                }
            }
            (Change::Redeploy { .. }, Detail::Ecs(d)) => ok(format!(
                "{subject}: new deployment of {} replaces {} running tasks",
                d.task_definition
                    .as_deref()
                    .unwrap_or("the current task definition"),
                r.counts.unwrap_or_default().running
            )),
            (
                Change::TaskDefinition {
                    task_definition, ..
                },
                Detail::Ecs(d),
            ) => ok(format!(
                "{subject} task definition {} → {task_definition}",
                d.task_definition.as_deref().unwrap_or("?")
            )),
            (Change::Alias { alias, version, .. }, Detail::Lambda(d)) => {
                let now = d
                    .aliases
                    .iter()
                    .chain(d.alias.iter())
                    .find(|a| &a.name == alias)
                    .map(|a| format!("v{}", a.version));
                match now {
                    Some(v) => ok(format!(
                        "{subject} alias {alias} {v} → v{}",
                        version.trim_start_matches('v')
                    )),
                    None => warn(format!(
                        "{subject}: no alias {alias} seen; it would point at v{version}"
                    )),
                }
            }
            (Change::Concurrency { value, .. }, Detail::Lambda(d)) => {
                let now = d
                    .reserved_concurrency
                    .map_or("unreserved".to_string(), |v| v.to_string());
                match value {
                    Some(0) => Line {
                        text: format!(
                            "{subject} reserved concurrency {now} → 0 (stops all invocations)"
                        ),
                        severity: Health::Crit,
                    },
                    Some(v) => ok(format!("{subject} reserved concurrency {now} → {v}")),
                    None => ok(format!("{subject} reserved concurrency {now} → unreserved")),
                }
            }
            (Change::Memory { mb, .. }, Detail::Lambda(d)) => ok(format!(
                "{subject} memory {} → {mb} MB",
                d.memory_mb.map_or("?".to_string(), |m| format!("{m}"))
            )),
            (Change::DbReboot { failover, .. }, Detail::Rds(d)) => warn(format!(
                "{subject} ({}, {}) {} → rebooting{}",
                d.role,
                d.engine,
                d.status,
                if *failover {
                    ", failing over to its standby"
                } else {
                    ": unavailable until it is back"
                }
            )),
            (Change::DbClusterFailover { .. }, Detail::Rds(d)) => warn(format!(
                "{subject} writer {} → {}",
                d.cluster_members.first().map_or("?", |s| s.as_str()),
                d.cluster_members.get(1).map_or("a reader", |s| s.as_str())
            )),
            (Change::Purge { .. }, Detail::Sqs(d)) => Line {
                text: format!(
                    "{subject}: {} waiting and {} in flight → 0 (deleted for good)",
                    d.visible, d.in_flight
                ),
                severity: Health::Crit,
            },
            _ => ok(format!("{subject}: {}", r.status)),
        }
    }
}

/// `$NAME` and `${NAME}` replaced by `env`'s values, for reading the script (never run).
fn fill(script: &str, env: &std::collections::BTreeMap<String, String>) -> String {
    static VAR: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)")
            .expect("valid")
    });
    VAR.replace_all(script, |c: &regex::Captures| {
        let name = c.get(1).or(c.get(2)).map_or("", |m| m.as_str());
        env.get(name).cloned().unwrap_or_else(|| c[0].to_string())
    })
    .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Alias, Counts, LambdaDetail};

    fn rows() -> Vec<Resource> {
        let mut api = Resource::ecs("prod", "api");
        api.counts = Some(Counts {
            desired: 6,
            running: 3,
            pending: 2,
        });
        let mut f = Resource::lambda("orders-processor");
        f.detail = Detail::Lambda(LambdaDetail {
            alias: Some(Alias {
                name: "live".into(),
                version: "12".into(),
            }),
            reserved_concurrency: Some(100),
            ..LambdaDetail::default()
        });
        vec![api, f]
    }

    #[test]
    fn builtin_and_runbook_changes_preview_against_live_state() {
        let rows = rows();
        let m = Mutation::Ecs(EcsMutation::ScaleService {
            cluster: "prod".into(),
            service: "api".into(),
            desired: 8,
        });
        let p = Change::from_mutation(&m).unwrap().preview(rows.iter());
        assert_eq!(p.text, "prod/api desired 6 → 8 (running 3)");
        assert_eq!(p.severity, Health::Ok);
        let env = [
            ("SERVICE".to_string(), "api".to_string()),
            ("N".to_string(), "0".to_string()),
        ]
        .into();
        let script = "aws ecs update-service --cluster prod --service \"$SERVICE\" --desired-count ${N}\n\
                      aws lambda update-alias --function-name orders-processor --name live --function-version 11\n\
                      aws lambda put-function-concurrency --function-name orders-processor --reserved-concurrent-executions 0\n\
                      aws ecs update-service --cluster prod --service ghost --force-new-deployment";
        let changes = Change::from_script(script, &env);
        assert_eq!(changes.len(), 4, "{changes:?}");
        let lines: Vec<Line> = changes.iter().map(|c| c.preview(rows.iter())).collect();
        assert_eq!(
            lines[0].text,
            "prod/api desired 6 → 0 (running 3): stops every task"
        );
        assert_eq!(lines[0].severity, Health::Crit);
        assert_eq!(lines[1].text, "orders-processor alias live v12 → v11");
        assert_eq!(
            lines[2].text,
            "orders-processor reserved concurrency 100 → 0 (stops all invocations)"
        );
        assert!(
            lines[3]
                .text
                .starts_with("prod/ghost: not among the watched resources"),
            "{}",
            lines[3].text
        );
        assert_eq!(lines[3].severity, Health::Crit);
        assert!(
            Change::from_script(
                "aws ecs describe-services --cluster prod --services api",
                &env
            )
            .is_empty()
        );
    }
}
