//! The one grammar for a length of time, wherever a person writes one: opsdeck.toml
//! (`[refresh]`, `[[watch.commands]] interval`), fence attributes (`{timeout=500ms}`,
//! `{watch=30s}`), flags (`run --timeout 5m`, `snapshot --after 2.5`), replay offsets
//! (`--at +1h5m`) and Insights ranges (`-30m stats …`).
//!
//! A duration is one or more `NUMBER UNIT` terms, spaces allowed between them: `500ms`, `30s`,
//! `2m`, `1.5h`, `1d`, `1h5m`, `1h 30m`. Units: `ms`; `s`/`sec`/`secs`; `m`/`min`/`mins`;
//! `h`/`hr`/`hour`/`hours`; `d`/`day`/`days`. **A bare number is seconds**, everywhere
//! (a key whose name carries another unit, like `logs_backfill_minutes`, says so).
//! Written by hand rather than with `humantime` because opsdeck's places need the two things it
//! refuses: a bare number and a decimal (`refresh.ecs = 0.5`).

use std::fmt;
use std::time::Duration;

/// Why a text is not a duration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DurationError {
    Empty,
    /// A unit with no number before it (`ms`, `5m h`).
    MissingNumber(String),
    UnknownUnit(String),
    Negative,
    TooLong,
}

impl fmt::Display for DurationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DurationError::Empty => write!(f, "no duration given"),
            DurationError::MissingNumber(u) => write!(f, "a number must come before `{u}`"),
            DurationError::UnknownUnit(u) => {
                write!(f, "`{u}` is not a unit (ms, s, m, h, d)")
            }
            DurationError::Negative => write!(f, "a duration cannot be negative"),
            DurationError::TooLong => write!(f, "longer than opsdeck can count"),
        }
    }
}

impl std::error::Error for DurationError {}

/// How to write one, for error messages.
pub const HINT: &str = "500ms, 30s, 5m, 1h30m or a bare number of seconds";

fn unit_ms(unit: &str) -> Option<f64> {
    Some(match unit {
        "ms" => 1.0,
        "" | "s" | "sec" | "secs" => 1_000.0,
        "m" | "min" | "mins" => 60_000.0,
        "h" | "hr" | "hour" | "hours" => 3_600_000.0,
        "d" | "day" | "days" => 86_400_000.0,
        _ => return None,
    })
}

/// `text` in milliseconds (rounded to the nearest millisecond).
pub fn parse_ms(text: &str) -> Result<i64, DurationError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(DurationError::Empty);
    }
    if t.starts_with('-') {
        return Err(DurationError::Negative);
    }
    let mut total = 0f64;
    let mut rest = t;
    while !rest.is_empty() {
        let n_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (num, after) = rest.split_at(n_end);
        let after = after.trim_start();
        let u_end = after
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(after.len());
        let (unit, next) = after.split_at(u_end);
        if num.is_empty() {
            return Err(if unit.is_empty() {
                DurationError::UnknownUnit(after.chars().take(8).collect())
            } else {
                DurationError::MissingNumber(unit.to_string())
            });
        }
        let n: f64 = num
            .parse()
            .map_err(|_| DurationError::UnknownUnit(num.to_string()))?;
        let per = unit_ms(&unit.to_ascii_lowercase())
            .ok_or_else(|| DurationError::UnknownUnit(unit.to_string()))?;
        // A bare number is seconds only alone: `1h 30` is a typo, not 1h and 30 s.
        if unit.is_empty() && (total > 0.0 || !next.trim().is_empty() || rest.len() != t.len()) {
            return Err(DurationError::UnknownUnit(num.to_string()));
        }
        total += n * per;
        rest = next.trim_start();
    }
    if !total.is_finite() || total > i64::MAX as f64 / 2.0 {
        return Err(DurationError::TooLong);
    }
    Ok(total.round() as i64)
}

/// `text` as a [`Duration`].
pub fn parse(text: &str) -> Result<Duration, DurationError> {
    parse_ms(text).map(|ms| Duration::from_millis(ms as u64))
}

/// A TOML value as a duration in milliseconds: a number is seconds, a string is the grammar.
pub fn from_toml_ms(value: &toml::Value) -> Result<i64, String> {
    match value {
        toml::Value::Integer(n) if *n >= 0 => n
            .checked_mul(1000)
            .ok_or_else(|| DurationError::TooLong.to_string()),
        toml::Value::Float(x) if x.is_finite() && *x >= 0.0 => Ok((x * 1000.0).round() as i64),
        toml::Value::String(s) => parse_ms(s).map_err(|e| e.to_string()),
        other => Err(format!("`{other}` is not a duration: write {HINT}")),
    }
}

/// `500ms`, `30s`, `2m`, `1h`, `1h5m`: the shortest exact spelling, read back by [`parse_ms`].
pub fn human(ms: i64) -> String {
    if ms <= 0 {
        return "0s".to_string();
    }
    if ms % 1000 != 0 {
        return if ms < 1000 {
            format!("{ms}ms")
        } else {
            format!("{}s", ms as f64 / 1000.0)
        };
    }
    let mut s = ms / 1000;
    let mut out = String::new();
    for (unit, per) in [("d", 86_400), ("h", 3600), ("m", 60)] {
        if s >= per {
            out.push_str(&format!("{}{unit}", s / per));
            s %= per;
        }
    }
    if s > 0 || out.is_empty() {
        out.push_str(&format!("{s}s"));
    }
    out
}

/// A clap value parser: a duration from 1 ms up to `max`.
pub fn clap_within(max: Duration) -> impl Fn(&str) -> Result<Duration, String> + Clone {
    move |s: &str| {
        let d = parse(s).map_err(|e| format!("`{s}`: {e}; write {HINT}"))?;
        if d.is_zero() || d > max {
            return Err(format!(
                "`{s}` is out of range: give more than 0 and at most {}",
                human(max.as_millis() as i64)
            ));
        }
        Ok(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_grammar() {
        assert_eq!(parse_ms("500ms"), Ok(500));
        assert_eq!(parse_ms("30s"), Ok(30_000));
        assert_eq!(parse_ms("15"), Ok(15_000));
        assert_eq!(parse_ms("0.5"), Ok(500));
        assert_eq!(parse_ms("2m"), Ok(120_000));
        assert_eq!(parse_ms("1.5h"), Ok(5_400_000));
        assert_eq!(parse_ms("1h5m"), Ok(3_900_000));
        assert_eq!(parse_ms("1h 30m"), Ok(5_400_000));
        assert_eq!(parse_ms("2d"), Ok(172_800_000));
        assert_eq!(parse_ms(" 5 min "), Ok(300_000));
        assert_eq!(parse_ms("1m30s"), Ok(90_000));
    }

    #[test]
    fn refusals_say_why() {
        assert_eq!(parse_ms(""), Err(DurationError::Empty));
        assert_eq!(parse_ms("-5s"), Err(DurationError::Negative));
        assert_eq!(
            parse_ms("ms"),
            Err(DurationError::MissingNumber("ms".into()))
        );
        assert_eq!(parse_ms("5y"), Err(DurationError::UnknownUnit("y".into())));
        assert!(parse_ms("soon").is_err());
        assert!(parse_ms("1h 30").is_err());
        assert!(parse_ms("5s!").is_err());
        assert!(parse_ms("1.2.3s").is_err());
    }

    #[test]
    fn human_reads_back() {
        for ms in [
            500, 1000, 1500, 30_000, 90_000, 120_000, 3_600_000, 3_900_000, 90_061_000,
        ] {
            assert_eq!(parse_ms(&human(ms)), Ok(ms), "{}", human(ms));
        }
        assert_eq!(human(30_000), "30s");
        assert_eq!(human(3_900_000), "1h5m");
    }

    #[test]
    fn toml_numbers_are_seconds() {
        assert_eq!(from_toml_ms(&toml::Value::Integer(5)), Ok(5000));
        assert_eq!(from_toml_ms(&toml::Value::Float(0.5)), Ok(500));
        assert_eq!(from_toml_ms(&toml::Value::String("2m".into())), Ok(120_000));
        assert!(from_toml_ms(&toml::Value::Boolean(true)).is_err());
    }
}
