//! Units of thresholds as runbooks write them (`> 10s`, `500 ms`, `90%`, `2 GB`) and of the
//! CloudWatch metrics they are attached to: a threshold is converted to its metric's unit
//! (Lambda Duration is in milliseconds, so `10s` is 10000), never silently dropped.

/// A unit a threshold or a metric is expressed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Microseconds,
    Milliseconds,
    Seconds,
    Minutes,
    Percent,
    Bytes,
    Count,
}

impl Unit {
    pub fn name(self) -> &'static str {
        match self {
            Unit::Microseconds => "Microseconds",
            Unit::Milliseconds => "Milliseconds",
            Unit::Seconds => "Seconds",
            Unit::Minutes => "Minutes",
            Unit::Percent => "Percent",
            Unit::Bytes => "Bytes",
            Unit::Count => "Count",
        }
    }

    /// Seconds per unit for times, bytes per unit for sizes.
    fn scale(self) -> Option<(u8, f64)> {
        match self {
            Unit::Microseconds => Some((0, 1e-6)),
            Unit::Milliseconds => Some((0, 1e-3)),
            Unit::Seconds => Some((0, 1.0)),
            Unit::Minutes => Some((0, 60.0)),
            Unit::Bytes => Some((1, 1.0)),
            _ => None,
        }
    }
}

/// A number with an optional unit suffix: `10s`, `1.5 s`, `500ms`, `90%`, `2GB`, `512 MiB`,
/// `3 min`, `> 10s` (a leading comparison is skipped). The multiplier of a size unit is
/// applied, so `2GB` is (2e9, Bytes).
pub fn parse(text: &str) -> Option<(f64, Option<Unit>)> {
    let t = text.trim();
    let start = t.find(|c: char| c.is_ascii_digit())?;
    let rest = &t[start..];
    let end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ','))
        .unwrap_or(rest.len());
    let v: f64 = rest[..end].replace(',', "").parse().ok()?;
    let suffix: String = rest[end..]
        .trim_start()
        .chars()
        .take_while(|c| c.is_ascii_alphabetic() || *c == '%' || *c == 'µ')
        .collect::<String>()
        .to_ascii_lowercase();
    let (mult, unit) = match suffix.as_str() {
        "" => (1.0, None),
        "%" | "percent" | "pct" => (1.0, Some(Unit::Percent)),
        "ms" | "msec" | "millis" | "milliseconds" | "millisecond" => {
            (1.0, Some(Unit::Milliseconds))
        }
        "us" | "µs" | "microseconds" => (1.0, Some(Unit::Microseconds)),
        "s" | "sec" | "secs" | "second" | "seconds" => (1.0, Some(Unit::Seconds)),
        "m" | "min" | "mins" | "minute" | "minutes" => (1.0, Some(Unit::Minutes)),
        "b" | "bytes" => (1.0, Some(Unit::Bytes)),
        "kb" => (1e3, Some(Unit::Bytes)),
        "mb" => (1e6, Some(Unit::Bytes)),
        "gb" => (1e9, Some(Unit::Bytes)),
        "tb" => (1e12, Some(Unit::Bytes)),
        "kib" => (1024.0, Some(Unit::Bytes)),
        "mib" => (1024.0 * 1024.0, Some(Unit::Bytes)),
        "gib" => (1024.0 * 1024.0 * 1024.0, Some(Unit::Bytes)),
        "requests" | "errors" | "count" | "messages" | "connections" | "items" => {
            (1.0, Some(Unit::Count))
        }
        _ => (1.0, None),
    };
    Some((v * mult, unit))
}

/// The unit CloudWatch reports a metric in, for the metrics runbooks set thresholds on.
pub fn of_metric(namespace: &str, metric: &str) -> Option<Unit> {
    let ns = namespace.trim_start_matches("AWS/");
    Some(match (ns, metric) {
        (_, "CPUUtilization" | "MemoryUtilization" | "EngineCPUUtilization")
        | (_, "DatabaseMemoryUsagePercentage") => Unit::Percent,
        ("Lambda", "Duration" | "PostRuntimeExtensionsDuration")
        | ("ApiGateway", "Latency" | "IntegrationLatency")
        | ("DynamoDB", "SuccessfulRequestLatency")
        | ("States", "ExecutionTime") => Unit::Milliseconds,
        ("ApplicationELB", "TargetResponseTime")
        | ("ELB", "Latency")
        | ("RDS", "ReadLatency" | "WriteLatency" | "ReplicaLag")
        | ("SQS", "ApproximateAgeOfOldestMessage") => Unit::Seconds,
        ("RDS", "FreeStorageSpace" | "FreeableMemory") | ("ElastiCache", "FreeableMemory") => {
            Unit::Bytes
        }
        // Without a namespace (a threshold in prose), the names that say what they are.
        ("", "Duration") => Unit::Milliseconds,
        _ => return None,
    })
    .filter(|u| *u != Unit::Count)
}

/// `v` in `from` expressed in `to`; `None` when they measure different things.
pub fn convert(v: f64, from: Unit, to: Unit) -> Option<f64> {
    if from == to {
        return Some(v);
    }
    match (from.scale(), to.scale()) {
        (Some((a, fa)), Some((b, fb))) if a == b => Some(v * fa / fb),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_and_conversions() {
        assert_eq!(parse("> 10s"), Some((10.0, Some(Unit::Seconds))));
        assert_eq!(parse("500 ms"), Some((500.0, Some(Unit::Milliseconds))));
        assert_eq!(parse("90%"), Some((90.0, Some(Unit::Percent))));
        assert_eq!(parse("2GB"), Some((2e9, Some(Unit::Bytes))));
        assert_eq!(parse("1,000"), Some((1000.0, None)));
        assert_eq!(parse("n/a"), None);
        assert_eq!(
            convert(10.0, Unit::Seconds, Unit::Milliseconds),
            Some(10_000.0)
        );
        assert_eq!(convert(1.5, Unit::Minutes, Unit::Seconds), Some(90.0));
        assert_eq!(convert(1.0, Unit::Seconds, Unit::Percent), None);
        assert_eq!(
            of_metric("AWS/Lambda", "Duration"),
            Some(Unit::Milliseconds)
        );
        assert_eq!(
            of_metric("AWS/ApplicationELB", "TargetResponseTime"),
            Some(Unit::Seconds)
        );
        assert_eq!(of_metric("AWS/ECS", "CPUUtilization"), Some(Unit::Percent));
    }
}
