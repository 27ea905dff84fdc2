//! `opsdeck sandbox [--context LABEL] [--read-only-role ARN] -- COMMAND`: runs a command in
//! the read-only box. Used by hand it resolves the context as the cockpit does and mints the
//! box's read-only credentials; started by the step launcher (`--launched`) it takes the
//! environment it is given, whose credentials the launcher chose.

use crate::cli::{Common, SandboxArgs};
use crate::config::{Config, Dirs};
use crate::sandbox::{self, Request, Settings};
use anyhow::{Context, Result, bail};

pub fn run(common: &Common, args: &SandboxArgs) -> Result<i32> {
    let mut req = Request {
        command: args.command.clone(),
        boxed: !args.no_box,
        settings: Settings {
            connect_ports: args.connect_ports.clone(),
            allow_unenforced: args.allow_unenforced,
            readable: args.readable.clone(),
            pass_env: args.pass_env.clone(),
        },
        interactive: args.interactive,
        life_fd: args.life_fd,
        report_fd: args.report_fd,
        ..Request::default()
    };
    if args.launched {
        return Ok(sandbox::run(req));
    }
    if args.no_box {
        bail!("--no-box is the step launcher's: `opsdeck sandbox` always boxes");
    }
    let dirs = Dirs::from_env();
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let config = Config::discover(common.config.as_deref(), &cwd, dirs.config.as_deref())?;
    req.settings
        .connect_ports
        .extend(&config.sandbox.connect_ports);
    req.settings.allow_unenforced |= config.sandbox.allow_unenforced;
    req.settings
        .readable
        .extend(config.sandbox.readable.iter().cloned());
    req.settings
        .pass_env
        .extend(config.sandbox.pass_env.iter().cloned());
    let base = crate::settings::aws_options(common, &config);
    let specs = crate::settings::contexts(common, &config)?;
    let opts = match specs.as_slice() {
        [] => base.clone(),
        [one] => crate::settings::context_options(one, &base),
        many => bail!(
            "{} contexts are configured: name the one the command runs in with --context LABEL ({})",
            many.len(),
            crate::config::contexts::known(many)
        ),
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let minted = rt.block_on(async {
        let conf =
            crate::sources::aws::context_sdk_config(&opts, crate::sources::aws::http_client())
                .await;
        let region = conf.region().map(|r| r.to_string());
        let got = crate::sources::aws::readonly::mint(&conf, opts.read_only_role.as_deref()).await;
        (region, got)
    });
    drop(rt);
    let (region, got) = minted;
    for k in sandbox::CREDENTIAL_VARS {
        req.env_remove.push(k.to_string());
    }
    match got {
        Ok((creds, _how)) => {
            let env = crate::sources::aws::role_env(&creds, std::path::Path::new("/dev/null"));
            req.env_set.extend(env.set);
        }
        Err(e) => eprintln!(
            "opsdeck sandbox: {}",
            crate::sources::aws::readonly::no_credentials(&e)
        ),
    }
    if let Some(r) = region {
        req.env_set.insert("AWS_REGION".into(), r.clone());
        req.env_set.insert("AWS_DEFAULT_REGION".into(), r);
    }
    if let Some(u) = &opts.endpoint_url {
        req.env_set.insert("AWS_ENDPOINT_URL".into(), u.clone());
    }
    Ok(sandbox::run(req))
}
