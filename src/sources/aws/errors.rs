//! One short line for an SDK failure, shown in the pane concerned: the kind of fault first
//! (throttled, credentials, network, timeout, service error) so an on-call engineer can tell
//! "AWS is slow" from "my SSO session expired" at a glance.

use aws_sdk_ecs::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

/// Longest error text kept (the pane title and status bar have little room).
const MAX: usize = 240;

/// What kind of failure an SDK call met: what an operator does about it differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    Throttled,
    /// Missing, expired or wrong credentials.
    Credentials,
    /// The credentials work but may not do this: an IAM permission is missing.
    Denied,
    /// No answer: DNS, connection, TLS, or a timeout.
    Network,
    /// AWS answered with a server error.
    Service,
    /// The endpoint does not offer the operation (HTTP 404, UnknownOperation): trying again
    /// cannot help.
    Unsupported,
    Other,
}

/// Classifies an SDK failure (the same rules `describe` words its prefix with).
pub fn fault<E>(e: &SdkError<E>) -> Fault
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    match e {
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) => Fault::Network,
        SdkError::ServiceError(s) => {
            let status = s.raw().status().as_u16();
            let code = s.err().code().unwrap_or("");
            if status == 404 || code.to_ascii_lowercase().contains("unknownoperation") {
                Fault::Unsupported
            } else {
                by_kind(kind(code, status))
            }
        }
        SdkError::ResponseError(r) if r.raw().status().as_u16() == 404 => Fault::Unsupported,
        SdkError::ResponseError(r) => by_kind(kind("", r.raw().status().as_u16())),
        _ => {
            let lower = DisplayErrorContext(e).to_string().to_lowercase();
            if lower.contains("credential") || lower.contains("token") || lower.contains("sso") {
                Fault::Credentials
            } else {
                Fault::Other
            }
        }
    }
}

fn by_kind(k: &str) -> Fault {
    match k {
        "throttled: " => Fault::Throttled,
        "credentials: " => Fault::Credentials,
        "access denied: " => Fault::Denied,
        "service error: " => Fault::Service,
        _ => Fault::Other,
    }
}

pub fn describe<E>(e: &SdkError<E>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let full = one_line(&DisplayErrorContext(e).to_string());
    let text = match e {
        SdkError::TimeoutError(_) => "timed out".to_string(),
        SdkError::DispatchFailure(d) if d.is_timeout() => format!("timed out: {}", root(e)),
        SdkError::DispatchFailure(d) if d.is_user() => format!("request failed: {}", root(e)),
        SdkError::DispatchFailure(_) => format!("network: {}", root(e)),
        SdkError::ServiceError(s) => {
            let status = s.raw().status().as_u16();
            let code = s.err().code().unwrap_or("unknown");
            let msg = s.err().message().unwrap_or("");
            format!("{}{code} (HTTP {status}): {msg}", kind(code, status))
        }
        SdkError::ResponseError(r) => {
            let status = r.raw().status().as_u16();
            format!("{}bad response (HTTP {status}): {full}", kind("", status))
        }
        _ => {
            let lower = full.to_lowercase();
            if lower.contains("credential") || lower.contains("token") || lower.contains("sso") {
                format!("credentials: {full}")
            } else {
                full
            }
        }
    };
    clip(text)
}

/// A credentials provider's failure (assuming a role, say), as one line with its root cause.
pub fn describe_credentials(e: &aws_credential_types::provider::error::CredentialsError) -> String {
    clip(format!("{} ({})", one_line(&e.to_string()), root(e)))
}

/// The innermost cause, which says what actually happened ("connection refused").
fn root(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    one_line(&cur.to_string())
}

fn kind(code: &str, status: u16) -> &'static str {
    let c = code.to_ascii_lowercase();
    if c.contains("throttl")
        || c.contains("toomanyrequests")
        || c.contains("limitexceeded")
        || status == 429
    {
        "throttled: "
    } else if c.contains("expired")
        || c.contains("unrecognizedclient")
        || c.contains("invalidclienttoken")
        || c.contains("signature")
    {
        "credentials: "
    } else if c.contains("accessdenied") || c.contains("unauthorized") || status == 403 {
        "access denied: "
    } else if status >= 500 {
        "service error: "
    } else {
        ""
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn clip(s: String) -> String {
    crate::text::truncate(&s, MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_from_codes_and_status() {
        assert_eq!(kind("ThrottlingException", 400), "throttled: ");
        assert_eq!(kind("Throttling", 400), "throttled: ");
        assert_eq!(kind("", 429), "throttled: ");
        assert_eq!(kind("ExpiredTokenException", 400), "credentials: ");
        assert_eq!(kind("UnrecognizedClientException", 400), "credentials: ");
        assert_eq!(kind("AccessDeniedException", 400), "access denied: ");
        assert_eq!(kind("InternalFailure", 500), "service error: ");
        assert_eq!(kind("ClusterNotFoundException", 400), "");
    }

    #[test]
    fn long_messages_are_clipped_to_one_line() {
        let s = clip(one_line(&format!("a\nb {}", "x".repeat(500))));
        assert!(!s.contains('\n'));
        assert_eq!(s.chars().count(), MAX);
        assert!(s.ends_with('…'));
    }
}
