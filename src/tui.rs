//! Terminal setup and teardown: raw mode, alternate screen, mouse; restored on every way out
//! (normal exit, panic, SIGTERM/SIGHUP via the event loop) and around Ctrl-Z suspension.

use crossterm::cursor::{Hide, Show};
use crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use std::io::{self, Stdout, stdout};
use std::sync::atomic::{AtomicBool, Ordering};

pub type Term = Terminal<CrosstermBackend<Stdout>>;

/// Whether mouse capture was turned on, so restore undoes exactly what init did.
static MOUSE: AtomicBool = AtomicBool::new(false);

pub fn init(mouse: bool) -> io::Result<Term> {
    enter(mouse)?;
    Terminal::new(CrosstermBackend::new(stdout()))
}

fn enter(mouse: bool) -> io::Result<()> {
    enable_raw_mode()?;
    execute!(stdout(), EnterAlternateScreen, Hide)?;
    if mouse {
        execute!(stdout(), EnableMouseCapture)?;
    }
    MOUSE.store(mouse, Ordering::SeqCst);
    Ok(())
}

/// Puts the terminal back as the shell expects it. Safe to call more than once.
pub fn restore() -> io::Result<()> {
    if MOUSE.swap(false, Ordering::SeqCst) {
        let _ = execute!(stdout(), DisableMouseCapture);
    }
    let _ = execute!(stdout(), LeaveAlternateScreen, Show);
    disable_raw_mode()
}

/// Restores the terminal first, then lets the previous hook print the panic, so the message
/// lands on a usable screen instead of inside the alternate screen.
pub fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = restore();
        previous(info);
    }));
}

/// Ctrl-Z: restore the terminal, stop the process like a shell job, and take the terminal
/// back when `fg` continues it.
pub fn suspend(term: &mut Term) -> io::Result<()> {
    let mouse = MOUSE.load(Ordering::SeqCst);
    restore()?;
    // With the default SIGTSTP disposition the process stops here until SIGCONT.
    let _ = rustix::process::kill_process(rustix::process::getpid(), rustix::process::Signal::TSTP);
    enter(mouse)?;
    term.clear()
}

/// Runs an interactive step on the real terminal: the TUI is restored away first and taken
/// back after, whatever the step did to the screen. A SIGTERM, SIGHUP or SIGINT to opsdeck
/// while it runs ends the step first (the event loop then sees the signal and stops).
pub fn run_in_terminal(
    term: &mut Term,
    spec: &crate::exec::RunSpec,
) -> io::Result<crate::exec::RunStatus> {
    let mouse = MOUSE.load(Ordering::SeqCst);
    restore()?;
    println!("── opsdeck: interactive step; the cockpit comes back when it exits ──");
    let watch = crate::exec::runner::SignalWatch::start();
    let stop = || watch.signal();
    let status = crate::exec::runner::run_interactive(spec, &stop);
    drop(watch);
    enter(mouse)?;
    term.clear()?;
    Ok(status)
}
