//! ECS services: desired, running and pending tasks, the task definition the primary
//! deployment runs and the latest service event; scale, force a new deployment, roll back.

use super::{Act, Builtin, Detail, Mutation, Rules, SysEvent};
use crate::model::{Counts, Resource, Risk};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct EcsDetail {
    pub cluster: String,
    /// The task definition the primary deployment runs (`api:42`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_definition: Option<String>,
    /// The latest service event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_event: Option<String>,
}
/// An ECS service.
pub struct Ecs;

/// What the ECS built-in actions change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EcsMutation {
    ScaleService {
        cluster: String,
        service: String,
        desired: i64,
    },
    ForceNewDeployment {
        cluster: String,
        service: String,
    },
    /// Back to the previous task definition revision, as a new deployment.
    RollbackService {
        cluster: String,
        service: String,
    },
}

impl Act for EcsMutation {
    fn describe(&self) -> String {
        match self {
            EcsMutation::ScaleService {
                cluster,
                service,
                desired,
            } => format!(
                "ECS UpdateService cluster={cluster} service={service} desiredCount={desired}"
            ),
            EcsMutation::ForceNewDeployment { cluster, service } => format!(
                "ECS UpdateService cluster={cluster} service={service} forceNewDeployment=true"
            ),
            EcsMutation::RollbackService { cluster, service } => format!(
                "ECS UpdateService cluster={cluster} service={service} taskDefinition=<previous revision>"
            ),
        }
    }

    fn target(&self) -> &str {
        match self {
            EcsMutation::ScaleService { service, .. }
            | EcsMutation::ForceNewDeployment { service, .. }
            | EcsMutation::RollbackService { service, .. } => service,
        }
    }

    fn risk(&self) -> Risk {
        match self {
            // Taking a service to zero tasks, or back to older code (like `rollout undo`).
            EcsMutation::ScaleService { desired: 0, .. } | EcsMutation::RollbackService { .. } => {
                Risk::Destructive
            }
            _ => Risk::Write,
        }
    }

    fn with_value(&self, v: &str, _choices: &[String]) -> Result<(String, Self), String> {
        let v = v.trim();
        match self {
            EcsMutation::ScaleService {
                cluster, service, ..
            } => match v.parse::<i64>().ok().filter(|n| (0..=1000).contains(n)) {
                Some(n) => Ok((
                    format!("Scale {cluster}/{service} to {n}"),
                    EcsMutation::ScaleService {
                        cluster: cluster.clone(),
                        service: service.clone(),
                        desired: n,
                    },
                )),
                None => Err(format!("`{v}` is not a task count from 0 to 1000")),
            },
            _ => Err("this action takes no value".into()),
        }
    }
}

/// The rollout word of an ECS status (`IN_PROGRESS · 2 deployments (…)` → `IN_PROGRESS`).
fn rollout(status: &str) -> &str {
    status
        .split([' ', '·', '('])
        .find(|w| !w.is_empty())
        .unwrap_or("")
}

impl Rules for Ecs {
    type Detail = EcsDetail;
    type Mutation = EcsMutation;
    const RATED: bool = false;

    fn counts(r: &Resource, _d: &EcsDetail) -> String {
        let n = r.counts.unwrap_or_default();
        let mut c = format!("{}/{}", n.running, n.desired);
        if n.pending > 0 {
            c.push_str(&format!(" +{}", n.pending));
        }
        c
    }

    fn detail_line(_r: &Resource, d: &EcsDetail) -> String {
        d.last_event
            .clone()
            .unwrap_or_else(|| "no recent events".into())
    }

    fn version(d: &EcsDetail) -> Option<&str> {
        d.task_definition.as_deref()
    }

    fn cluster(d: &EcsDetail) -> Option<&str> {
        Some(&d.cluster)
    }

    fn builtins(r: &Resource, d: &EcsDetail, _now_ms: i64) -> Vec<Builtin> {
        let (cluster, service) = (d.cluster.clone(), r.name.clone());
        let m = |m: EcsMutation| Mutation::Ecs(m);
        let revision = d.task_definition.clone().unwrap_or_else(|| "?".into());
        vec![
            Builtin::confirm(
                format!("ECS › Force new deployment of {cluster}/{service}"),
                format!("Force new deployment of {cluster}/{service}"),
                m(EcsMutation::ForceNewDeployment {
                    cluster: cluster.clone(),
                    service: service.clone(),
                }),
            ),
            Builtin::ask(
                format!(
                    "ECS › Scale {cluster}/{service} (now {})",
                    r.counts.map_or(0, |n| n.desired)
                ),
                format!("Scale {cluster}/{service}"),
                "desired count",
                r.counts.map_or(0, |n| n.desired).to_string(),
                m(EcsMutation::ScaleService {
                    cluster: cluster.clone(),
                    service: service.clone(),
                    desired: r.counts.map_or(0, |n| n.desired),
                }),
            ),
            Builtin::confirm(
                format!(
                    "ECS › Roll back {cluster}/{service} to the previous task definition (now {revision})"
                ),
                format!("Roll back {cluster}/{service} from {revision} to the previous revision"),
                m(EcsMutation::RollbackService { cluster, service }),
            ),
        ]
    }

    fn events(o: &Resource, da: &EcsDetail, n: &Resource, db: &EcsDetail) -> Vec<SysEvent> {
        let name = n.display_name();
        let mut out = Vec::new();
        // Tasks stopping (health checks failing, OOM, a crash) are what an incident's
        // timeline needs most: ECS says so in its latest service event.
        if let Some(ev) = &db.last_event
            && da.last_event.as_ref() != Some(ev)
            && ev.contains("has stopped")
        {
            out.push(SysEvent::new(
                &name,
                "running".into(),
                "tasks stopped".into(),
                format!("ECS {name}: {}", crate::text::truncate(ev, 160)),
            ));
        }
        let (a, b) = (rollout(&o.status), rollout(&n.status));
        if a != b && !b.is_empty() {
            let what = match b {
                "IN_PROGRESS" => "deployment started",
                "COMPLETED" => "deployment completed",
                "FAILED" => "deployment failed",
                _ => "rollout state changed",
            };
            out.push(SysEvent::new(
                &name,
                a.to_string(),
                b.to_string(),
                format!("ECS {name}: {what} ({a} → {b})"),
            ));
        }
        if let (Some(oc), Some(nc)) = (o.counts, n.counts) {
            if oc.desired != nc.desired {
                out.push(SysEvent::new(
                    &name,
                    format!("desired {}", oc.desired),
                    format!("desired {}", nc.desired),
                    format!("ECS {name}: desired {} → {}", oc.desired, nc.desired),
                ));
            }
            let below = |c: Counts| c.running < c.desired;
            if below(oc) != below(nc) {
                let now = if below(nc) {
                    "below desired"
                } else {
                    "back at desired"
                };
                out.push(SysEvent::new(
                    &name,
                    format!("running {}/{}", oc.running, oc.desired),
                    format!("running {}/{}", nc.running, nc.desired),
                    format!("ECS {name}: running {}/{}, {now}", nc.running, nc.desired),
                ));
            }
        }
        out
    }

    fn snapshot(d: &EcsDetail, put: &mut dyn FnMut(&str, serde_json::Value)) {
        put("last_event", serde_json::json!(d.last_event));
    }
}

impl Resource {
    /// A row for service `name` of `cluster`, health unknown until described.
    pub fn ecs(cluster: impl Into<String>, name: impl Into<String>) -> Self {
        let (cluster, name) = (cluster.into(), name.into());
        Resource::new(
            format!("{cluster}/{name}"),
            name,
            Detail::Ecs(EcsDetail {
                cluster,
                ..EcsDetail::default()
            }),
        )
    }

    pub fn ecs_detail(&self) -> Option<&EcsDetail> {
        match &self.detail {
            Detail::Ecs(d) => Some(d),
            _ => None,
        }
    }

    pub fn ecs_detail_mut(&mut self) -> Option<&mut EcsDetail> {
        match &mut self.detail {
            Detail::Ecs(d) => Some(d),
            _ => None,
        }
    }
}
