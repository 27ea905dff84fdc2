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
                classify(code, status)
            }
        }
        SdkError::ResponseError(r) if r.raw().status().as_u16() == 404 => Fault::Unsupported,
        SdkError::ResponseError(r) => classify("", r.raw().status().as_u16()),
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

impl Fault {
    /// How a message of this fault begins, so the kind shows first.
    pub fn prefix(self) -> &'static str {
        match self {
            Fault::Throttled => "throttled: ",
            Fault::Credentials => "credentials: ",
            Fault::Denied => "access denied: ",
            Fault::Service => "service error: ",
            Fault::Network | Fault::Unsupported | Fault::Other => "",
        }
    }
}

/// An AWS call's failure: its [`Fault`], read once from the SDK's error code and HTTP
/// status, and the one line the pane shows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct AwsError {
    pub fault: Fault,
    pub message: String,
}

pub type AwsResult<T> = Result<T, AwsError>;

impl AwsError {
    /// The same failure, its message saying which resource (`orders: …`).
    pub fn about(self, what: impl std::fmt::Display) -> AwsError {
        AwsError {
            fault: self.fault,
            message: clip(format!("{what}: {}", self.message)),
        }
    }
}

impl<E> From<SdkError<E>> for AwsError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    fn from(e: SdkError<E>) -> AwsError {
        AwsError {
            fault: fault(&e),
            message: describe(&e),
        }
    }
}

/// A failure of ours around the calls (an answer without what it should carry).
impl From<String> for AwsError {
    fn from(message: String) -> AwsError {
        AwsError {
            fault: Fault::Other,
            message,
        }
    }
}

impl From<AwsError> for String {
    fn from(e: AwsError) -> String {
        e.message
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
            format!(
                "{}{code} (HTTP {status}): {msg}",
                classify(code, status).prefix()
            )
        }
        SdkError::ResponseError(r) => {
            let status = r.raw().status().as_u16();
            format!(
                "{}bad response (HTTP {status}): {full}",
                classify("", status).prefix()
            )
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

/// The fault an error code and HTTP status say.
fn classify(code: &str, status: u16) -> Fault {
    let c = code.to_ascii_lowercase();
    if c.contains("throttl")
        || c.contains("toomanyrequests")
        || c.contains("limitexceeded")
        || status == 429
    {
        Fault::Throttled
    } else if c.contains("expired")
        || c.contains("unrecognizedclient")
        || c.contains("invalidclienttoken")
        || c.contains("signature")
    {
        Fault::Credentials
    } else if c.contains("accessdenied")
        || c.contains("unauthorized")
        || c.contains("authorizationerror")
        || status == 403
    {
        Fault::Denied
    } else if status >= 500 {
        Fault::Service
    } else {
        Fault::Other
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
        assert_eq!(classify("ThrottlingException", 400), Fault::Throttled);
        assert_eq!(classify("Throttling", 400), Fault::Throttled);
        assert_eq!(classify("", 429), Fault::Throttled);
        assert_eq!(classify("ExpiredTokenException", 400), Fault::Credentials);
        assert_eq!(
            classify("UnrecognizedClientException", 400),
            Fault::Credentials
        );
        assert_eq!(classify("AccessDeniedException", 400), Fault::Denied);
        assert_eq!(classify("AuthorizationError", 400), Fault::Denied);
        assert_eq!(classify("InternalFailure", 500), Fault::Service);
        assert_eq!(classify("ClusterNotFoundException", 400), Fault::Other);
        assert_eq!(Fault::Denied.prefix(), "access denied: ");
    }

    #[test]
    fn long_messages_are_clipped_to_one_line() {
        let s = clip(one_line(&format!("a\nb {}", "x".repeat(500))));
        assert!(!s.contains('\n'));
        assert_eq!(s.chars().count(), MAX);
        assert!(s.ends_with('…'));
    }
}
