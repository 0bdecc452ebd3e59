//! The CLI's one route to standard output ([`outln!`](crate::outln) and [`emit`]).
//!
//! `println!` panics when stdout is a pipe whose reader has gone (`novakms cluster status -o
//! json | head -1`): the Rust runtime ignores SIGPIPE, so the write fails with `EPIPE` and the
//! macro turns that into a panic. Here a closed reader ends the process quietly with exit 0,
//! as `cat` or `ls` end (the command's work is done: output is the last thing a command does),
//! and any other write error (disk full behind a redirect) is exit 1 with a message. SIGPIPE
//! itself stays ignored, so a peer closing an HTTP connection is still an error the command
//! reports, never a silent kill.

use std::io::{ErrorKind, Write};

/// Write `bytes` to stdout and flush. Exit 0 when the reader has closed the pipe
/// (`EPIPE`); exit 1 with `error: cannot write to standard output: …` on any other error.
/// Never returns an error and never panics.
pub fn emit(bytes: &[u8]) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(bytes).and_then(|()| out.flush()) {
        exit_on_write_error(&e);
    }
}

/// What [`emit`] does with a failed write (also used by writers that stream to stdout).
pub fn exit_on_write_error(e: &std::io::Error) -> ! {
    if e.kind() == ErrorKind::BrokenPipe {
        std::process::exit(0);
    }
    eprintln!("error: cannot write to standard output: {e}");
    std::process::exit(1);
}
