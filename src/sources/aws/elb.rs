//! Load balancer target groups: one DescribeTargetGroups for every watched group together,
//! then DescribeTargetHealth per group, counted by state with the reasons of every target
//! that is not healthy.

use super::errors::{AwsError, AwsResult};
use super::kind::{Described, Kind, above, metric};
use crate::config::Watch;
use crate::model::MetricDef;
use crate::model::{Detail, ElbDetail, Health, Resource, ResourceKind};
use aws_sdk_elasticloadbalancingv2::Client;
use aws_sdk_elasticloadbalancingv2::types::TargetGroup;
use futures::future::BoxFuture;

/// `app/prod-alb/50dc6c495c0c9188` from a load balancer ARN (CloudWatch's LoadBalancer
/// dimension).
pub fn lb_dimension(arn: &str) -> Option<&str> {
    arn.split_once(":loadbalancer/").map(|(_, d)| d)
}

/// `targetgroup/api/73e2d6bc24d8a067` from a target group ARN (the TargetGroup dimension).
pub fn tg_dimension(arn: &str) -> Option<&str> {
    arn.rfind("targetgroup/").map(|i| &arn[i..])
}

pub async fn list(c: &Client) -> AwsResult<Vec<String>> {
    let mut out = Vec::new();
    let mut pages = c.describe_target_groups().into_paginator().send();
    while let Some(p) = pages.next().await {
        let p = p.map_err(AwsError::from)?;
        out.extend(
            p.target_groups()
                .iter()
                .filter_map(|g| g.target_group_arn())
                .map(str::to_string),
        );
    }
    Ok(out)
}

/// The groups named by ARN or by name: two calls at most (the API takes ARNs or names, not
/// both at once).
async fn groups(c: &Client, targets: &[String]) -> AwsResult<Vec<TargetGroup>> {
    let (arns, names): (Vec<String>, Vec<String>) =
        targets.iter().cloned().partition(|t| t.starts_with("arn:"));
    let mut out = Vec::new();
    for (by_arn, list) in [(true, arns), (false, names)] {
        if list.is_empty() {
            continue;
        }
        // Asked one by one when the batch fails: one missing group must not hide the others.
        let batch = if by_arn {
            c.describe_target_groups()
                .set_target_group_arns(Some(list.clone()))
                .send()
                .await
        } else {
            c.describe_target_groups()
                .set_names(Some(list.clone()))
                .send()
                .await
        };
        match batch {
            Ok(r) => out.extend(r.target_groups().iter().cloned()),
            Err(_) => {
                for t in &list {
                    let one = if by_arn {
                        c.describe_target_groups().target_group_arns(t).send().await
                    } else {
                        c.describe_target_groups().names(t).send().await
                    };
                    if let Ok(r) = one {
                        out.extend(r.target_groups().iter().cloned());
                    }
                }
            }
        }
    }
    Ok(out)
}

/// One group's row from its description and DescribeTargetHealth.
async fn fetch(c: &Client, g: &TargetGroup) -> AwsResult<Resource> {
    let arn = g.target_group_arn().unwrap_or_default().to_string();
    let name = g.target_group_name().unwrap_or("?").to_string();
    let h = c
        .describe_target_health()
        .target_group_arn(&arn)
        .send()
        .await
        .map_err(|e| AwsError::from(e).about(&name))?;
    let mut d = ElbDetail {
        arn: arn.clone(),
        load_balancers: g.load_balancer_arns().to_vec(),
        ..ElbDetail::default()
    };
    for t in h.target_health_descriptions() {
        let th = t.target_health();
        let state = th
            .and_then(|x| x.state())
            .map(|s| s.as_str())
            .unwrap_or("unknown");
        match state {
            "healthy" => d.healthy += 1,
            "unhealthy" => d.unhealthy += 1,
            "draining" => d.draining += 1,
            _ => d.other += 1,
        }
        if state != "healthy" {
            let id = t.target().and_then(|x| x.id()).unwrap_or("?");
            let port = t
                .target()
                .and_then(|x| x.port())
                .map(|p| format!(":{p}"))
                .unwrap_or_default();
            let reason = th
                .and_then(|x| x.reason())
                .map(|r| r.as_str().to_string())
                .unwrap_or_else(|| state.to_string());
            let desc = th
                .and_then(|x| x.description())
                .map(|d| format!(" ({d})"))
                .unwrap_or_default();
            d.reasons.push(format!("{id}{port}: {reason}{desc}"));
        }
    }
    Ok(row(&name, d))
}

/// Health: critical when no target is healthy (none registered included: nothing serves),
/// warn while any target is unhealthy, fine otherwise.
pub fn row(name: &str, d: ElbDetail) -> Resource {
    let mut r = Resource::new(d.arn.clone(), name, Detail::Elb(ElbDetail::default()));
    let total = d.healthy + d.unhealthy + d.draining + d.other;
    r.health = if d.healthy == 0 {
        Health::Crit
    } else if d.unhealthy > 0 {
        Health::Warn
    } else {
        Health::Ok
    };
    let mut status = format!("{}/{total} healthy", d.healthy);
    for (n, what) in [
        (d.unhealthy, "unhealthy"),
        (d.draining, "draining"),
        (d.other, "other"),
    ] {
        if n > 0 {
            status.push_str(&format!(" · {n} {what}"));
        }
    }
    if let Some(first) = d.reasons.first() {
        status.push_str(&format!(" · {first}"));
    }
    let lbs: Vec<&str> = d
        .load_balancers
        .iter()
        .filter_map(|a| lb_dimension(a))
        .filter_map(|x| x.split('/').nth(1))
        .collect();
    if !lbs.is_empty() {
        status.push_str(&format!(" · lb {}", lbs.join(", ")));
    }
    r.status = status;
    r.detail = Detail::Elb(d);
    r
}

pub fn error_row(target: &str, error: &str) -> Resource {
    let name = tg_dimension(target)
        .and_then(|d| d.split('/').nth(1))
        .unwrap_or(target);
    let d = ElbDetail {
        arn: target.into(),
        ..ElbDetail::default()
    };
    super::kind::failed_row(target, name, Detail::Elb(d), error)
}

pub struct Elb;

impl Kind for Elb {
    fn kind(&self) -> ResourceKind {
        ResourceKind::Elb
    }

    fn configured(&self, w: &Watch) -> Vec<String> {
        w.target_groups.clone()
    }

    fn discover<'a>(
        &'a self,
        c: &'a super::Clients,
    ) -> BoxFuture<'a, super::errors::AwsResult<Vec<String>>> {
        Box::pin(list(&c.elb))
    }

    fn describe<'a>(
        &'a self,
        cx: &'a super::kind::Cx<'a>,
        targets: &'a [String],
    ) -> BoxFuture<'a, Described> {
        let c = cx.c;
        Box::pin(async move {
            if targets.is_empty() {
                return Vec::new();
            }
            let found = match groups(&c.elb, targets).await {
                Ok(g) => g,
                Err(e) => {
                    return super::kind::all_failed(targets, &e);
                }
            };
            let mut out = Vec::new();
            for t in targets {
                let g = found.iter().find(|g| {
                    g.target_group_arn() == Some(t.as_str())
                        || g.target_group_name() == Some(t.as_str())
                });
                let r = match g {
                    Some(g) => fetch(&c.elb, g).await.map(|r| vec![r]),
                    None => Err(AwsError::from(format!("{t}: TargetGroupNotFound"))),
                };
                out.push((t.clone(), r));
            }
            out
        })
    }

    fn error_row(&self, target: &str, error: &str) -> Resource {
        error_row(target, error)
    }

    /// Per group and load balancer: target 5XX responses (5 / 50), target response time
    /// (0.5 / 2 s) and unhealthy hosts (warn from 1), for an ALB; unhealthy hosts for an NLB.
    fn metrics(&self, rows: &[Resource]) -> Vec<MetricDef> {
        let mut out = Vec::new();
        for r in rows {
            let Detail::Elb(d) = &r.detail else { continue };
            let Some(tg) = tg_dimension(&d.arn) else {
                continue;
            };
            for lb in d.load_balancers.iter().filter_map(|a| lb_dimension(a)) {
                let dims: &[(&str, &str)] = &[("LoadBalancer", lb), ("TargetGroup", tg)];
                let unhealthy = crate::model::Thresholds {
                    warn: Some(1.0),
                    ..Default::default()
                };
                if lb.starts_with("net/") {
                    out.push(metric(
                        format!("{} unhealthy", r.name),
                        "AWS/NetworkELB",
                        "UnHealthyHostCount",
                        dims,
                        "Maximum",
                        None,
                        unhealthy,
                    ));
                    continue;
                }
                let ns = "AWS/ApplicationELB";
                out.push(metric(
                    format!("{} 5XX", r.name),
                    ns,
                    "HTTPCode_Target_5XX_Count",
                    dims,
                    "Sum",
                    None,
                    above(5.0, 50.0),
                ));
                out.push(metric(
                    format!("{} response time", r.name),
                    ns,
                    "TargetResponseTime",
                    dims,
                    "Average",
                    Some("s"),
                    above(0.5, 2.0),
                ));
                out.push(metric(
                    format!("{} unhealthy", r.name),
                    ns,
                    "UnHealthyHostCount",
                    dims,
                    "Maximum",
                    None,
                    unhealthy,
                ));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TG: &str =
        "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/api/73e2d6bc24d8a067";
    const LB: &str = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/prod-alb/50dc6c495c0c9188";

    #[test]
    fn no_healthy_target_is_critical_and_reasons_show() {
        let d = ElbDetail {
            arn: TG.into(),
            load_balancers: vec![LB.into()],
            healthy: 2,
            unhealthy: 1,
            reasons: vec!["i-2:80: Target.FailedHealthChecks (Health checks failed)".into()],
            ..ElbDetail::default()
        };
        let r = row("api", d.clone());
        assert_eq!(r.health, Health::Warn);
        assert_eq!(
            r.status,
            "2/3 healthy · 1 unhealthy · i-2:80: Target.FailedHealthChecks (Health checks failed) · lb prod-alb"
        );
        let none = ElbDetail {
            healthy: 0,
            unhealthy: 3,
            ..d.clone()
        };
        assert_eq!(row("api", none).health, Health::Crit);
        let empty = ElbDetail {
            healthy: 0,
            unhealthy: 0,
            reasons: vec![],
            ..d.clone()
        };
        assert_eq!(
            row("api", empty).health,
            Health::Crit,
            "nothing registered serves nothing"
        );
        let ok = ElbDetail {
            unhealthy: 0,
            reasons: vec![],
            ..d.clone()
        };
        assert_eq!(row("api", ok).health, Health::Ok);
        let m = Elb.metrics(&[row("api", d)]);
        assert_eq!(m.len(), 3);
        assert_eq!(
            m[0].key.dimensions["LoadBalancer"],
            "app/prod-alb/50dc6c495c0c9188"
        );
        assert_eq!(
            m[0].key.dimensions["TargetGroup"],
            "targetgroup/api/73e2d6bc24d8a067"
        );
        assert_eq!(error_row(TG, "gone").name, "api");
    }
}
