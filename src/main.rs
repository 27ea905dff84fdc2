use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = opsdeck::cli::Cli::parse_env();
    match opsdeck::cmd::run(cli) {
        Ok(code) => ExitCode::from(code as u8),
        Err(e) => {
            eprintln!("opsdeck: {e:#}");
            ExitCode::from(2)
        }
    }
}
