//! ECS: ListClusters / ListServices (paginated, for discovery) and DescribeServices in
//! batches of 10, mapped to service rows with rollout state, task counts and the latest event.

use super::Clients;
use super::errors::{AwsError, AwsResult};
use super::kind::{Cx, Described, Kind, Listing, LogNames, above, metric};
use super::plan::Plan;
use crate::config::Refresh;
use crate::config::Watch;
use crate::model::{Counts, Health, MetricDef, Resource, ResourceKind};
use crate::runbook::targets::Targets;
use aws_sdk_ecs::Client;
use futures::future::BoxFuture;
use std::collections::BTreeMap;

/// DescribeServices accepts up to 10 services per call.
pub const DESCRIBE_BATCH: usize = 10;

fn short(arn: &str) -> String {
    arn.rsplit('/').next().unwrap_or(arn).to_string()
}

/// All cluster names (paginated).
pub async fn list_clusters(c: &Client) -> AwsResult<Vec<String>> {
    let mut out = Vec::new();
    // 100 a page, the API's most (its default is 10).
    let mut pages = c.list_clusters().max_results(100).into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(AwsError::from)?;
        out.extend(page.cluster_arns().iter().map(|a| short(a)));
    }
    Ok(out)
}

/// All service names of a cluster (paginated).
pub async fn list_services(c: &Client, cluster: &str) -> AwsResult<Vec<String>> {
    let mut out = Vec::new();
    let mut pages = c
        .list_services()
        .cluster(cluster)
        .max_results(100)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(AwsError::from)?;
        out.extend(page.service_arns().iter().map(|a| short(a)));
    }
    Ok(out)
}

/// Rows for `services` of `cluster`, one DescribeServices call per 10.
pub async fn describe_services(
    c: &Client,
    cluster: &str,
    services: &[String],
    now_ms: i64,
) -> AwsResult<Vec<Resource>> {
    let mut out = Vec::new();
    for batch in services.chunks(DESCRIBE_BATCH) {
        let resp = c
            .describe_services()
            .cluster(cluster)
            .set_services(Some(batch.to_vec()))
            .send()
            .await
            .map_err(AwsError::from)?;
        out.extend(resp.services().iter().map(|s| row(cluster, s, now_ms)));
        for f in resp.failures() {
            let mut r = Resource::ecs(cluster, short(f.arn().unwrap_or("?")));
            r.status = f.reason().unwrap_or("not found").to_string();
            r.health = Health::Unknown;
            out.push(r);
        }
    }
    Ok(out)
}

/// A service that could not be described: its name and why, health unknown.
pub fn error_row(cluster: &str, service: &str, error: &str) -> Resource {
    let mut r = Resource::ecs(cluster, service);
    r.status = error.to_string();
    r.health = Health::Unknown;
    r
}

fn age(now_ms: i64, t_ms: i64) -> String {
    let s = ((now_ms - t_ms) / 1000).max(0);
    match s {
        0..=59 => format!("{s}s ago"),
        60..=3599 => format!("{}m ago", s / 60),
        3600..=86_399 => format!("{}h ago", s / 3600),
        _ => format!("{}d ago", s / 86_400),
    }
}

/// One service row. Health: no tasks, or at most half of them outside a rollout, or a failed
/// rollout is critical; a rollout in progress or missing tasks is a warning.
pub fn row(cluster: &str, s: &aws_sdk_ecs::types::Service, now_ms: i64) -> Resource {
    let mut r = Resource::ecs(cluster, s.service_name().unwrap_or("?"));
    let (desired, running, pending) = (
        s.desired_count() as i64,
        s.running_count() as i64,
        s.pending_count() as i64,
    );
    r.counts = Some(Counts {
        desired,
        running,
        pending,
    });
    let deployments = s.deployments();
    let primary = deployments
        .iter()
        .find(|d| d.status() == Some("PRIMARY"))
        .or(deployments.first());
    let rollout = primary
        .and_then(|d| d.rollout_state())
        .map(|r| r.as_str().to_string());
    let status = s.status().unwrap_or("");
    r.status = match (&rollout, deployments.len()) {
        _ if status != "ACTIVE" && !status.is_empty() => status.to_string(),
        (Some(state), 1) => state.clone(),
        (Some(state), n) => format!("{state} · {n} deployments"),
        (None, n) if n > 1 => format!("{n} deployments"),
        _ => status.to_string(),
    };
    if deployments.len() > 1 {
        let parts: Vec<String> = deployments
            .iter()
            .map(|d| {
                format!(
                    "{} {}/{}",
                    d.task_definition().map(short).unwrap_or_default(),
                    d.running_count(),
                    d.desired_count()
                )
            })
            .collect();
        r.status = format!("{} ({})", r.status, parts.join(", "));
    }
    let last_event = s
        .events()
        .iter()
        .max_by_key(|e| e.created_at().map(|t| t.to_millis().unwrap_or(0)))
        .map(|e| {
            let when = e
                .created_at()
                .and_then(|t| t.to_millis().ok())
                .map(|t| format!("{} · ", age(now_ms, t)))
                .unwrap_or_default();
            format!("{when}{}", e.message().unwrap_or(""))
        });
    if let Some(d) = r.ecs_detail_mut() {
        d.task_definition = s.task_definition().map(short);
        d.last_event = last_event;
    }
    let rolling = rollout.as_deref() == Some("IN_PROGRESS") || deployments.len() > 1;
    let failed = rollout.as_deref() == Some("FAILED");
    r.health = if status != "ACTIVE" && !status.is_empty() {
        Health::Unknown
    } else if desired == 0 {
        Health::Warn
    } else if failed || running == 0 || (!rolling && running * 2 <= desired) {
        Health::Crit
    } else if running < desired || rolling {
        Health::Warn
    } else {
        Health::Ok
    };
    r
}

/// This kind's built-in mutations through the SDK (the same ones the demo fleet applies).
pub(super) async fn apply(
    c: &super::Clients,
    m: &crate::sources::EcsMutation,
) -> AwsResult<String> {
    use crate::sources::EcsMutation;
    let ecs = &c.ecs;
    match m {
        EcsMutation::ScaleService {
            cluster,
            service,
            desired,
        } => {
            let r = ecs
                .update_service()
                .cluster(cluster)
                .service(service)
                .desired_count(*desired as i32)
                .send()
                .await
                .map_err(AwsError::from)?;
            let s = r.service();
            Ok(format!(
                "{cluster}/{service}: desired {} (running {})",
                s.map_or(*desired as i32, |s| s.desired_count()),
                s.map_or(0, |s| s.running_count())
            ))
        }
        EcsMutation::ForceNewDeployment { cluster, service } => {
            let r = ecs
                .update_service()
                .cluster(cluster)
                .service(service)
                .force_new_deployment(true)
                .send()
                .await
                .map_err(AwsError::from)?;
            let n = r.service().map_or(0, |s| s.deployments().len());
            Ok(format!(
                "{cluster}/{service}: new deployment started ({n} deployments)"
            ))
        }
        EcsMutation::RollbackService { cluster, service } => {
            let d = ecs
                .describe_services()
                .cluster(cluster)
                .services(service)
                .send()
                .await
                .map_err(AwsError::from)?;
            let current = d
                .services()
                .first()
                .and_then(|s| s.task_definition())
                .ok_or_else(|| format!("{cluster}/{service}: service not found"))?
                .to_string();
            let previous = previous_revision(&current)
                .ok_or_else(|| format!("{current}: no earlier revision to roll back to"))?;
            ecs.describe_task_definition()
                .task_definition(&previous)
                .send()
                .await
                .map_err(|e| AwsError::from(e).about(&previous))?;
            ecs.update_service()
                .cluster(cluster)
                .service(service)
                .task_definition(&previous)
                .send()
                .await
                .map_err(AwsError::from)?;
            Ok(format!(
                "{cluster}/{service}: rolled back {} → {previous}",
                current.rsplit('/').next().unwrap_or(&current)
            ))
        }
    }
}

/// `…:task-definition/api:7` → `…:task-definition/api:6`.
pub fn previous_revision(task_def: &str) -> Option<String> {
    let (family, rev) = task_def.rsplit_once(':')?;
    let rev: u64 = rev.parse().ok()?;
    (rev > 1).then(|| format!("{family}:{}", rev - 1))
}

/// What the ECS feed watches, as `cluster/service` targets: the plan's services in their
/// clusters, every service of the clusters it names, a service named without its cluster
/// looked for in every cluster, or (nothing named) every service of every cluster, page by
/// page.
pub async fn targets(c: &Client, plan: &Plan) -> AwsResult<Vec<String>> {
    let mut by_cluster: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let clusters: Vec<String> =
        if plan.discover_ecs || plan.services.iter().any(|(c, _)| c.is_none()) {
            list_clusters(c).await?
        } else {
            plan.clusters.clone()
        };
    let list_all: &[String] = if plan.discover_ecs {
        &clusters
    } else {
        &plan.clusters
    };
    // What each cluster holds, each cluster listed once.
    let mut listed: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for cl in list_all {
        let ss = list_services(c, cl).await?;
        by_cluster
            .entry(cl.clone())
            .or_default()
            .extend(ss.iter().cloned());
        listed.insert(cl.clone(), ss);
    }
    for (cl, s) in &plan.services {
        match cl {
            Some(cl) => by_cluster.entry(cl.clone()).or_default().push(s.clone()),
            None => {
                for cand in &clusters {
                    if !listed.contains_key(cand) {
                        listed.insert(cand.clone(), list_services(c, cand).await?);
                    }
                    if listed.get(cand).is_some_and(|l| l.contains(s)) {
                        by_cluster.entry(cand.clone()).or_default().push(s.clone());
                    }
                }
            }
        }
    }
    let mut out = Vec::new();
    for (cl, mut ss) in by_cluster {
        ss.sort();
        ss.dedup();
        out.extend(ss.into_iter().map(|s| format!("{cl}/{s}")));
    }
    Ok(out)
}

/// A `cluster/service` target's two halves.
fn split_target(t: &str) -> (&str, &str) {
    t.split_once('/').unwrap_or(("", t))
}

/// ECS services: DescribeServices takes ten services of one cluster per call; four calls in
/// flight.
pub struct Ecs;

impl Kind for Ecs {
    fn kind(&self) -> ResourceKind {
        ResourceKind::Ecs
    }

    fn configured(&self, w: &Watch) -> Vec<String> {
        w.services.iter().map(|(c, s)| format!("{c}/{s}")).collect()
    }

    /// Whole clusters from the config, else named services (config, else runbooks; a
    /// runbook may name a service without its cluster), else discovery.
    fn plan(&self, p: &mut Plan, watch: &Watch, targets: &[Targets]) {
        let configured: Vec<(Option<String>, String)> = watch
            .services
            .iter()
            .map(|(c, s)| (Some(c.clone()), s.clone()))
            .collect();
        if !watch.clusters.is_empty() {
            p.clusters = watch.clusters.clone();
            p.services = configured;
            p.origin.insert("ecs", "config");
            return;
        }
        let services = super::plan::choose(
            &mut p.origin,
            "ecs",
            &configured,
            || {
                targets
                    .iter()
                    .flat_map(|t| t.ecs_services.iter())
                    .filter(|s| {
                        !s.template && !s.cluster.as_deref().is_some_and(super::plan::templated)
                    })
                    .map(|s| (s.cluster.clone(), s.name.clone()))
                    .collect()
            },
            "discovery",
        );
        p.discover_ecs = services.is_none();
        p.services = services.unwrap_or_default();
    }

    fn planned(&self, p: &Plan) -> Option<Vec<String>> {
        let listing =
            p.discover_ecs || !p.clusters.is_empty() || p.services.iter().any(|(c, _)| c.is_none());
        (!listing).then(|| {
            let mut t: Vec<String> = p
                .services
                .iter()
                .map(|(c, s)| format!("{}/{s}", c.as_deref().unwrap_or_default()))
                .collect();
            t.sort();
            t.dedup();
            t
        })
    }

    fn discover<'a>(&'a self, c: &'a Clients) -> BoxFuture<'a, AwsResult<Vec<String>>> {
        Box::pin(async move {
            let plan = Plan {
                discover_ecs: true,
                ..Plan::default()
            };
            targets(&c.ecs, &plan).await
        })
    }

    fn list<'a>(&'a self, cx: &'a Cx<'a>) -> BoxFuture<'a, AwsResult<Listing>> {
        Box::pin(async move { targets(&cx.c.ecs, cx.plan).await.map(Listing::from) })
    }

    fn split(&self) -> Option<(usize, usize)> {
        Some((DESCRIBE_BATCH, 4))
    }

    fn refresh_ms(&self, r: &Refresh) -> i64 {
        r.ecs_ms
    }

    /// A service's groups hold its name (`/ecs/prod/api`, `api-logs`).
    fn log_names(&self, rows: &[Resource]) -> LogNames {
        LogNames {
            containing: rows.iter().map(|r| r.name.clone()).collect(),
            ..LogNames::default()
        }
    }

    fn linked_metric(&self) -> Option<(&'static str, &'static str)> {
        Some(("AWS/ECS", "CPUUtilization"))
    }

    fn of_dimensions(&self, dim: &dyn Fn(&str) -> Option<String>) -> Option<Resource> {
        Some(Resource::ecs(dim("ClusterName")?, dim("ServiceName")?))
    }

    fn group<'t>(&self, target: &'t str) -> &'t str {
        split_target(target).0
    }

    fn describe<'a>(&'a self, cx: &'a Cx<'a>, targets: &'a [String]) -> BoxFuture<'a, Described> {
        Box::pin(async move {
            let mut by_cluster: BTreeMap<&str, Vec<String>> = BTreeMap::new();
            for t in targets {
                let (cl, s) = split_target(t);
                by_cluster.entry(cl).or_default().push(s.to_string());
            }
            let mut out: Described = Vec::new();
            for (cl, services) in by_cluster {
                match describe_services(&cx.c.ecs, cl, &services, cx.now_ms).await {
                    Ok(rows) => {
                        for s in services {
                            let id = format!("{cl}/{s}");
                            let mine: Vec<Resource> =
                                rows.iter().filter(|r| r.id == id).cloned().collect();
                            let r = if mine.is_empty() {
                                Err(AwsError::from(format!("{s}: not in the answer")))
                            } else {
                                Ok(mine)
                            };
                            out.push((id, r));
                        }
                    }
                    Err(e) => out.extend(
                        services
                            .iter()
                            .map(|s| (format!("{cl}/{s}"), Err(e.clone()))),
                    ),
                }
            }
            out
        })
    }

    fn error_row(&self, target: &str, error: &str) -> Resource {
        let (cl, s) = split_target(target);
        error_row(cl, s, error)
    }

    /// Per service: CPU (70/90 %) and memory (80/95 %); a name that repeats across clusters
    /// (prod/api, staging/api) is qualified by its cluster.
    fn metrics(&self, rows: &[Resource]) -> Vec<MetricDef> {
        let mut out = Vec::new();
        for r in rows {
            let (cluster, service) = split_target(&r.id);
            let label = if rows.iter().filter(|x| x.name == r.name).count() > 1 {
                r.id.clone()
            } else {
                r.name.clone()
            };
            let dims = [("ClusterName", cluster), ("ServiceName", service)];
            out.push(metric(
                format!("{label} CPU"),
                "AWS/ECS",
                "CPUUtilization",
                &dims,
                "Average",
                Some("%"),
                above(70.0, 90.0),
            ));
            out.push(metric(
                format!("{label} memory"),
                "AWS/ECS",
                "MemoryUtilization",
                &dims,
                "Average",
                Some("%"),
                above(80.0, 95.0),
            ));
        }
        out
    }

    fn apply<'a>(
        &'a self,
        c: &'a Clients,
        m: &'a crate::sources::Mutation,
    ) -> Option<BoxFuture<'a, AwsResult<String>>> {
        match m {
            crate::sources::Mutation::Ecs(m) => Some(Box::pin(apply(c, m))),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ecs::primitives::DateTime;
    use aws_sdk_ecs::types::{Deployment, DeploymentRolloutState, Service as Svc, ServiceEvent};

    fn svc(desired: i32, running: i32, rollouts: &[(&str, DeploymentRolloutState)]) -> Svc {
        let mut b = Svc::builder()
            .service_name("api")
            .status("ACTIVE")
            .desired_count(desired)
            .running_count(running)
            .pending_count(desired - running)
            .task_definition("arn:aws:ecs:us-east-1:123:task-definition/api:7")
            .events(
                ServiceEvent::builder()
                    .message("old")
                    .created_at(DateTime::from_millis(1_000))
                    .build(),
            )
            .events(
                ServiceEvent::builder()
                    .message("(service api) has reached a steady state.")
                    .created_at(DateTime::from_millis(60_000))
                    .build(),
            );
        for (status, state) in rollouts {
            b = b.deployments(
                Deployment::builder()
                    .status(*status)
                    .rollout_state(state.clone())
                    .task_definition("arn:aws:ecs:us-east-1:123:task-definition/api:7")
                    .desired_count(desired)
                    .running_count(running)
                    .build(),
            );
        }
        b.build()
    }

    #[test]
    fn rows_carry_counts_rollout_and_latest_event() {
        let r = row(
            "prod",
            &svc(6, 6, &[("PRIMARY", DeploymentRolloutState::Completed)]),
            120_000,
        );
        assert_eq!(
            r.counts,
            Some(Counts {
                desired: 6,
                running: 6,
                pending: 0
            })
        );
        assert_eq!(r.id, "prod/api");
        assert_eq!(r.cluster(), Some("prod"));
        assert_eq!(r.status, "COMPLETED");
        assert_eq!(r.version(), Some("api:7"));
        assert_eq!(r.health, Health::Ok);
        assert_eq!(
            r.ecs_detail().and_then(|d| d.last_event.as_deref()),
            Some("1m ago · (service api) has reached a steady state.")
        );
        assert_eq!(
            row(
                "prod",
                &svc(6, 3, &[("PRIMARY", DeploymentRolloutState::Completed)]),
                0
            )
            .health,
            Health::Crit
        );
        assert_eq!(
            row(
                "prod",
                &svc(6, 5, &[("PRIMARY", DeploymentRolloutState::Completed)]),
                0
            )
            .health,
            Health::Warn
        );
        let rolling = row(
            "prod",
            &svc(
                6,
                3,
                &[
                    ("PRIMARY", DeploymentRolloutState::InProgress),
                    ("ACTIVE", DeploymentRolloutState::Completed),
                ],
            ),
            0,
        );
        assert_eq!(
            rolling.health,
            Health::Warn,
            "half the tasks during a rollout is expected"
        );
        assert!(
            rolling.status.starts_with("IN_PROGRESS · 2 deployments ("),
            "{}",
            rolling.status
        );
        assert_eq!(
            row(
                "prod",
                &svc(6, 6, &[("PRIMARY", DeploymentRolloutState::Failed)]),
                0
            )
            .health,
            Health::Crit
        );
        assert_eq!(row("prod", &svc(0, 0, &[]), 0).health, Health::Warn);
    }

    #[test]
    fn previous_revisions() {
        assert_eq!(
            previous_revision("arn:aws:ecs:us-east-1:123:task-definition/api:7").as_deref(),
            Some("arn:aws:ecs:us-east-1:123:task-definition/api:6")
        );
        assert_eq!(previous_revision("api:1"), None);
        assert_eq!(previous_revision("api"), None);
    }
}
