//! Realistic log lines for the demo fleet: JSON from the API service, plain text from
//! checkout, and the START/END/REPORT shape of a Lambda function. What they say follows the
//! incident's severity.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

pub const API: &str = "/ecs/prod/api";
pub const CHECKOUT: &str = "/ecs/prod/checkout";
pub const ORDERS: &str = "/aws/lambda/orders-processor";
pub const GROUPS: [&str; 3] = [API, CHECKOUT, ORDERS];

/// Lines per second for a group at a severity in 0..=1.
pub fn rate(group: &str, sev: f64) -> f64 {
    match group {
        API => 9.0 + 140.0 * sev,
        CHECKOUT => 4.0 + 35.0 * sev,
        _ => 3.0 + 18.0 * sev,
    }
}

fn iso(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|d| d.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
        .unwrap_or_default()
}

fn hex(rng: &mut ChaCha8Rng, n: usize) -> String {
    (0..n)
        .map(|_| char::from_digit(rng.random_range(0..16), 16).unwrap_or('0'))
        .collect()
}

fn request_id(rng: &mut ChaCha8Rng) -> String {
    format!(
        "{}-{}-{}-{}-{}",
        hex(rng, 8),
        hex(rng, 4),
        hex(rng, 4),
        hex(rng, 4),
        hex(rng, 12)
    )
}

const PATHS: [&str; 5] = [
    "/v1/orders",
    "/v1/orders/{id}",
    "/v1/cart",
    "/v1/users/me",
    "/v1/inventory",
];

pub fn api_line(rng: &mut ChaCha8Rng, ms: i64, sev: f64) -> String {
    let trace = hex(rng, 16);
    let path = PATHS[rng.random_range(0..PATHS.len())];
    let roll: f64 = rng.random();
    if roll < sev * 0.45 {
        let waiting = 20 + (sev * 60.0) as i64 + rng.random_range(0..15);
        return format!(
            r#"{{"level":"error","ts":"{}","msg":"db connection refused (pool exhausted)","pool_size":20,"waiting":{waiting},"path":"{path}","trace_id":"{trace}"}}"#,
            iso(ms)
        );
    }
    if roll < sev * 0.65 {
        let d = 1500 + rng.random_range(0..2500);
        return format!(
            r#"{{"level":"warn","ts":"{}","msg":"slow query","duration_ms":{d},"query":"SELECT * FROM orders WHERE customer_id = $1","trace_id":"{trace}"}}"#,
            iso(ms)
        );
    }
    if roll < sev * 0.85 {
        return format!(
            r#"{{"level":"error","ts":"{}","msg":"request failed","method":"GET","path":"{path}","status":503,"latency_ms":{},"trace_id":"{trace}"}}"#,
            iso(ms),
            2000 + rng.random_range(0..3000)
        );
    }
    if roll > 0.995 {
        return format!(
            r#"{{"level":"debug","ts":"{}","msg":"cache refresh","keys":{},"trace_id":"{trace}"}}"#,
            iso(ms),
            rng.random_range(100..900)
        );
    }
    let method = if rng.random_bool(0.8) { "GET" } else { "POST" };
    let status = if method == "POST" { 201 } else { 200 };
    let latency = (15.0 + rng.random_range(0.0..40.0) + sev * 900.0) as i64;
    format!(
        r#"{{"level":"info","ts":"{}","msg":"request completed","method":"{method}","path":"{path}","status":{status},"latency_ms":{latency},"trace_id":"{trace}"}}"#,
        iso(ms)
    )
}

pub fn checkout_line(rng: &mut ChaCha8Rng, ms: i64, sev: f64) -> String {
    let ts = iso(ms);
    let order = format!("ord_{}", hex(rng, 10));
    let roll: f64 = rng.random();
    if roll < sev * 0.4 {
        return format!(
            "{ts} ERROR [checkout] upstream api returned 503 after 3 retries (order={order})"
        );
    }
    if roll < sev * 0.6 {
        return format!(
            "{ts} WARN  [checkout] circuit breaker half-open for upstream api ({} failures in 30s)",
            5 + rng.random_range(0..40)
        );
    }
    if roll > 0.997 {
        // Debug output that carries a credential: the cockpit must show it redacted.
        return format!(
            "{ts} DEBUG [checkout] retrying payment capture with Authorization: Bearer sk_demo_{}",
            hex(rng, 24)
        );
    }
    let (m, p, code) = match rng.random_range(0..4) {
        0 => ("POST", "/cart/items", 201),
        1 => ("GET", "/cart", 200),
        2 => ("POST", "/checkout/confirm", 200),
        _ => ("GET", "/checkout/shipping-options", 200),
    };
    let latency = (30.0 + rng.random_range(0.0..60.0) + sev * 1500.0) as i64;
    format!("{ts} INFO  [checkout] {m} {p} {code} {latency}ms order={order}")
}

/// A Lambda invocation is several lines; they are returned together.
pub fn orders_lines(rng: &mut ChaCha8Rng, ms: i64, sev: f64) -> Vec<String> {
    let id = request_id(rng);
    let mut out = vec![format!("START RequestId: {id} Version: 12")];
    let roll: f64 = rng.random();
    let duration = if roll < sev * 0.35 {
        out.push(format!(
            "{} {id} Task timed out after 6.00 seconds",
            iso(ms)
        ));
        6000.0
    } else if roll < sev * 0.6 {
        out.push(format!(
            "[ERROR] {} {id} OperationalError: could not connect to server: Connection refused (host=prod-db.internal port=5432)",
            iso(ms)
        ));
        120.0 + rng.random_range(0.0..80.0)
    } else {
        out.push(format!(
            "[INFO]  {} {id} processed order batch size={}",
            iso(ms),
            rng.random_range(1..25)
        ));
        80.0 + rng.random_range(0.0..220.0) + sev * 2000.0
    };
    out.push(format!("END RequestId: {id}"));
    out.push(format!(
        "REPORT RequestId: {id}\tDuration: {duration:.2} ms\tBilled Duration: {} ms\tMemory Size: 512 MB\tMax Memory Used: {} MB",
        duration.ceil() as i64,
        140 + rng.random_range(0..60)
    ));
    out
}
