//! The outbox and the AccountSnapshotSubscriber. A change writes its events in its own transaction
//! ([`outbox::record`]); the subscriber alone turns them into event-driven snapshots (PRODUCT.md §3).

pub mod outbox;
pub mod subscriber;

pub use subscriber::AccountSnapshotSubscriber;

/// Where the event types live: in `model`, so a module that records an event (an import, a health run, a playbook)
/// need not depend on this module, which depends on snapshots.
pub use crate::model::EventType;
