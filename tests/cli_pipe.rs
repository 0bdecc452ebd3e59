//! Standard output that cannot be written (`cli::out`): a reader that went away ends the
//! command quietly with exit 0 (it panicked with exit 101 before), any other write error is
//! exit 1 with a message. Real binary, real pipe, real `/dev/full`.

use std::process::{Command, Stdio};

fn novakms() -> Command {
    Command::new(env!("CARGO_BIN_EXE_novakms"))
}

#[test]
fn a_closed_pipe_ends_the_command_quietly() {
    // The bash completion script is > 100 KiB, more than a pipe buffer (64 KiB): with the read
    // end closed before the child writes, its write must fail with EPIPE.
    let mut child = novakms()
        .args(["completions", "bash"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "stderr: {stderr}");
    assert!(!stderr.contains("panicked"), "stderr: {stderr}");
}

#[test]
fn a_full_disk_behind_stdout_is_exit_1_with_a_message() {
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        eprintln!("no /dev/full on this system; skipped");
        return;
    };
    let out = novakms()
        .args(["completions", "bash"])
        .stdout(full)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "stderr: {stderr}");
    assert!(
        stderr.contains("error: cannot write to standard output"),
        "stderr: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "stderr: {stderr}");
}
