//! Read-only AWS credentials for the box: the `read_only_role` when one is set; otherwise
//! minted from the operator's own — `GetFederationToken` with the managed `ReadOnlyAccess`
//! policy as a session policy (IAM-user credentials), else `AssumeRole` of the operator's
//! current role with that session policy (where its trust policy lets it assume itself). A
//! session policy can only narrow: whatever the operator may do, these may only read.

use super::errors;
use aws_sdk_sts::types::PolicyDescriptorType;
use std::time::Duration;

/// The AWS-managed policy every minted credential is narrowed to.
pub const READ_ONLY_POLICY: &str = "arn:aws:iam::aws:policy/ReadOnlyAccess";

/// How the box's credentials were had.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Minted {
    Role(String),
    FederationToken,
    AssumedSelf(String),
}

impl Minted {
    pub fn describe(&self) -> String {
        match self {
            Minted::Role(arn) => format!("read_only_role {arn}"),
            Minted::FederationToken => {
                "GetFederationToken with ReadOnlyAccess as session policy".into()
            }
            Minted::AssumedSelf(arn) => {
                format!("AssumeRole {arn} with ReadOnlyAccess as session policy")
            }
        }
    }
}

/// The message when no read-only credentials can be had: the box then gets none.
pub fn no_credentials(why: &str) -> String {
    format!(
        "no read-only AWS credentials for the box ({why}): AWS calls inside fail. Set [aws] read_only_role (or role_arn with read_only in [[contexts]]) to a read-only role"
    )
}

/// The partition of an ARN (`aws`, `aws-cn`, `aws-us-gov`).
fn partition(arn: &str) -> &str {
    arn.split(':').nth(1).unwrap_or("aws")
}

/// The role behind an assumed-role session ARN
/// (`arn:aws:sts::1:assumed-role/NAME/session` → `arn:aws:iam::1:role/NAME`).
pub fn role_of_session(arn: &str) -> Option<String> {
    let mut p = arn.split(':');
    let (_, part, svc, _, account, resource) = (
        p.next()?,
        p.next()?,
        p.next()?,
        p.next()?,
        p.next()?,
        p.next()?,
    );
    if svc != "sts" {
        return None;
    }
    let name = resource.strip_prefix("assumed-role/")?.split('/').next()?;
    Some(format!("arn:{part}:iam::{account}:role/{name}"))
}

/// Read-only credentials from `conf`'s (the operator's) credentials.
pub async fn mint(
    conf: &aws_config::SdkConfig,
    role: Option<&str>,
) -> Result<(aws_credential_types::Credentials, Minted), String> {
    let sts = aws_sdk_sts::Client::new(conf);
    let wait = Duration::from_secs(10);
    let to_creds = |c: &aws_sdk_sts::types::Credentials| {
        aws_credential_types::Credentials::new(
            c.access_key_id(),
            c.secret_access_key(),
            Some(c.session_token().to_string()),
            None,
            "opsdeck-read-only",
        )
    };
    if let Some(arn) = role {
        let r = tokio::time::timeout(
            wait,
            sts.assume_role()
                .role_arn(arn)
                .role_session_name("opsdeck-read-only")
                .send(),
        )
        .await
        .map_err(|_| format!("AssumeRole {arn}: no answer within 10 s"))?
        .map_err(|e| format!("AssumeRole {arn}: {}", errors::describe(&e)))?;
        let c = r
            .credentials()
            .ok_or_else(|| format!("AssumeRole {arn}: no credentials in the answer"))?;
        return Ok((to_creds(c), Minted::Role(arn.to_string())));
    }
    let id = tokio::time::timeout(wait, sts.get_caller_identity().send())
        .await
        .map_err(|_| "STS GetCallerIdentity: no answer within 10 s".to_string())?
        .map_err(|e| format!("STS GetCallerIdentity: {}", errors::describe(&e)))?;
    let who = id.arn().unwrap_or_default().to_string();
    let policy = |who: &str| {
        PolicyDescriptorType::builder()
            .arn(READ_ONLY_POLICY.replace("arn:aws:", &format!("arn:{}:", partition(who))))
            .build()
    };
    let mut tried = Vec::new();
    if who.contains(":user/") || who.ends_with(":root") {
        match tokio::time::timeout(
            wait,
            sts.get_federation_token()
                .name("opsdeck-read-only")
                .policy_arns(policy(&who))
                .duration_seconds(3600)
                .send(),
        )
        .await
        {
            Ok(Ok(r)) => {
                if let Some(c) = r.credentials() {
                    return Ok((to_creds(c), Minted::FederationToken));
                }
                tried.push("GetFederationToken: no credentials in the answer".to_string());
            }
            Ok(Err(e)) => tried.push(format!("GetFederationToken: {}", errors::describe(&e))),
            Err(_) => tried.push("GetFederationToken: no answer within 10 s".into()),
        }
    }
    if let Some(arn) = role_of_session(&who) {
        match tokio::time::timeout(
            wait,
            sts.assume_role()
                .role_arn(&arn)
                .role_session_name("opsdeck-read-only")
                .policy_arns(policy(&who))
                .send(),
        )
        .await
        {
            Ok(Ok(r)) => {
                if let Some(c) = r.credentials() {
                    return Ok((to_creds(c), Minted::AssumedSelf(arn)));
                }
                tried.push(format!("AssumeRole {arn}: no credentials in the answer"));
            }
            Ok(Err(e)) => tried.push(format!("AssumeRole {arn}: {}", errors::describe(&e))),
            Err(_) => tried.push(format!("AssumeRole {arn}: no answer within 10 s")),
        }
    }
    if tried.is_empty() {
        tried.push(format!(
            "{who} can neither get a federation token nor assume a role"
        ));
    }
    Err(tried.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_assumed_role_session_names_its_role() {
        assert_eq!(
            role_of_session("arn:aws:sts::123456789012:assumed-role/OnCall/alice").as_deref(),
            Some("arn:aws:iam::123456789012:role/OnCall")
        );
        assert_eq!(
            role_of_session("arn:aws-cn:sts::1:assumed-role/R/s").as_deref(),
            Some("arn:aws-cn:iam::1:role/R")
        );
        assert_eq!(role_of_session("arn:aws:iam::1:user/bob"), None);
    }
}

/// The box's credentials for steps, watches and verifications of one context: minted once
/// and kept for 45 minutes (they last an hour); a failure is kept for a minute, so a
/// watch every few seconds does not call STS each time. Without credentials the box gets
/// none, and a note that says why.
pub fn box_source(conf: aws_config::SdkConfig, role: Option<String>) -> crate::exec::RoleSource {
    type Cached = Option<(std::time::Instant, Result<crate::exec::RoleEnv, String>)>;
    let cache: std::sync::Arc<tokio::sync::Mutex<Cached>> = Default::default();
    std::sync::Arc::new(move || {
        let conf = conf.clone();
        let role = role.clone();
        let cache = cache.clone();
        Box::pin(async move {
            let mut c = cache.lock().await;
            if let Some((at, got)) = c.as_ref() {
                let keep = if got.is_ok() { 45 * 60 } else { 60 };
                if at.elapsed() < Duration::from_secs(keep) {
                    return Ok(env_of(got));
                }
            }
            let got = match mint(&conf, role.as_deref()).await {
                Ok((creds, how)) => {
                    tracing::info!("box credentials: {}", how.describe());
                    let mut env = super::role_env(&creds, std::path::Path::new("/dev/null"));
                    env.note = None;
                    Ok(env)
                }
                Err(e) => {
                    tracing::warn!("box credentials: {e}");
                    Err(no_credentials(&e))
                }
            };
            *c = Some((std::time::Instant::now(), got.clone()));
            Ok(env_of(&got))
        })
    })
}

/// The environment for a box: the credentials, or none of the operator's and why.
fn env_of(got: &Result<crate::exec::RoleEnv, String>) -> crate::exec::RoleEnv {
    match got {
        Ok(env) => env.clone(),
        Err(why) => crate::exec::RoleEnv::none(why.clone()),
    }
}

/// [`box_source`] for a context not connected yet (several contexts connect in the source's
/// own tasks): its SDK configuration is loaded at the first boxed step, then kept.
pub fn lazy_box_source(
    opts: crate::config::AwsSettings,
    http: aws_smithy_runtime_api::client::http::SharedHttpClient,
) -> crate::exec::RoleSource {
    let inner: std::sync::Arc<tokio::sync::OnceCell<crate::exec::RoleSource>> = Default::default();
    std::sync::Arc::new(move || {
        let (opts, http, inner) = (opts.clone(), http.clone(), inner.clone());
        Box::pin(async move {
            let src = inner
                .get_or_init(|| async {
                    let conf = super::context_sdk_config(&opts, http).await;
                    box_source(conf, opts.read_only_role.clone())
                })
                .await
                .clone();
            src().await
        })
    })
}
