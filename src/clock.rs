//! The wall clock, read in one place: `update` never reads it (time arrives in messages);
//! sources, the event loop and snapshots do.

/// Milliseconds since the Unix epoch, UTC.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
