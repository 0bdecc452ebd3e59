//! `novakms store put|get|delete|list` and `novakms derive`: act as a Nova app
//! (PoP + envelopes, protocol.md §1–§5) against a node whose wallet and
//! teePubkey are taken from the registry on chain.

use std::io::Read;
use std::path::PathBuf;

use base64::Engine;
use clap::{Args, Subcommand};
use serde_json::json;

use crate::cli::{print_json, Cli, Output};
use crate::client::app::AppClient;
use crate::error::{Error, Result};

/// `store` subcommands.
#[derive(Debug, Subcommand)]
pub enum StoreCmd {
    /// Store a value (from the argument, --file, or stdin).
    Put(PutArgs),
    /// Print a value (raw bytes to stdout; base64 inside JSON with -o json).
    Get(KeyArg),
    /// Delete a key (writes a tombstone).
    Delete(KeyArg),
    /// List the live keys of this app's namespace.
    List,
}

/// Arguments of `store put`.
#[derive(Debug, Args)]
pub struct PutArgs {
    /// Key
    pub key: String,
    /// Value (omit to read --file or stdin)
    pub value: Option<String>,
    /// Read the value from this file (`-` = stdin)
    #[arg(long, conflicts_with = "value")]
    pub file: Option<PathBuf>,
    /// Time to live in milliseconds (0 = never expires)
    #[arg(long, default_value_t = 0)]
    pub ttl_ms: u64,
}

/// A key argument.
#[derive(Debug, Args)]
pub struct KeyArg {
    /// Key
    pub key: String,
}

/// Arguments of `derive`.
#[derive(Debug, Args)]
pub struct DeriveArgs {
    /// Derivation path, e.g. wallet/root
    pub path: String,
    /// Optional context string
    #[arg(long, default_value = "")]
    pub context: String,
    /// Output length in bytes (1..=1024)
    #[arg(long, default_value_t = 32, value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub length: u32,
}

/// The app client the settings name (`crate::client::app::AppClient::from_settings`).
pub async fn app_client(cli: &Cli) -> Result<AppClient> {
    AppClient::from_settings(&cli.settings()?).await
}

fn read_value(a: &PutArgs) -> Result<Vec<u8>> {
    if let Some(v) = &a.value {
        return Ok(v.as_bytes().to_vec());
    }
    let mut buf = Vec::new();
    match &a.file {
        Some(p) if p.as_os_str() != "-" => {
            buf = std::fs::read(p)
                .map_err(|e| Error::local(format!("cannot read {}: {e}", p.display())))?;
        }
        _ => {
            std::io::stdin()
                .read_to_end(&mut buf)
                .map_err(|e| Error::local(format!("cannot read stdin: {e}")))?;
        }
    }
    Ok(buf)
}

/// Run a `store` subcommand.
pub async fn run(cli: &Cli, cmd: &StoreCmd) -> Result<()> {
    let c = app_client(cli).await?;
    match cmd {
        StoreCmd::Put(a) => {
            let value = read_value(a)?;
            let updated = c.put(&a.key, &value, a.ttl_ms).await?;
            match cli.output {
                Output::Json => print_json(
                    &json!({"key": a.key, "updated_at_ms": updated, "bytes": value.len()}),
                ),
                Output::Text => eprintln!("stored {} ({} bytes)", a.key, value.len()),
            }
        }
        StoreCmd::Get(a) => {
            let (value, updated) = c
                .get(&a.key)
                .await?
                .ok_or_else(|| Error::local(format!("key not found: {}", a.key)))?;
            match cli.output {
                Output::Json => print_json(&json!({
                    "key": a.key,
                    "updated_at_ms": updated,
                    "value": base64::engine::general_purpose::STANDARD.encode(&value),
                })),
                Output::Text => {
                    let mut value = value;
                    if std::io::IsTerminal::is_terminal(&std::io::stdout())
                        && !value.ends_with(b"\n")
                    {
                        value.push(b'\n');
                    }
                    crate::cli::out::emit(&value);
                }
            }
        }
        StoreCmd::Delete(a) => {
            if !c.delete(&a.key).await? {
                return Err(Error::local(format!("key not found: {}", a.key)));
            }
            match cli.output {
                Output::Json => print_json(&json!({"key": a.key, "deleted": true})),
                Output::Text => eprintln!("deleted {}", a.key),
            }
        }
        StoreCmd::List => {
            let mut keys = c.list().await?;
            keys.sort();
            match cli.output {
                Output::Json => print_json(&json!({"count": keys.len(), "keys": keys})),
                Output::Text => {
                    for k in keys {
                        crate::outln!("{k}");
                    }
                }
            }
        }
    }
    Ok(())
}

/// Run `derive`: prints the key as hex (text) or JSON with hex and base64.
pub async fn run_derive(cli: &Cli, a: &DeriveArgs) -> Result<()> {
    let c = app_client(cli).await?;
    let key = c.derive(&a.path, &a.context, a.length).await?;
    match cli.output {
        Output::Json => print_json(&json!({
            "path": a.path,
            "context": a.context,
            "length": key.len(),
            "key_hex": hex::encode(&key),
            "key_b64": base64::engine::general_purpose::STANDARD.encode(&key),
        })),
        Output::Text => crate::outln!("{}", hex::encode(&key)),
    }
    Ok(())
}
