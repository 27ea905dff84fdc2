//! API Gateway stages, through CloudWatch only (no API Gateway SDK): ListMetrics in
//! AWS/ApiGateway finds the stages that serve traffic (REST APIs by `ApiName`, HTTP and
//! WebSocket APIs by `ApiId`), and the stage's row is rated by its own metrics (errors and
//! latency) when they arrive, in the application.

use super::errors::{AwsError, AwsResult};
use super::kind::{Described, Kind, above, metric};
use crate::config::Watch;
use crate::model::MetricDef;
use crate::model::{ApigatewayDetail, Detail, Resource, ResourceKind};
use crate::runbook::targets::Targets;
use futures::future::BoxFuture;

pub const NAMESPACE: &str = "AWS/ApiGateway";

/// Every stage with a `Count` metric: `(dimension, api, stage)`, stage-level series only
/// (not per resource and method).
pub async fn stages(c: &aws_sdk_cloudwatch::Client) -> AwsResult<Vec<ApigatewayDetail>> {
    let mut out: Vec<ApigatewayDetail> = Vec::new();
    let mut pages = c
        .list_metrics()
        .namespace(NAMESPACE)
        .metric_name("Count")
        .into_paginator()
        .send();
    while let Some(p) = pages.next().await {
        let p = p.map_err(AwsError::from)?;
        for m in p.metrics() {
            let dims: Vec<(&str, &str)> = m
                .dimensions()
                .iter()
                .filter_map(|d| Some((d.name()?, d.value()?)))
                .collect();
            if dims.len() != 2 {
                continue;
            }
            let stage = dims.iter().find(|(k, _)| *k == "Stage").map(|x| x.1);
            let api = dims.iter().find(|(k, _)| *k == "ApiName" || *k == "ApiId");
            if let (Some(stage), Some((dim, api))) = (stage, api) {
                let d = ApigatewayDetail {
                    dimension: dim.to_string(),
                    api: api.to_string(),
                    stage: stage.to_string(),
                };
                if !out.contains(&d) {
                    out.push(d);
                }
            }
        }
    }
    Ok(out)
}

/// A stage's row: health unknown until its metrics say (see the application's rating by
/// metrics).
pub fn row(d: ApigatewayDetail) -> Resource {
    let id = format!("{}/{}", d.api, d.stage);
    let mut r = Resource::new(
        id.clone(),
        id,
        Detail::Apigateway(ApigatewayDetail::default()),
    );
    r.status = format!(
        "{} API · stage {}",
        if d.dimension == "ApiId" {
            "HTTP"
        } else {
            "REST"
        },
        d.stage
    );
    r.detail = Detail::Apigateway(d);
    r
}

pub fn error_row(target: &str, error: &str) -> Resource {
    super::kind::failed_row(
        target,
        target,
        Detail::Apigateway(Default::default()),
        error,
    )
}

/// The metric dimensions of a stage's series.
pub fn dimensions(d: &ApigatewayDetail) -> [(&str, &str); 2] {
    [
        (d.dimension.as_str(), d.api.as_str()),
        ("Stage", d.stage.as_str()),
    ]
}

pub struct Apigateway;

impl Kind for Apigateway {
    fn kind(&self) -> ResourceKind {
        ResourceKind::Apigateway
    }

    fn configured(&self, w: &Watch) -> Vec<String> {
        w.api_stages.clone()
    }

    /// Stages named in the runbooks' metric dimensions (`ApiName=…` or `ApiId=…` with
    /// `Stage=…`).
    fn selected(&self, t: &Targets) -> Vec<String> {
        t.metrics
            .iter()
            .filter(|m| !m.template && m.namespace == NAMESPACE)
            .filter_map(|m| {
                let api = m.dimensions.get("ApiName").or(m.dimensions.get("ApiId"))?;
                Some(format!("{api}/{}", m.dimensions.get("Stage")?))
            })
            .collect()
    }

    fn discover<'a>(
        &'a self,
        c: &'a super::Clients,
    ) -> BoxFuture<'a, super::errors::AwsResult<Vec<String>>> {
        Box::pin(async move {
            Ok(stages(&c.cloudwatch)
                .await?
                .into_iter()
                .map(|d| format!("{}/{}", d.api, d.stage))
                .collect())
        })
    }

    fn describe<'a>(
        &'a self,
        cx: &'a super::kind::Cx<'a>,
        targets: &'a [String],
    ) -> BoxFuture<'a, Described> {
        let (c, now_ms, memo) = (cx.c, cx.now_ms, cx.memo);
        Box::pin(async move {
            if targets.is_empty() {
                return Vec::new();
            }
            // Which dimension names a stage changes only when an API is created: listed
            // every five minutes, not every refresh (the rows' health is their metrics').
            let listed = memo
                .or_ask("stages", super::kind::SLOW_MS, now_ms, async {
                    let s = stages(&c.cloudwatch).await?;
                    serde_json::to_string(&s).map_err(|e| AwsError::from(e.to_string()))
                })
                .await
                .and_then(|j| {
                    serde_json::from_str::<Vec<ApigatewayDetail>>(&j)
                        .map_err(|e| AwsError::from(e.to_string()))
                });
            let all = match listed {
                Ok(a) => a,
                Err(e) => return super::kind::all_failed(targets, &e),
            };
            targets
                .iter()
                .map(|t| {
                    let (api, stage) = t.split_once('/').unwrap_or((t, ""));
                    let r = all
                        .iter()
                        .find(|d| d.api == api && d.stage == stage)
                        .map(|d| vec![row(d.clone())])
                        .ok_or_else(|| AwsError::from(format!("{t}: no API Gateway metrics for this API and stage in the last two weeks")));
                    (t.clone(), r)
                })
                .collect()
        })
    }

    fn error_row(&self, target: &str, error: &str) -> Resource {
        error_row(target, error)
    }

    /// Per stage: 5XX (1 / 10 a period), 4XX (50 / 500), latency (1 / 3 s) and requests.
    /// HTTP APIs name them `5xx`, `4xx`.
    fn metrics(&self, rows: &[Resource]) -> Vec<MetricDef> {
        let mut out = Vec::new();
        for r in rows {
            let Detail::Apigateway(d) = &r.detail else {
                continue;
            };
            if d.api.is_empty() {
                continue;
            }
            let dims = dimensions(d);
            let http = d.dimension == "ApiId";
            let (e5, e4) = if http {
                ("5xx", "4xx")
            } else {
                ("5XXError", "4XXError")
            };
            out.push(metric(
                format!("{} 5XX", r.name),
                NAMESPACE,
                e5,
                &dims,
                "Sum",
                None,
                above(1.0, 10.0),
            ));
            out.push(metric(
                format!("{} 4XX", r.name),
                NAMESPACE,
                e4,
                &dims,
                "Sum",
                None,
                above(50.0, 500.0),
            ));
            out.push(metric(
                format!("{} latency", r.name),
                NAMESPACE,
                "Latency",
                &dims,
                "Average",
                Some("ms"),
                above(1000.0, 3000.0),
            ));
            out.push(metric(
                format!("{} requests", r.name),
                NAMESPACE,
                "Count",
                &dims,
                "Sum",
                None,
                Default::default(),
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rest_and_http_stages_name_their_metrics() {
        let rest = row(ApigatewayDetail {
            dimension: "ApiName".into(),
            api: "orders-api".into(),
            stage: "prod".into(),
        });
        assert_eq!(rest.name, "orders-api/prod");
        assert_eq!(rest.status, "REST API · stage prod");
        let http = row(ApigatewayDetail {
            dimension: "ApiId".into(),
            api: "a1b2c3d4e5".into(),
            stage: "$default".into(),
        });
        let m = Apigateway.metrics(&[rest, http]);
        assert_eq!(m.len(), 8);
        assert_eq!(m[0].key.metric, "5XXError");
        assert_eq!(m[0].key.dimensions["ApiName"], "orders-api");
        assert_eq!(m[4].key.metric, "5xx");
        assert_eq!(m[4].key.dimensions["ApiId"], "a1b2c3d4e5");
    }
}
