//! The node's one write path (design.md §3 "Acknowledge only after commit returns"): group
//! commit of app writes, and the commits of records merged from peers.
//!
//! A durable redb commit costs one or two fsyncs (milliseconds), far more than applying a
//! write. The [`Committer`] owns one OS thread that takes every queued app write, applies the
//! whole queue in ONE transaction ([`Storage::apply_local_batch`]), commits it durably, and only
//! then answers each waiting request. While a commit is in progress new writes queue up, so
//! under load one fsync acknowledges many writes; with a single writer a batch is one write and
//! latency equals the plain commit. Records received from peers (a `/sync` delta, a snapshot
//! pull) are validated by the caller (`node::ingest`) and merged here too
//! ([`Committer::submit_merge`], one transaction per submitted chunk), so every write of the
//! node goes through one queue and one failure flag.
//!
//! Guarantees:
//! * a write's reply is sent only after the commit that contains it returned; if the commit
//!   fails, every write of the batch gets the storage error (none is acknowledged);
//! * writes and merges are applied in queue order, so two writes of one key keep their order;
//! * any failed commit, local or merge, raises [`Committer::failing`] (the node tick turns
//!   readiness off, reason `storage failing`) until a later commit succeeds or a storage probe
//!   clears it;
//! * a write submitted with a deadline is checked against it on the commit thread just before
//!   its batch is applied: past it, the write is dropped from the batch and answered
//!   [`WriteError::DeadlineExceeded`], so a request that waited out its client (a node frozen
//!   mid-request, a long queue) is never applied later (issue 10 "request deadlines").

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use tokio::sync::{mpsc, oneshot};

use crate::clock::Clock;
use crate::error::Error;
use crate::metrics::Metrics;
use crate::storage::{LocalOutcome, LocalWrite, PutOutcome, Storage, WriteError};
use crate::store::{Limits, MergeReport, Record};

/// Largest number of writes in one transaction; more queued writes wait for the next commit.
pub const MAX_BATCH_WRITES: usize = 512;

/// Queue capacity (writes); a full queue makes `submit` wait (back-pressure).
pub const QUEUE_CAPACITY: usize = 4096;

type Reply = oneshot::Sender<Result<LocalOutcome, WriteError>>;

/// Records received from a peer, validated, to merge into one namespace in one transaction.
struct Merge {
    app_id: u64,
    records: Vec<Record>,
    origin: Option<String>,
    reply: oneshot::Sender<crate::Result<MergeReport>>,
}

/// One queued job of the commit thread.
enum Job {
    /// A local app write, batched with its neighbours, with its deadline (`None`: none).
    Local(LocalWrite, Reply, Option<Instant>),
    /// A merge of replicated records, committed on its own.
    Merge(Merge),
}

/// Handle to the committer thread. Dropping it closes the queue, lets the thread finish the
/// queued writes and waits for it, so the storage is released (redb closes cleanly) when the
/// node state is dropped.
pub struct Committer {
    tx: Option<mpsc::Sender<Job>>,
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

fn stopped() -> Error {
    Error::local("the commit thread has stopped")
}

fn dropped() -> Error {
    Error::local("the commit thread dropped a write (it is not acknowledged)")
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
        let worker = Worker {
            storage,
            clock,
            node_id,
            limits,
            metrics,
            failing: failing.clone(),
        };
        let thread = std::thread::Builder::new()
            .name("novakms-commit".into())
            .spawn(move || worker.run(rx))
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

    async fn send(&self, job: Job) -> Result<(), Error> {
        let Some(tx) = &self.tx else {
            return Err(stopped());
        };
        tx.send(job).await.map_err(|_| stopped())
    }

    /// Queue `op` and wait until the transaction holding it committed durably. With a
    /// `deadline`, the op is applied only if the commit thread reaches it before then.
    ///
    /// Returns the op's outcome, its own refusal (quota, size),
    /// [`WriteError::DeadlineExceeded`] (not applied), or [`WriteError::Storage`] if its batch
    /// failed or the committer is gone.
    pub async fn submit(
        &self,
        op: LocalWrite,
        deadline: Option<Instant>,
    ) -> Result<LocalOutcome, WriteError> {
        if deadline.is_some_and(|d| Instant::now() >= d) {
            return Err(WriteError::DeadlineExceeded);
        }
        let (reply, wait) = oneshot::channel();
        self.send(Job::Local(op, reply, deadline)).await?;
        wait.await
            .unwrap_or_else(|_| Err(WriteError::Storage(dropped())))
    }

    /// Local PUT of ciphertext `value` under `(app_id, key)` with `ttl_ms` (0 = no expiry),
    /// acknowledged after its durable commit (semantics of [`Storage::put_local`]).
    ///
    /// Applied only before `deadline` (see [`Committer::submit`]).
    ///
    /// Errors: [`WriteError::QuotaExceeded`] / [`WriteError::ValueTooLarge`] /
    /// [`WriteError::DeadlineExceeded`] (nothing changed), [`WriteError::Storage`] (not
    /// acknowledged).
    pub async fn submit_put(
        &self,
        app_id: u64,
        key: String,
        value: Vec<u8>,
        ttl_ms: u64,
        deadline: Instant,
    ) -> Result<PutOutcome, WriteError> {
        let op = LocalWrite::Put {
            app_id,
            key,
            value,
            ttl_ms,
        };
        match self.submit(op, Some(deadline)).await? {
            LocalOutcome::Put(o) => Ok(o),
            // `apply_local_batch` answers each slot with its own op's kind.
            LocalOutcome::Delete(_) => Err(WriteError::Storage(Error::local(
                "storage answered a put with a delete outcome",
            ))),
        }
    }

    /// Local DELETE of `(app_id, key)`, acknowledged after the tombstone's durable commit
    /// (semantics of [`Storage::delete_local`]): `Some(tombstone)` if a live record was
    /// deleted, `None` if there was none. Applied only before `deadline`.
    ///
    /// Errors: [`WriteError::DeadlineExceeded`] (nothing changed), [`WriteError::Storage`]
    /// (not acknowledged).
    pub async fn submit_delete(
        &self,
        app_id: u64,
        key: String,
        deadline: Instant,
    ) -> Result<Option<Record>, WriteError> {
        match self
            .submit(LocalWrite::Delete { app_id, key }, Some(deadline))
            .await?
        {
            LocalOutcome::Delete(d) => Ok(d),
            LocalOutcome::Put(_) => Err(WriteError::Storage(Error::local(
                "storage answered a delete with a put outcome",
            ))),
        }
    }

    /// Merge validated `records` received from the peer with canonical wallet `origin` into
    /// namespace `app_id` in one durable transaction (semantics of
    /// [`Storage::merge_remote_from`], protocol.md §6.6), queued behind the writes before it.
    ///
    /// Errors: the storage error of a failed commit (nothing of the chunk is written, and
    /// [`Committer::failing`] is raised), or kind Local when the committer is gone.
    pub async fn submit_merge(
        &self,
        app_id: u64,
        records: Vec<Record>,
        origin: Option<&str>,
    ) -> crate::Result<MergeReport> {
        let (reply, wait) = oneshot::channel();
        self.send(Job::Merge(Merge {
            app_id,
            records,
            origin: origin.map(str::to_string),
            reply,
        }))
        .await?;
        wait.await.unwrap_or_else(|_| Err(dropped()))
    }
}

/// Answer and remove every write whose deadline is at or before `now` (module doc); the three
/// vectors stay aligned, `deadlines` is emptied.
fn drop_expired(
    ops: &mut Vec<LocalWrite>,
    replies: &mut Vec<Reply>,
    deadlines: &mut Vec<Option<Instant>>,
    now: Instant,
) {
    if deadlines.iter().all(|d| d.is_none_or(|d| d > now)) {
        deadlines.clear();
        return;
    }
    let kept: Vec<(LocalWrite, Reply)> = std::mem::take(ops)
        .into_iter()
        .zip(std::mem::take(replies))
        .zip(deadlines.drain(..))
        .filter_map(|(pair, d)| match d {
            Some(d) if d <= now => {
                tracing::warn!("write dropped: its request deadline passed while it was queued");
                let _ = pair.1.send(Err(WriteError::DeadlineExceeded));
                None
            }
            _ => Some(pair),
        })
        .collect();
    for (op, reply) in kept {
        ops.push(op);
        replies.push(reply);
    }
}

/// The commit thread's state.
struct Worker {
    storage: Arc<dyn Storage>,
    clock: Clock,
    node_id: String,
    limits: Limits,
    metrics: Arc<Metrics>,
    failing: Arc<AtomicBool>,
}

impl Worker {
    fn run(self, mut rx: mpsc::Receiver<Job>) {
        let mut ops = Vec::with_capacity(MAX_BATCH_WRITES);
        let mut replies = Vec::with_capacity(MAX_BATCH_WRITES);
        let mut deadlines = Vec::with_capacity(MAX_BATCH_WRITES);
        let mut next: Option<Job> = None;
        loop {
            let job = match next.take() {
                Some(j) => j,
                None => match rx.blocking_recv() {
                    Some(j) => j,
                    None => return,
                },
            };
            let (op, reply, deadline) = match job {
                Job::Merge(m) => {
                    self.merge(m);
                    continue;
                }
                Job::Local(op, reply, deadline) => (op, reply, deadline),
            };
            ops.push(op);
            replies.push(reply);
            deadlines.push(deadline);
            // Take every local write already queued, up to a merge (kept for after the batch).
            while ops.len() < MAX_BATCH_WRITES {
                match rx.try_recv() {
                    Ok(Job::Local(op, reply, deadline)) => {
                        ops.push(op);
                        replies.push(reply);
                        deadlines.push(deadline);
                    }
                    Ok(m @ Job::Merge(_)) => {
                        next = Some(m);
                        break;
                    }
                    Err(_) => break,
                }
            }
            drop_expired(&mut ops, &mut replies, &mut deadlines, Instant::now());
            if !ops.is_empty() {
                self.commit_batch(&mut ops, &mut replies);
            }
        }
    }

    fn commit_batch(&self, ops: &mut Vec<LocalWrite>, replies: &mut Vec<Reply>) {
        let n = ops.len();
        let started = Instant::now();
        let result = self.storage.apply_local_batch(
            std::mem::take(ops),
            &self.node_id,
            self.clock.now_ms(),
            &self.limits,
        );
        self.metrics
            .observe_commit(n, started.elapsed(), result.is_ok());
        self.failing.store(result.is_err(), Ordering::Release);
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

    fn merge(&self, m: Merge) {
        let n = m.records.len();
        let started = Instant::now();
        let result =
            self.storage
                .merge_remote_from(m.app_id, m.records, &self.limits, m.origin.as_deref());
        self.metrics
            .observe_commit(n, started.elapsed(), result.is_ok());
        self.failing.store(result.is_err(), Ordering::Release);
        if let Err(e) = &result {
            tracing::error!(app_id = m.app_id, records = n, error = %e, "merge commit failed; the chunk is not applied");
        }
        let _ = m.reply.send(result);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::{MemoryStorage, RedbStorage};

    const NODE: &str = "0x00000000000000000000000000000000000000aa";

    fn limits() -> Limits {
        Limits::default()
    }

    /// A deadline no test reaches.
    fn far() -> Instant {
        Instant::now() + std::time::Duration::from_secs(3600)
    }

    /// A redb storage on a disk whose faults the returned switch injects.
    fn faulty_redb() -> (
        tempfile::TempDir,
        crate::storage::fault::FaultSwitch,
        Arc<dyn Storage>,
    ) {
        use crate::storage::fault::{FaultSwitch, FaultyBackend};
        let dir = tempfile::tempdir().unwrap();
        let switch = FaultSwitch::new();
        let sw = switch.clone();
        let s: Arc<dyn Storage> = Arc::new(
            RedbStorage::open_with_backend(dir.path(), move |p| FaultyBackend::open(p, sw.clone()))
                .unwrap(),
        );
        (dir, switch, s)
    }

    /// A committer over `storage` with node id [`NODE`], the system clock and `limits`.
    fn start(storage: &Arc<dyn Storage>, limits: Limits, metrics: Arc<Metrics>) -> Committer {
        Committer::start(
            storage.clone(),
            Clock::system(),
            NODE.into(),
            limits,
            metrics,
        )
        .unwrap()
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
        let c = Arc::new(start(&storage, limits(), metrics.clone()));
        let mut tasks = Vec::new();
        for t in 0..16u64 {
            let c = c.clone();
            tasks.push(tokio::spawn(async move {
                let mut last = Vec::new();
                for i in 0..20u64 {
                    let v = format!("{t}-{i}").into_bytes();
                    match c
                        .submit(put(1 + t % 3, &format!("k{t}"), &v), None)
                        .await
                        .unwrap()
                    {
                        LocalOutcome::Put(o) => {
                            // Each write of this key by this task increments our clock entry.
                            assert_eq!(o.record.version.get(NODE), i + 1);
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
            .submit(
                LocalWrite::Delete {
                    app_id: 1,
                    key: "k0".into(),
                },
                None,
            )
            .await
            .unwrap()
        {
            LocalOutcome::Delete(Some(t)) => assert!(t.tombstone),
            other => panic!("unexpected {other:?}"),
        }
        match c
            .submit(
                LocalWrite::Delete {
                    app_id: 1,
                    key: "nope".into(),
                },
                None,
            )
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
        let (_dir, switch, s) = faulty_redb();
        let c = Arc::new(start(&s, limits(), Arc::new(Metrics::new())));
        c.submit(put(1, "before", b"1"), None).await.unwrap();
        assert!(!c.failing());
        switch.fail_sync(crate::storage::fault::FaultKind::Io);
        let mut tasks = Vec::new();
        for i in 0..8 {
            let c = c.clone();
            tasks.push(tokio::spawn(async move {
                c.submit(put(1, &format!("k{i}"), b"x"), None).await
            }));
        }
        for t in tasks {
            assert!(matches!(t.await.unwrap(), Err(WriteError::Storage(_))));
        }
        assert!(c.failing());
        switch.heal();
        c.submit(put(1, "after", b"2"), None).await.unwrap();
        assert!(!c.failing());
        assert_eq!(s.get(1, "before").unwrap().unwrap().value, b"1");
        assert_eq!(s.get(1, "after").unwrap().unwrap().value, b"2");
    }

    #[tokio::test]
    async fn a_refused_write_does_not_fail_its_batch() {
        let dir = tempfile::tempdir().unwrap();
        let s: Arc<dyn Storage> = Arc::new(RedbStorage::open(dir.path()).unwrap());
        let mut l = limits();
        l.max_kv_value_size_bytes = 8;
        let c = start(&s, l, Arc::new(Metrics::new()));
        let big = c.submit(put(1, "big", &[0u8; 1024]), None);
        let small = c.submit(put(1, "small", b"ok"), None);
        let (big, small) = tokio::join!(big, small);
        assert!(matches!(big, Err(WriteError::ValueTooLarge { .. })));
        assert!(matches!(small, Ok(LocalOutcome::Put(_))));
        assert!(s.get(1, "big").unwrap().is_none());
        assert_eq!(s.get(1, "small").unwrap().unwrap().value, b"ok");
    }

    fn remote(key: &str, node: &str, counter: u64, v: &[u8]) -> Record {
        Record {
            key: key.to_string(),
            value: v.to_vec(),
            version: crate::store::VectorClock::from([(node, counter)]),
            updated_at_ms: 1,
            tombstone: false,
            ttl_ms: 0,
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failed_merge_commit_raises_the_failing_flag_and_writes_nothing() {
        let (_dir, switch, s) = faulty_redb();
        let c = start(&s, limits(), Arc::new(Metrics::new()));
        switch.fail_sync(crate::storage::fault::FaultKind::Io);
        let recs = vec![remote("a", "0xbb", 1, b"x"), remote("b", "0xbb", 1, b"y")];
        assert!(c.submit_merge(3, recs.clone(), Some("0xbb")).await.is_err());
        assert!(
            c.failing(),
            "a failed merge commit must raise the failing flag"
        );
        switch.heal();
        assert!(s.get(3, "a").unwrap().is_none());
        let r = c.submit_merge(3, recs, Some("0xbb")).await.unwrap();
        assert_eq!((r.total, r.merged), (2, 2));
        assert!(!c.failing(), "a successful merge commit clears the flag");
        assert_eq!(s.get(3, "b").unwrap().unwrap().value, b"y");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn merges_and_local_writes_apply_in_queue_order() {
        let s: Arc<dyn Storage> = Arc::new(MemoryStorage::new());
        let c = Arc::new(start(&s, limits(), Arc::new(Metrics::new())));
        // A local put, then a remote record that happened after it (its clock dominates the
        // local one), then a local put again: the final clock must show all three in order.
        let first = c
            .submit_put(1, "k".into(), b"local-1".to_vec(), 0, far())
            .await
            .unwrap();
        let mut newer = first.record.clone();
        newer.version = newer
            .version
            .merge_max(&crate::store::VectorClock::from([("0xbb", 1)]));
        newer.value = b"remote".to_vec();
        let (m, p) = tokio::join!(c.submit_merge(1, vec![newer], Some("0xbb")), async {
            // Queued after the merge (the merge is sent first on this task's poll order).
            tokio::task::yield_now().await;
            c.submit_put(1, "k".into(), b"local-2".to_vec(), 0, far())
                .await
        });
        assert_eq!(m.unwrap().merged, 1);
        let last = p.unwrap().record;
        assert_eq!(last.version.get("0xbb"), 1, "the put saw the merged clock");
        assert_eq!(last.version.get(NODE), 2);
        assert_eq!(s.get(1, "k").unwrap().unwrap().value, b"local-2");
        assert!(matches!(
            c.submit_delete(1, "missing".into(), far()).await,
            Ok(None)
        ));
    }

    #[tokio::test]
    async fn a_write_past_its_deadline_is_refused_and_never_applied() {
        let storage: Arc<dyn Storage> = Arc::new(MemoryStorage::new());
        let c = start(&storage, limits(), Arc::new(Metrics::new()));
        let past = Instant::now();
        let r = c.submit_put(1, "late".into(), b"x".to_vec(), 0, past).await;
        assert!(matches!(r, Err(WriteError::DeadlineExceeded)), "{r:?}");
        let r = c.submit_delete(1, "late".into(), past).await;
        assert!(matches!(r, Err(WriteError::DeadlineExceeded)), "{r:?}");
        // A write in time is applied; the late one never was.
        c.submit_put(1, "on-time".into(), b"y".to_vec(), 0, far())
            .await
            .unwrap();
        assert!(storage.get(1, "late").unwrap().is_none());
        assert!(storage.get(1, "on-time").unwrap().is_some());
    }

    #[test]
    fn the_commit_thread_drops_exactly_the_expired_writes_of_a_batch() {
        let now = Instant::now();
        let soon = now + std::time::Duration::from_secs(5);
        let mut ops = vec![put(1, "a", b"1"), put(1, "b", b"2"), put(1, "c", b"3")];
        let (mut replies, mut waits): (Vec<Reply>, Vec<_>) =
            (0..3).map(|_| oneshot::channel()).unzip();
        let mut deadlines = vec![None, Some(now), Some(soon)];
        drop_expired(&mut ops, &mut replies, &mut deadlines, now);
        assert_eq!(ops.len(), 2);
        assert_eq!(replies.len(), 2);
        assert!(deadlines.is_empty());
        let kept: Vec<String> = ops
            .iter()
            .map(|o| match o {
                LocalWrite::Put { key, .. } | LocalWrite::Delete { key, .. } => key.clone(),
            })
            .collect();
        assert_eq!(kept, ["a", "c"]);
        assert!(matches!(
            waits[1].try_recv(),
            Ok(Err(WriteError::DeadlineExceeded))
        ));
        assert!(
            waits[0].try_recv().is_err(),
            "a kept write is not answered yet"
        );
    }
}
