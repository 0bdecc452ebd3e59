//! `novakms serve` composition (design.md §6 "Daemon"): build the node state (`node`), start
//! its background tasks (node tick, replication, cleanup), serve the HTTP router (`api`) on
//! our own listener (`server`: connection caps and timeouts, issue 10) and the admin socket,
//! and shut down gracefully on SIGTERM/SIGINT. The one module that imports both `node` and
//! `api`, and the only importer of `server`.

use std::sync::Arc;
use std::time::Duration;

use crate::config::Settings;
use crate::error::{Error, Result};
use crate::identity::IdentityHandle;
use crate::node::{build_state, notify, purge, replicator, tick};

/// Run the node until SIGTERM/SIGINT: bind, start the node tick, serve; at a
/// signal: readiness off, drain in-flight requests (deadline
/// `shutdown_drain_seconds`), stop the tick, close the database, return Ok.
///
/// Errors: bind failure (Local), storage open (InUse / Integrity / Local),
/// chain unreachable at start (Remote), cluster binding mismatch (Refused).
///
/// `identity` is awaited by [`build_state`], alongside the database open.
pub async fn serve(
    settings: Settings,
    identity: impl std::future::Future<Output = Result<IdentityHandle>> + Send,
) -> Result<()> {
    let bind = settings.bind_addr.clone();
    let drain = Duration::from_secs(settings.shutdown_drain_seconds);
    let tick_every = Duration::from_secs(settings.node_tick_seconds.max(1));
    // TLS files are checked before anything else starts (a bad file is a Local error).
    let tls = crate::tls::server::ServerTls::from_settings(&settings)?;
    let st = build_state(settings, identity).await?;
    let listener = match crate::activation::inherited_listener()? {
        Some(l) => {
            let addr = l.local_addr().map(|a| a.to_string()).unwrap_or_default();
            tracing::info!(addr = %addr, "using the listening socket passed by socket activation (bind_addr ignored)");
            tokio::net::TcpListener::from_std(l)
                .map_err(|e| Error::local(format!("socket activation: {e}")))?
        }
        None => tokio::net::TcpListener::bind(&bind)
            .await
            .map_err(|e| Error::local(format!("cannot listen on {bind}: {e}")))?,
    };
    // systemd Type=notify: the process is up and answering /livez, /readyz
    // and /status; readiness for apps is reported through STATUS= lines.
    notify::notify("READY=1\nSTATUS=starting");
    tracing::info!(
        addr = %bind,
        tls = tls.is_some(),
        wallet = %st.wallet,
        storage = ?st.settings.storage,
        "novakms node listening"
    );

    let tick_state = st.clone();
    let ticker = tokio::spawn(async move {
        let mut pacer = crate::node::tick_pace::Pacer::default();
        loop {
            let started = std::time::Instant::now();
            tick::tick(&tick_state).await;
            tick_state
                .metrics
                .tick_duration
                .observe(started.elapsed().as_secs_f64());
            let r = tick_state.readiness();
            let period = pacer.next(tick_every, r.ready, &r.reason);
            tick_state.tick_wake.wait(period).await;
        }
    });

    // After an unclean stop: the full database verification, while serving.
    let _verification = crate::node::deferred_check::spawn(&st);
    // Replication (push per peer, snapshot pulls), cleanup and the admin socket.
    let replicator = replicator::spawn(st.clone());
    let purger = purge::spawn(st.clone());
    let admin = match crate::api::admin::start(st.clone()) {
        Ok(a) => a,
        Err(e) => {
            tracing::error!(error = %e, "admin socket unavailable: `novakms sync` cannot reach this node");
            None
        }
    };

    let app = crate::api::router(st.clone());
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let sig_state = st.clone();
    let signalled = shutdown_signal();
    tokio::spawn(async move {
        signalled.await;
        tracing::info!("shutdown requested: readiness off, draining");
        sig_state.begin_shutdown();
        let _ = stop_tx.send(());
    });
    if let Some(tls) = &tls {
        spawn_tls_reloader(tls.clone(), st.metrics.clone());
    }
    let limits = crate::server::Limits::from_settings(&st.settings);
    let server = crate::server::serve(listener, app, limits, tls, st.metrics.clone(), async move {
        let _ = stop_rx.await;
    });
    let mut server = Box::pin(server);
    let shutdown_started = st.clone();
    tokio::select! {
        () = &mut server => {}
        _ = async {
            while !shutdown_started.is_shutting_down() {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            tokio::time::sleep(drain).await;
        } => {
            tracing::warn!("drain deadline reached; closing remaining connections");
        }
    }
    ticker.abort();
    let _ = ticker.await;
    replicator.shutdown().await;
    purger.abort();
    let _ = purger.await;
    if let Some(admin) = admin {
        admin.shutdown().await;
    }
    drop(server);
    // Nothing writes anymore: close the database and leave the clean-shutdown marker, so the
    // next start skips the O(records) verification (`storage::redb::clean`).
    let storage = st.storage.clone();
    match tokio::task::spawn_blocking(move || storage.close()).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "orderly database close failed; the next start verifies the whole file")
        }
        Err(e) => tracing::warn!(error = %e, "database close task failed"),
    }
    // Last reference to the storage goes here: redb closes cleanly.
    match Arc::try_unwrap(st) {
        Ok(state) => drop(state),
        Err(_) => tracing::warn!("state still referenced at exit (a background task holds it)"),
    }
    tracing::info!("novakms node stopped");
    Ok(())
}

/// Reload the TLS certificate on every SIGHUP (issue 10): new connections get the new one; a
/// bad file keeps the old one and is logged (the error names the file, never its content) and
/// counted in `novakms_tls_reloads_total{result="error"}`. Only installed when TLS is on (a
/// plain-HTTP node keeps the default SIGHUP action).
fn spawn_tls_reloader(
    tls: Arc<crate::tls::server::ServerTls>,
    metrics: Arc<crate::metrics::Metrics>,
) {
    use tokio::signal::unix::{signal, SignalKind};
    let mut hup = match signal(SignalKind::hangup()) {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(error = %e, "cannot watch SIGHUP: the TLS certificate will not reload");
            return;
        }
    };
    tokio::spawn(async move {
        while hup.recv().await.is_some() {
            match tls.reload(&metrics) {
                Ok(()) => tracing::info!("SIGHUP: TLS certificate reloaded"),
                Err(e) => tracing::error!(
                    error = %e,
                    "SIGHUP: TLS certificate reload failed; still serving the previous certificate"
                ),
            }
        }
    });
}

/// Register for SIGTERM and SIGINT (the shutdown signals of `serve` and the devnet helpers)
/// **now**, and return a future that completes on the first of them. Registering before the
/// process announces itself (READY=1, the printed URL) matters: a signal that arrives between
/// the announcement and a late registration takes the default action and kills the process
/// with no orderly shutdown (seen as a failed `devnet odyn` exit under load).
pub(crate) fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    use tokio::signal::unix::{signal, SignalKind};
    let term = signal(SignalKind::terminate()).ok();
    let int = signal(SignalKind::interrupt()).ok();
    async move {
        let term = async {
            match term {
                Some(mut t) => {
                    t.recv().await;
                }
                None => std::future::pending().await,
            }
        };
        let int = async {
            match int {
                Some(mut i) => {
                    i.recv().await;
                }
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = term => {}
            _ = int => {}
        }
    }
}
