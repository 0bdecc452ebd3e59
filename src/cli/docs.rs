//! `novakms completions` and `novakms man`: shell completions (bash, zsh,
//! fish, powershell, elvish) and one man page per subcommand, generated from
//! the clap definition. The committed `completions/` and `man/` directories
//! are produced by these commands; a test fails when they are stale.

use std::path::{Path, PathBuf};

use clap::{Args, CommandFactory};
use clap_complete::Shell;

use crate::cli::Cli;
use crate::error::{Error, Result};

/// Arguments of `completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// Shell to print completions for (stdout)
    #[arg(value_enum, required_unless_present = "out_dir")]
    pub shell: Option<Shell>,
    /// Write completions for every shell into this directory instead
    #[arg(long)]
    pub out_dir: Option<PathBuf>,
}

/// Arguments of `man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// Directory to write the pages into (novakms.1, novakms-<sub>.1, …)
    #[arg(long)]
    pub out_dir: PathBuf,
}

/// Every shell we generate completions for.
pub const SHELLS: [Shell; 5] = [
    Shell::Bash,
    Shell::Zsh,
    Shell::Fish,
    Shell::PowerShell,
    Shell::Elvish,
];

/// Write completion scripts for all [`SHELLS`] into `dir`; returns the paths.
/// Errors: Local (I/O).
pub fn write_completions(dir: &Path) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let mut out = Vec::new();
    for shell in SHELLS {
        let mut cmd = Cli::command();
        let path = clap_complete::generate_to(shell, &mut cmd, "novakms", dir)
            .map_err(|e| Error::local(format!("cannot write {shell} completions: {e}")))?;
        out.push(path);
    }
    Ok(out)
}

/// Write `novakms.1` and one page per subcommand (recursively, named
/// `novakms-<sub>[-<subsub>].1`) into `dir`; returns the paths.
/// Errors: Local (I/O).
pub fn write_man_pages(dir: &Path) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let mut out = Vec::new();
    // build() propagates the global options into every subcommand's page.
    let mut cmd = Cli::command();
    cmd.build();
    write_page(&cmd, "novakms", dir, &mut out)?;
    Ok(out)
}

fn write_page(cmd: &clap::Command, name: &str, dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let mut page = cmd
        .clone()
        .name(name.to_string())
        .bin_name(name.replace('-', " "));
    if page.get_after_help().is_none() {
        page = page.after_help(crate::cli::EXIT_CODES_HELP);
    }
    let man = clap_mangen::Man::new(page.clone());
    let mut buf = Vec::new();
    man.render(&mut buf)
        .map_err(|e| Error::local(format!("cannot render man page {name}: {e}")))?;
    let path = dir.join(format!("{name}.1"));
    std::fs::write(&path, buf)
        .map_err(|e| Error::local(format!("cannot write {}: {e}", path.display())))?;
    out.push(path);
    for sub in cmd.get_subcommands() {
        if sub.get_name() == "help" || sub.is_hide_set() {
            continue;
        }
        write_page(sub, &format!("{name}-{}", sub.get_name()), dir, out)?;
    }
    Ok(())
}

/// Run `completions`.
pub fn run_completions(a: &CompletionsArgs) -> Result<()> {
    if let Some(dir) = &a.out_dir {
        for p in write_completions(dir)? {
            eprintln!("wrote {}", p.display());
        }
        return Ok(());
    }
    if let Some(shell) = a.shell {
        let mut cmd = Cli::command();
        let mut script = Vec::new();
        clap_complete::generate(shell, &mut cmd, "novakms", &mut script);
        crate::cli::out::emit(&script);
    }
    Ok(())
}

/// Run `man`.
pub fn run_man(a: &ManArgs) -> Result<()> {
    for p in write_man_pages(&a.out_dir)? {
        eprintln!("wrote {}", p.display());
    }
    Ok(())
}
