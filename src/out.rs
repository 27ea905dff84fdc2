//! Text for standard output from the non-interactive commands. A reader that goes away
//! (`opsdeck snapshot | head`) ends the output quietly instead of a panic: what was asked
//! for was printed as far as anyone read it.

use std::io::Write;

/// Writes `text` to standard output; a closed pipe is not an error.
pub fn print(text: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => r,
    }
}

/// `print` with a newline.
pub fn println(text: &str) -> std::io::Result<()> {
    print(&format!("{text}\n"))
}
