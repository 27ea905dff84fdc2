//! HTTP health checks: the status code and latency of a URL.

use super::{Detail, NoMutation, Rules};
use crate::model::Resource;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct HttpDetail {
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_code: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<u64>,
}

/// An HTTP health endpoint.
pub struct Http;

impl Rules for Http {
    type Detail = HttpDetail;
    type Mutation = NoMutation;
    const RATED: bool = false;

    fn counts(_r: &Resource, d: &HttpDetail) -> String {
        d.status_code
            .map(|c| c.to_string())
            .unwrap_or_else(|| "—".into())
    }

    fn detail_line(_r: &Resource, d: &HttpDetail) -> String {
        d.url.clone()
    }

    fn snapshot(d: &HttpDetail, put: &mut dyn FnMut(&str, serde_json::Value)) {
        use serde_json::json;
        put("url", json!(d.url));
        put("status_code", json!(d.status_code));
        put("latency_ms", json!(d.latency_ms));
    }
}

impl Resource {
    /// A row for health check `name` of `url`, health unknown until checked.
    pub fn http(name: impl Into<String>, url: impl Into<String>) -> Self {
        let url = url.into();
        Resource::new(
            url.clone(),
            name,
            Detail::Http(HttpDetail {
                url,
                ..HttpDetail::default()
            }),
        )
    }

    pub fn http_detail(&self) -> Option<&HttpDetail> {
        match &self.detail {
            Detail::Http(d) => Some(d),
            _ => None,
        }
    }

    pub fn http_detail_mut(&mut self) -> Option<&mut HttpDetail> {
        match &mut self.detail {
            Detail::Http(d) => Some(d),
            _ => None,
        }
    }
}
