//! Group commit of app writes (design.md §3 "Acknowledge only after commit returns").
//!
//! A durable redb commit costs one or two fsyncs (milliseconds), far more than applying a
//! write. The [`Committer`] owns one OS thread that takes every queued app write, applies the
//! whole queue in ONE transaction ([`Storage::apply_local_batch`]), commits it durably, and only
//! then answers each waiting request. While a commit is in progress new writes queue up, so
//! under load one fsync acknowledges many writes; with a single writer a batch is one write and
//! latency equals the plain commit.
//!
//! Guarantees: a write's reply is sent only after the commit that contains it returned; if the
//! commit fails, every write of the batch gets the storage error (none is acknowledged). Writes
//! are applied in queue order, so two writes of one key keep their order.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use tokio::sync::{mpsc, oneshot};

use crate::clock::Clock;
use crate::error::Error;
use crate::metrics::Metrics;
use crate::storage::{LocalOutcome, LocalWrite, Storage, WriteError};
use crate::store::Limits;

/// Largest number of writes in one transaction; more queued writes wait for the next commit.
pub const MAX_BATCH_WRITES: usize = 512;

/// Queue capacity (writes); a full queue makes `submit` wait (back-pressure).
pub const QUEUE_CAPACITY: usize = 4096;

type Reply = oneshot::Sender<Result<LocalOutcome, WriteError>>;

/// Handle to the committer thread. Dropping it closes the queue, lets the thread finish the
/// queued writes and waits for it, so the storage is released (redb closes cleanly) when the
/// node state is dropped.
pub struct Committer {
    tx: Option<mpsc::Sender<(LocalWrite, Reply)>>,
    thread: Option<std::thread::JoinHandle<()>>,
    failing: Arc<AtomicBool>,
}

impl Drop for Committer {
    fn drop(&mut self) {
        self.tx.take();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Committer {
    /// Start the committer thread over `storage`, stamping writes with `clock` and `node_id`
    /// (canonical node wallet, the vector-clock id of protocol.md §6.10) and checking `limits`.
    /// Commit latency and batch sizes go to `metrics`.
    ///
    /// Errors: the OS refused to start a thread.
    pub fn start(
        storage: Arc<dyn Storage>,
        clock: Clock,
        node_id: String,
        limits: Limits,
        metrics: Arc<Metrics>,
    ) -> crate::Result<Committer> {
        let (tx, rx) = mpsc::channel(QUEUE_CAPACITY);
        let failing = Arc::new(AtomicBool::new(false));
        let flag = failing.clone();
        let thread = std::thread::Builder::new()
            .name("novakms-commit".into())
            .spawn(move || run(rx, storage, clock, node_id, limits, metrics, flag))
            .map_err(|e| Error::local(format!("cannot start the commit thread: {e}")))?;
        Ok(Committer {
            tx: Some(tx),
            thread: Some(thread),
            failing,
        })
    }

    /// True since the last commit failed (a storage failure: I/O error, disk full) and until a
    /// later commit succeeds or [`Committer::clear_failure`] is called. The node tick turns
    /// readiness off while it is set (reason `storage failing`) and probes the storage.
    pub fn failing(&self) -> bool {
        self.failing.load(Ordering::Acquire)
    }

    /// Forget the failure (after a successful storage probe).
    pub fn clear_failure(&self) {
        self.failing.store(false, Ordering::Release);
    }

    /// Queue `op` and wait until the transaction holding it committed durably.
    ///
    /// Returns the op's outcome, its own refusal (quota, size), or
    /// [`WriteError::Storage`] if its batch failed or the committer is gone.
    pub async fn submit(&self, op: LocalWrite) -> Result<LocalOutcome, WriteError> {
        let (reply, wait) = oneshot::channel();
        let Some(tx) = &self.tx else {
            return Err(WriteError::Storage(Error::local(
                "the commit thread has stopped",
            )));
        };
        if tx.send((op, reply)).await.is_err() {
            return Err(WriteError::Storage(Error::local(
                "the commit thread has stopped",
            )));
        }
        wait.await.unwrap_or_else(|_| {
            Err(WriteError::Storage(Error::local(
                "the commit thread dropped a write (it is not acknowledged)",
            )))
        })
    }
}

fn run(
    mut rx: mpsc::Receiver<(LocalWrite, Reply)>,
    storage: Arc<dyn Storage>,
    clock: Clock,
    node_id: String,
    limits: Limits,
    metrics: Arc<Metrics>,
    failing: Arc<AtomicBool>,
) {
    let mut ops = Vec::with_capacity(MAX_BATCH_WRITES);
    let mut replies = Vec::with_capacity(MAX_BATCH_WRITES);
    while let Some((op, reply)) = rx.blocking_recv() {
        ops.push(op);
        replies.push(reply);
        while ops.len() < MAX_BATCH_WRITES {
            match rx.try_recv() {
                Ok((op, reply)) => {
                    ops.push(op);
                    replies.push(reply);
                }
                Err(_) => break,
            }
        }
        let n = ops.len();
        let started = Instant::now();
        let result =
            storage.apply_local_batch(std::mem::take(&mut ops), &node_id, clock.now_ms(), &limits);
        metrics.observe_commit(n, started.elapsed(), result.is_ok());
        failing.store(result.is_err(), Ordering::Release);
        match result {
            Ok(outcomes) => {
                for (reply, outcome) in replies.drain(..).zip(outcomes) {
                    // The requester may have gone away (client disconnect): the write is
                    // committed all the same, nobody is left to tell.
                    let _ = reply.send(outcome);
                }
            }
            Err(e) => {
                tracing::error!(writes = n, error = %e, "group commit failed; no write of the batch is acknowledged");
                for reply in replies.drain(..) {
                    let _ = reply.send(Err(WriteError::Storage(e.clone())));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::{MemoryStorage, RedbStorage};

    fn limits() -> Limits {
        Limits::default()
    }

    fn put(app_id: u64, key: &str, v: &[u8]) -> LocalWrite {
        LocalWrite::Put {
            app_id,
            key: key.to_string(),
            value: v.to_vec(),
            ttl_ms: 0,
        }
    }

    async fn hammer(storage: Arc<dyn Storage>) {
        let metrics = Arc::new(Metrics::new());
        let c = Arc::new(
            Committer::start(
                storage.clone(),
                Clock::system(),
                "0x00000000000000000000000000000000000000aa".into(),
                limits(),
                metrics.clone(),
            )
            .unwrap(),
        );
        let mut tasks = Vec::new();
        for t in 0..16u64 {
            let c = c.clone();
            tasks.push(tokio::spawn(async move {
                let mut last = Vec::new();
                for i in 0..20u64 {
                    let v = format!("{t}-{i}").into_bytes();
                    match c
                        .submit(put(1 + t % 3, &format!("k{t}"), &v))
                        .await
                        .unwrap()
                    {
                        LocalOutcome::Put(o) => {
                            // Each write of this key by this task increments our clock entry.
                            assert_eq!(
                                o.record
                                    .version
                                    .get("0x00000000000000000000000000000000000000aa"),
                                i + 1
                            );
                        }
                        other => panic!("unexpected {other:?}"),
                    }
                    last = v;
                }
                (t, last)
            }));
        }
        for task in tasks {
            let (t, last) = task.await.unwrap();
            let rec = storage.get(1 + t % 3, &format!("k{t}")).unwrap().unwrap();
            assert_eq!(rec.value, last);
        }
        match c
            .submit(LocalWrite::Delete {
                app_id: 1,
                key: "k0".into(),
            })
            .await
            .unwrap()
        {
            LocalOutcome::Delete(Some(t)) => assert!(t.tombstone),
            other => panic!("unexpected {other:?}"),
        }
        match c
            .submit(LocalWrite::Delete {
                app_id: 1,
                key: "nope".into(),
            })
            .await
            .unwrap()
        {
            LocalOutcome::Delete(None) => {}
            other => panic!("unexpected {other:?}"),
        }
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, metrics.registry()).unwrap();
        // 16 x 20 puts + 2 deletes went through the committer; batches are at least one write.
        let line = text
            .lines()
            .find(|l| l.starts_with("novakms_commit_batch_writes_sum"))
            .unwrap();
        let sum: f64 = line.split_whitespace().last().unwrap().parse().unwrap();
        assert_eq!(sum, 322.0);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_writes_are_all_committed_in_order_redb() {
        let dir = tempfile::tempdir().unwrap();
        let s: Arc<dyn Storage> = Arc::new(RedbStorage::open(dir.path()).unwrap());
        hammer(s).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_writes_are_all_committed_in_order_memory() {
        hammer(Arc::new(MemoryStorage::new())).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failed_commit_acknowledges_nothing_and_raises_the_failing_flag() {
        use crate::storage::fault::{FaultKind, FaultSwitch, FaultyBackend};
        let dir = tempfile::tempdir().unwrap();
        let switch = FaultSwitch::new();
        let sw = switch.clone();
        let s: Arc<dyn Storage> = Arc::new(
            RedbStorage::open_with_backend(dir.path(), move |p| FaultyBackend::open(p, sw.clone()))
                .unwrap(),
        );
        let c = Arc::new(
            Committer::start(
                s.clone(),
                Clock::system(),
                "0x00000000000000000000000000000000000000aa".into(),
                limits(),
                Arc::new(Metrics::new()),
            )
            .unwrap(),
        );
        c.submit(put(1, "before", b"1")).await.unwrap();
        assert!(!c.failing());
        switch.fail_sync(FaultKind::Io);
        let mut tasks = Vec::new();
        for i in 0..8 {
            let c = c.clone();
            tasks.push(tokio::spawn(async move {
                c.submit(put(1, &format!("k{i}"), b"x")).await
            }));
        }
        for t in tasks {
            assert!(matches!(t.await.unwrap(), Err(WriteError::Storage(_))));
        }
        assert!(c.failing());
        switch.heal();
        c.submit(put(1, "after", b"2")).await.unwrap();
        assert!(!c.failing());
        assert_eq!(s.get(1, "before").unwrap().unwrap().value, b"1");
        assert_eq!(s.get(1, "after").unwrap().unwrap().value, b"2");
    }

    #[tokio::test]
    async fn a_refused_write_does_not_fail_its_batch() {
        let dir = tempfile::tempdir().unwrap();
        let s: Arc<dyn Storage> = Arc::new(RedbStorage::open(dir.path()).unwrap());
        let mut l = limits();
        l.max_value_bytes = 8;
        let c = Committer::start(
            s.clone(),
            Clock::system(),
            "0x00000000000000000000000000000000000000aa".into(),
            l,
            Arc::new(Metrics::new()),
        )
        .unwrap();
        let big = c.submit(put(1, "big", &[0u8; 1024]));
        let small = c.submit(put(1, "small", b"ok"));
        let (big, small) = tokio::join!(big, small);
        assert!(matches!(big, Err(WriteError::ValueTooLarge { .. })));
        assert!(matches!(small, Ok(LocalOutcome::Put(_))));
        assert!(s.get(1, "big").unwrap().is_none());
        assert_eq!(s.get(1, "small").unwrap().unwrap().value, b"ok");
    }
}
