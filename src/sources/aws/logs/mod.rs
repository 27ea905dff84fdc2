//! CloudWatch Logs: the logs feed ([`feed`]) follows the watched or discovered groups,
//! streamed by Live Tail ([`livetail`]) where it can be and polled with FilterLogEvents
//! ([`poll`]) otherwise and for backfill; Logs Insights queries ([`insights`]) on demand.
//! What they share — how a group is named on screen, and the ARN forms — is here.

pub mod feed;
pub mod insights;
pub mod livetail;
pub mod poll;

pub(super) use feed::{followed_groups, logs_feed};
pub use insights::insights;

/// How a followed group is shown: its name, or for a linked account's group (an ARN) the
/// account and the name (`222222222222 /ecs/api`; a group name has no spaces).
pub fn label(group: &str) -> String {
    match group.strip_prefix("arn:") {
        Some(rest) => {
            let account = rest.split(':').nth(3).unwrap_or("");
            let name = group_of(group);
            format!("{account} {name}")
        }
        None => group.to_string(),
    }
}

/// `arn:aws:logs:REGION:ACCOUNT:log-group:` (StartLiveTail takes ARNs).
pub fn arn_prefix(region: &str, account: &str) -> String {
    format!("arn:aws:logs:{region}:{account}:log-group:")
}

/// The group's name in an identifier the session hands back (an ARN, maybe ending `:*`).
pub fn group_of(identifier: &str) -> String {
    let name = identifier
        .split_once(":log-group:")
        .map_or(identifier, |(_, n)| n);
    name.strip_suffix(":*").unwrap_or(name).to_string()
}
