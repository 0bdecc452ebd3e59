//! `novakms identity new|show`: node and app identities.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use serde_json::json;

use crate::cli::{print_json, Cli, Output};
use crate::error::Result;

/// `identity` subcommands.
#[derive(Debug, Subcommand)]
pub enum IdentityCmd {
    /// Create a new identity: an encrypted V3 keystore (mode 0600).
    New(NewArgs),
    /// Print the wallet address and teePubkey (hex DER SPKI) to register.
    Show(ShowArgs),
}

/// Arguments of `identity new`.
#[derive(Debug, Args)]
pub struct NewArgs {
    /// Keystore file to write (refuses to overwrite)
    #[arg(long)]
    pub out: PathBuf,
    /// Write an app keystore (scrypt N = 8,192) instead of a node keystore (N = 262,144)
    #[arg(long)]
    pub app: bool,
}

/// Arguments of `identity show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Keystore file (default: the configured keystore)
    pub file: Option<PathBuf>,
}

fn print_identity(cli: &Cli, id: &crate::identity::Identity, file: &std::path::Path) {
    match cli.output {
        Output::Json => print_json(&json!({
            "keystore": file.display().to_string(),
            "wallet": id.address(),
            "tee_pubkey": id.tee_pubkey_hex(),
        })),
        Output::Text => {
            crate::outln!("keystore:   {}", file.display());
            crate::outln!("wallet:     {}", id.address());
            crate::outln!("tee_pubkey: {}", id.tee_pubkey_hex());
        }
    }
}

/// Run an `identity` subcommand.
pub fn run(cli: &Cli, cmd: &IdentityCmd) -> Result<()> {
    let s = cli.settings()?;
    match cmd {
        IdentityCmd::New(a) => {
            let pw = crate::identity::read_password(
                s.password_file.as_deref(),
                "New keystore password: ",
                true,
            )?;
            let kind = if a.app {
                crate::identity::KeystoreKind::App
            } else {
                crate::identity::KeystoreKind::Node
            };
            let id = crate::identity::create_keystore_for(&a.out, &pw, kind)?;
            print_identity(cli, &id, &a.out);
            Ok(())
        }
        IdentityCmd::Show(a) => {
            let file = match &a.file {
                Some(f) => f.clone(),
                None => s.require_keystore()?.to_path_buf(),
            };
            let pw = crate::identity::read_password(
                s.password_file.as_deref(),
                &format!("Password for {}: ", file.display()),
                false,
            )?;
            let id = crate::identity::load_keystore(&file, &pw)?;
            print_identity(cli, &id, &file);
            Ok(())
        }
    }
}
