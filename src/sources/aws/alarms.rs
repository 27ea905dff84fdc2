//! CloudWatch alarms: DescribeAlarms (metric and composite), by name prefix or all.

use super::errors::describe;
use crate::model::Alarm;
use aws_sdk_cloudwatch::Client;
use aws_sdk_cloudwatch::types::AlarmType;

pub async fn fetch(
    c: &Client,
    prefixes: &[String],
    names: &[String],
) -> Result<Vec<Alarm>, String> {
    let mut out: Vec<Alarm> = Vec::new();
    let mut requests: Vec<(Option<String>, Vec<String>)> = Vec::new();
    if prefixes.is_empty() && names.is_empty() {
        requests.push((None, Vec::new()));
    }
    for p in prefixes {
        requests.push((Some(p.clone()), Vec::new()));
    }
    // DescribeAlarms takes up to 100 names per call.
    for chunk in names.chunks(100) {
        requests.push((None, chunk.to_vec()));
    }
    for (prefix, names) in requests {
        let mut pages = c
            .describe_alarms()
            .set_alarm_name_prefix(prefix)
            .set_alarm_names(if names.is_empty() { None } else { Some(names) })
            .alarm_types(AlarmType::MetricAlarm)
            .alarm_types(AlarmType::CompositeAlarm)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| describe(&e))?;
            // Metric and composite alarms are different SDK types with the same accessors.
            macro_rules! alarm {
                ($a:expr) => {
                    Alarm {
                        context: None,
                        name: $a.alarm_name().unwrap_or("?").to_string(),
                        state: $a
                            .state_value()
                            .map(|s| s.as_str().to_string())
                            .unwrap_or_else(|| "INSUFFICIENT_DATA".into()),
                        reason: $a.state_reason().map(str::to_string),
                        updated_ms: $a
                            .state_updated_timestamp()
                            .and_then(|t| t.to_millis().ok()),
                    }
                };
            }
            out.extend(page.metric_alarms().iter().map(|a| alarm!(a)));
            out.extend(page.composite_alarms().iter().map(|a| alarm!(a)));
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out.dedup_by(|a, b| a.name == b.name);
    Ok(out)
}
