//! Load balancer target groups: healthy, unhealthy, draining targets and why.

use super::{Named, NoMutation, Rules};
use crate::model::{MetricKey, Resource};
use serde::{Deserialize, Serialize};

/// A load balancer target group and the health of its targets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ElbDetail {
    pub arn: String,
    /// The load balancers it serves (names).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub load_balancers: Vec<String>,
    pub healthy: i64,
    pub unhealthy: i64,
    pub draining: i64,
    /// Registering (initial), unused, unavailable…
    pub other: i64,
    /// `target: reason (description)` of every target not healthy.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<String>,
}

/// A load balancer target group.
pub struct Elb;

impl Rules for Elb {
    type Detail = ElbDetail;
    type Mutation = NoMutation;
    const NAMED: Option<Named> = Some(Named {
        flags: &[
            ("elbv2", "--target-group-arn"),
            ("elbv2", "--target-group-arns"),
        ],
        key: "target_groups",
        title: "Target groups",
    });

    fn detail_line(_r: &Resource, d: &ElbDetail) -> String {
        if d.reasons.is_empty() {
            d.arn.clone()
        } else {
            d.reasons.join(" · ")
        }
    }

    fn owns_metric(_r: &Resource, d: &ElbDetail, key: &MetricKey) -> bool {
        (key.namespace == "AWS/ApplicationELB" || key.namespace == "AWS/NetworkELB")
            && key
                .dimensions
                .get("TargetGroup")
                .is_some_and(|tg| d.arn.ends_with(tg.as_str()))
    }
}
