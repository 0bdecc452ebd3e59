//! The KV store's pure logic (design.md §2 "store/"): records and their wire form, vector
//! clocks, the merge rule, inbound validation and namespace limits. No I/O here; persistence is
//! `crate::storage`.

pub mod digest;
pub mod limits;
pub mod merge;
pub mod record;
pub mod vclock;

pub use limits::{plan_eviction, EvictionCandidate, Limits, QuotaError, QuotaPolicy};
pub use merge::{merge, validate_inbound, MergeOutcome, MergeReport};
pub use record::Record;
pub use vclock::{ClockOrdering, VectorClock};
