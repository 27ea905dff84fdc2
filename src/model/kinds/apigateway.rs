//! API Gateway stages, seen through CloudWatch alone (no state of their own).

use super::{NoMutation, Rules};
use crate::model::{MetricKey, Resource};
use serde::{Deserialize, Serialize};

/// An API Gateway stage: REST (ApiName) or HTTP/WebSocket (ApiId) as CloudWatch names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ApigatewayDetail {
    /// The dimension naming the API: `ApiName` (REST) or `ApiId` (HTTP).
    pub dimension: String,
    pub api: String,
    pub stage: String,
}

/// An API Gateway stage.
pub struct Apigateway;

impl Rules for Apigateway {
    type Detail = ApigatewayDetail;
    type Mutation = NoMutation;
    const OK_BY_METRICS: bool = true;

    fn detail_line(_r: &Resource, d: &ApigatewayDetail) -> String {
        format!("{}={} Stage={}", d.dimension, d.api, d.stage)
    }

    fn owns_metric(_r: &Resource, d: &ApigatewayDetail, key: &MetricKey) -> bool {
        let dim = |k: &str| key.dimensions.get(k).map(String::as_str);
        key.namespace == "AWS/ApiGateway"
            && !d.api.is_empty()
            && dim(&d.dimension) == Some(&d.api)
            && dim("Stage") == Some(&d.stage)
    }
}
