//! The registry of resource kinds: one line per kind. One generic feed task per kind polls it
//! ([`super::feeds::kind_feed`]); the plan, the metrics feed, built-in actions and the
//! source's feed list go through [`KINDS`].

use super::kind::Kind;
use super::plan::Plan;
use crate::config::Watch;
use crate::model::ResourceKind;
use crate::runbook::targets::Targets;

/// Every kind with its own feed.
pub static KINDS: &[&dyn Kind] = &[
    &super::ecs::Ecs,
    &super::lambda::Lambda,
    &super::health::Http,
    &super::sqs::Sqs,
    &super::rds::Rds,
    &super::dynamodb::Dynamodb,
    &super::elb::Elb,
    &super::sfn::Sfn,
    &super::elasticache::Elasticache,
    &super::apigateway::Apigateway,
];

/// What the live cockpit watches: what every kind shares, then each kind's own part, each
/// with the same precedence (`[watch]`, else the runbooks, else discovery).
pub fn plan(watch: &Watch, targets: &[Targets]) -> Plan {
    let mut p = Plan::shared(watch, targets);
    for kind in KINDS {
        kind.plan(&mut p, watch, targets);
    }
    p
}

pub fn get(kind: ResourceKind) -> Option<&'static dyn Kind> {
    KINDS.iter().copied().find(|k| k.kind() == kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_registered_once() {
        // Registered kinds are unique.
        let mut seen: Vec<ResourceKind> = KINDS.iter().map(|k| k.kind()).collect();
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), KINDS.len());
        // Every kind of the model has its feed.
        assert_eq!(KINDS.len(), ResourceKind::ALL.len());
    }

    #[test]
    fn each_kind_watches_what_the_runbooks_name_without_placeholders() {
        let src = "# R\n## Check\n```bash\naws elasticache describe-replication-groups --replication-group-id sessions\naws elasticache describe-cache-clusters --cache-cluster-id <cluster>\naws cloudwatch get-metric-statistics --namespace AWS/ApiGateway --metric-name 5XXError --dimensions Name=ApiName,Value=orders-api Name=Stage,Value=prod --statistics Sum --period 60\naws stepfunctions describe-state-machine --state-machine-arn arn:aws:states:eu-west-1:1:stateMachine:settle\naws dynamodb describe-table --table-name carts\n```\n";
        let t = crate::runbook::targets::extract(&crate::runbook::parse::parse_full(src));
        let sel = |k: ResourceKind| get(k).unwrap().selected(&t);
        assert_eq!(sel(ResourceKind::Elasticache), ["sessions"]);
        assert_eq!(sel(ResourceKind::Apigateway), ["orders-api/prod"]);
        assert_eq!(
            sel(ResourceKind::Sfn),
            ["arn:aws:states:eu-west-1:1:stateMachine:settle"]
        );
        assert_eq!(sel(ResourceKind::Dynamodb), ["carts"]);
        assert!(sel(ResourceKind::Rds).is_empty());
    }
}
