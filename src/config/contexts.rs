//! AWS contexts: which (profile, region) pairs one cockpit watches, from `[[contexts]]` in
//! opsdeck.toml or the command line (`--context LABEL=PROFILE@REGION`, or comma lists in
//! `--profile`/`--region`, whose product is watched).

use crate::file::FileError;
use serde::Deserialize;
use std::path::Path;
use toml::Spanned;

/// One watched context.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ContextSpec {
    /// Short, shown on every row of it when several are watched.
    pub label: String,
    pub profile: Option<String>,
    pub region: Option<String>,
    /// A role assumed for this context (another account), from the profile's credentials.
    pub role_arn: Option<String>,
    pub endpoint_url: Option<String>,
    /// Nothing acts on this context, whatever the session's mode.
    pub read_only: bool,
    /// Its confirmation dialogs say so in the danger colour.
    pub production: bool,
    /// A CloudWatch monitoring account: its linked source accounts' metrics are charted too.
    pub cross_account: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawContext {
    label: Spanned<String>,
    profile: Option<String>,
    region: Option<Spanned<String>>,
    role_arn: Option<Spanned<String>>,
    endpoint_url: Option<Spanned<String>>,
    #[serde(default)]
    read_only: bool,
    #[serde(default)]
    production: bool,
    #[serde(default)]
    cross_account: bool,
}

/// Why a label cannot be one: empty, too long, or with characters that would blur the
/// column it is shown in.
pub fn label_problem(label: &str) -> Option<String> {
    if label.is_empty() {
        return Some("a context label cannot be empty".into());
    }
    if label.chars().count() > 32 {
        return Some(format!(
            "context label `{label}` is longer than 32 characters (it is shown on every row)"
        ));
    }
    if !label
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    {
        return Some(format!(
            "context label `{label}`: use letters, digits, `-`, `_` and `.`"
        ));
    }
    None
}

fn region_problem(region: &str) -> Option<String> {
    let ok = !region.is_empty()
        && region.len() <= 32
        && region
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && region.contains('-');
    (!ok).then(|| format!("`{region}` is not an AWS region (eu-west-1, us-east-1…)"))
}

pub(super) fn contexts(
    path: &Path,
    src: &str,
    raw: Vec<Spanned<RawContext>>,
) -> Result<Vec<ContextSpec>, FileError> {
    let mut out: Vec<ContextSpec> = Vec::new();
    for c in raw {
        let at = c.span().start;
        let c = c.into_inner();
        let label = c.label.get_ref().clone();
        if let Some(why) = label_problem(&label) {
            return Err(FileError::at(
                path,
                src,
                c.label.span().start,
                format!("contexts: {why}"),
            ));
        }
        if out.iter().any(|o| o.label == label) {
            return Err(FileError::at(
                path,
                src,
                c.label.span().start,
                format!("contexts: the label `{label}` is used twice; each context needs its own"),
            ));
        }
        if let Some(r) = &c.region
            && let Some(why) = region_problem(r.get_ref())
        {
            return Err(FileError::at(
                path,
                src,
                r.span().start,
                format!("contexts.region: {why}"),
            ));
        }
        super::live::check_role(path, src, "contexts.role_arn", c.role_arn.as_ref())?;
        super::live::check_endpoint(path, src, "contexts.endpoint_url", c.endpoint_url.as_ref())?;
        if c.profile.is_none() && c.region.is_none() && c.role_arn.is_none() {
            return Err(FileError::at(
                path,
                src,
                at,
                format!("contexts `{label}`: give a profile, a region or a role_arn"),
            ));
        }
        out.push(ContextSpec {
            label,
            profile: c.profile,
            region: c.region.map(Spanned::into_inner),
            role_arn: c.role_arn.map(Spanned::into_inner),
            endpoint_url: c.endpoint_url.map(Spanned::into_inner),
            read_only: c.read_only,
            production: c.production,
            cross_account: c.cross_account,
        });
    }
    Ok(out)
}

/// `LABEL=PROFILE@REGION` (`--context`); PROFILE or `@REGION` may be left out.
pub fn parse_flag(s: &str) -> Result<ContextSpec, String> {
    // A bare label names a context of opsdeck.toml (`run --context prod`).
    if !s.contains('=') && label_problem(s).is_none() {
        return Ok(ContextSpec {
            label: s.to_string(),
            ..ContextSpec::default()
        });
    }
    let (label, rest) = s
        .split_once('=')
        .ok_or_else(|| format!("`{s}`: write LABEL=PROFILE@REGION (prod=prod@eu-west-1), or the label of a [[contexts]] entry"))?;
    if let Some(why) = label_problem(label) {
        return Err(why);
    }
    let (profile, region) = match rest.split_once('@') {
        Some((p, r)) => (p, Some(r)),
        None => (rest, None),
    };
    if let Some(r) = region
        && let Some(why) = region_problem(r)
    {
        return Err(why);
    }
    if profile.is_empty() && region.is_none() {
        return Err(format!(
            "`{s}`: give a profile, a region or both (PROFILE@REGION)"
        ));
    }
    Ok(ContextSpec {
        label: label.to_string(),
        profile: (!profile.is_empty()).then(|| profile.to_string()),
        region: region.map(str::to_string),
        ..ContextSpec::default()
    })
}

/// The configured labels, for a message.
pub fn known(config: &[ContextSpec]) -> String {
    if config.is_empty() {
        "none is configured: add [[contexts]] entries".into()
    } else {
        let labels: Vec<&str> = config.iter().map(|c| c.label.as_str()).collect();
        format!("configured: {}", labels.join(", "))
    }
}

/// The contexts a session watches. The command line wins over opsdeck.toml: `--context`
/// flags, else `--profile`/`--region` comma lists (every profile in every region), else
/// `[[contexts]]`. An empty answer: one context, as before (flags, `[aws]`, environment).
pub fn resolve(
    flags: &[ContextSpec],
    profiles: Option<&str>,
    regions: Option<&str>,
    config: &[ContextSpec],
) -> Result<Vec<ContextSpec>, String> {
    let mut out = if !flags.is_empty() {
        let mut out = Vec::new();
        for f in flags {
            if f.profile.is_some() || f.region.is_some() {
                out.push(f.clone());
                continue;
            }
            // A bare label: the configured context of that name.
            match config.iter().find(|c| c.label == f.label) {
                Some(c) => out.push(c.clone()),
                None => {
                    return Err(format!(
                        "--context {}: no such context in opsdeck.toml ({}); or watch one more with LABEL=PROFILE@REGION",
                        f.label,
                        known(config)
                    ));
                }
            }
        }
        out
    } else {
        let split = |s: Option<&str>| -> Vec<String> {
            s.map(|s| {
                s.split(',')
                    .map(str::trim)
                    .filter(|x| !x.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
        };
        let (ps, rs) = (split(profiles), split(regions));
        if ps.len() > 1 || rs.len() > 1 {
            for r in &rs {
                if let Some(why) = region_problem(r) {
                    return Err(format!("--region: {why}"));
                }
            }
            let ps: Vec<Option<String>> = if ps.is_empty() {
                vec![None]
            } else {
                ps.into_iter().map(Some).collect()
            };
            let rs: Vec<Option<String>> = if rs.is_empty() {
                vec![None]
            } else {
                rs.into_iter().map(Some).collect()
            };
            let mut product = Vec::new();
            for p in &ps {
                for r in &rs {
                    let label = match (p, r) {
                        (Some(p), Some(r)) if ps.len() > 1 && rs.len() > 1 => format!("{p}.{r}"),
                        (Some(p), _) if ps.len() > 1 => p.clone(),
                        (_, Some(r)) => r.clone(),
                        (Some(p), None) => p.clone(),
                        (None, None) => "default".into(),
                    };
                    product.push(ContextSpec {
                        label,
                        profile: p.clone(),
                        region: r.clone(),
                        ..ContextSpec::default()
                    });
                }
            }
            product
        } else if profiles.is_some() || regions.is_some() {
            // One profile and one region on the command line: the single context they name.
            Vec::new()
        } else {
            config.to_vec()
        }
    };
    for (i, c) in out.iter().enumerate() {
        if out[..i].iter().any(|o| o.label == c.label) {
            return Err(format!(
                "context label `{}` is used twice; each context needs its own",
                c.label
            ));
        }
    }
    if out.len() > 64 {
        return Err(format!(
            "{} contexts: at most 64 are watched at once",
            out.len()
        ));
    }
    out.shrink_to_fit();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(label: &str, profile: Option<&str>, region: Option<&str>) -> ContextSpec {
        ContextSpec {
            label: label.into(),
            profile: profile.map(String::from),
            region: region.map(String::from),
            ..ContextSpec::default()
        }
    }

    #[test]
    fn flags_are_parsed_and_refused_with_a_reason() {
        assert_eq!(
            parse_flag("prod=prod@eu-west-1").unwrap(),
            spec("prod", Some("prod"), Some("eu-west-1"))
        );
        assert_eq!(
            parse_flag("dr=@us-west-2").unwrap(),
            spec("dr", None, Some("us-west-2"))
        );
        assert_eq!(
            parse_flag("pay=payments").unwrap(),
            spec("pay", Some("payments"), None)
        );
        // A bare label names a configured context; resolve finds it or lists the known.
        assert_eq!(parse_flag("prod").unwrap(), spec("prod", None, None));
        let configured = [spec("prod", Some("p"), Some("eu-west-1"))];
        assert_eq!(
            resolve(&[spec("prod", None, None)], None, None, &configured).unwrap(),
            configured.to_vec()
        );
        let e = resolve(&[spec("qa", None, None)], None, None, &configured).unwrap_err();
        assert!(
            e.contains("no such context") && e.contains("configured: prod"),
            "{e}"
        );
        assert!(
            parse_flag("a b")
                .unwrap_err()
                .contains("LABEL=PROFILE@REGION")
        );
        assert!(parse_flag("a b=x").unwrap_err().contains("use letters"));
        assert!(
            parse_flag("x=p@Mars")
                .unwrap_err()
                .contains("not an AWS region")
        );
        assert!(parse_flag("x=").unwrap_err().contains("give a profile"));
    }

    #[test]
    fn the_command_line_wins_and_lists_multiply() {
        let config = vec![spec("cfg", Some("c"), Some("eu-west-1"))];
        // --context first.
        let flags = vec![spec("a", Some("p"), Some("eu-west-1"))];
        assert_eq!(resolve(&flags, Some("x,y"), None, &config).unwrap(), flags);
        // Lists: their product, labelled by what varies.
        let r = resolve(
            &[],
            Some("prod,staging"),
            Some("eu-west-1,us-east-1"),
            &config,
        )
        .unwrap();
        let labels: Vec<&str> = r.iter().map(|c| c.label.as_str()).collect();
        assert_eq!(
            labels,
            [
                "prod.eu-west-1",
                "prod.us-east-1",
                "staging.eu-west-1",
                "staging.us-east-1"
            ]
        );
        let r = resolve(&[], Some("prod"), Some("eu-west-1,us-east-1"), &config).unwrap();
        assert_eq!(r[1], spec("us-east-1", Some("prod"), Some("us-east-1")));
        // One profile, one region: the single context, as before.
        assert!(
            resolve(&[], Some("prod"), Some("eu-west-1"), &config)
                .unwrap()
                .is_empty()
        );
        // Nothing on the command line: the config's.
        assert_eq!(resolve(&[], None, None, &config).unwrap(), config);
        assert!(
            resolve(&[], None, Some("eu-west-1,nowhere"), &config)
                .unwrap_err()
                .contains("not an AWS region")
        );
        let twice = vec![
            spec("a", None, Some("eu-west-1")),
            spec("a", None, Some("us-east-1")),
        ];
        assert!(
            resolve(&twice, None, None, &[])
                .unwrap_err()
                .contains("used twice")
        );
    }
}
