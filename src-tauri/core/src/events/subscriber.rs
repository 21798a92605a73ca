//! The AccountSnapshotSubscriber: takes pending events in order and, per event, creates an `event_driven`
//! snapshot or skips it under the account's cooldown. Each batch is one IMMEDIATE transaction that checks,
//! creates and marks events handled together, so a crash never loses or repeats an event, and two processes
//! (the app and the CLI) never make two snapshots inside one cooldown window.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::clock;
use crate::db::begin_write;
use crate::error::Result;
use crate::model::{ActivityItem, ProcessReport, SnapshotType};
use crate::snapshot::{cooldown, take};
use crate::store::{events as event_rows, snapshots};
use crate::Tideline;

const BATCH: i64 = 2000;
/// How often the app looks for events written by another process (the CLI with `--defer-events`).
pub const POLL_INTERVAL: Duration = Duration::from_secs(2);

#[derive(Clone)]
pub struct AccountSnapshotSubscriber {
    app: Tideline,
}

impl AccountSnapshotSubscriber {
    pub fn new(app: Tideline) -> Self {
        AccountSnapshotSubscriber { app }
    }

    /// Handles every pending event; returns what was done, in order.
    pub async fn process_pending(&self) -> Result<ProcessReport> {
        let mut report = ProcessReport::default();
        loop {
            let items = self.process_batch().await?;
            if items.is_empty() {
                break;
            }
            for item in items {
                report.processed += 1;
                match item.snapshot_id {
                    Some(id) if item.outcome == "created" => report.created.push(id),
                    _ => report.skipped += 1,
                }
                report.items.push(item);
            }
        }
        Ok(report)
    }

    #[tracing::instrument(skip_all, err)]
    async fn process_batch(&self) -> Result<Vec<ActivityItem>> {
        let cooldown_seconds = self.app.settings()?.cooldown_seconds;
        let mut tx = begin_write(self.app.pool()).await?;
        // Read under the write lock, so an event is never stamped before a snapshot that commits ahead of it.
        let now = self.app.now();
        let now_text = clock::to_db(now);
        let events = event_rows::pending(&mut tx, BATCH).await?;
        if events.is_empty() {
            return Ok(Vec::new());
        }
        let mut accounts: Vec<i64> = events.iter().map(|e| e.account_id).collect();
        accounts.sort_unstable();
        accounts.dedup();
        let mut newest: HashMap<i64, Option<DateTime<Utc>>> =
            HashMap::with_capacity(accounts.len());
        for (account, at) in snapshots::newest_times(&mut tx, &accounts).await? {
            newest.insert(account, Some(snapshots::parse_time(&at)?));
        }

        // Decide every event in order; the snapshots to create are then made together.
        let mut items = Vec::with_capacity(events.len());
        let mut creates: Vec<(usize, i64)> = Vec::new();
        for mut item in events {
            let account_id = item.account_id;
            let last = newest.get(&account_id).copied().flatten();
            item.outcome = "skipped".into();
            item.handled_at = Some(now_text.clone());
            match cooldown::remaining(last, now, cooldown_seconds) {
                Some(left) => item.cooldown_remaining_seconds = Some(left),
                None => {
                    item.outcome = "created".into();
                    creates.push((items.len(), account_id));
                    newest.insert(account_id, Some(now));
                }
            }
            items.push(item);
        }
        let requests: Vec<(i64, SnapshotType, &str)> = creates
            .iter()
            .map(|(i, account)| {
                (
                    *account,
                    SnapshotType::EventDriven,
                    items[*i].trigger_event.as_str(),
                )
            })
            .collect();
        let made = take::create_many(&mut tx, &requests, &now_text).await?;
        for ((i, _), snap) in creates.iter().zip(&made) {
            items[*i].snapshot_id = Some(snap.id);
        }
        let outcomes: Vec<_> = items
            .iter()
            .map(|i| event_rows::Outcome {
                event_id: i.event_id,
                outcome: &i.outcome,
                snapshot_id: i.snapshot_id,
                cooldown_remaining_seconds: i.cooldown_remaining_seconds,
            })
            .collect();
        event_rows::mark_handled(&mut tx, &outcomes, &now_text).await?;
        tx.commit().await?;
        // Logged after the commit, so the log never claims a snapshot that was rolled back.
        for item in &items {
            match (item.snapshot_id, item.cooldown_remaining_seconds) {
                (Some(id), _) => tracing::info!(
                    "✅ Auto-created snapshot {id} for account {} (trigger: {})",
                    item.account_name,
                    item.trigger_event
                ),
                (None, Some(left)) => {
                    tracing::info!(
                        "Skipping snapshot for account {} (cooldown: {left}s remaining)",
                        item.account_id
                    )
                }
                (None, None) => {}
            }
        }
        Ok(items)
    }

    /// The app's background task: handles pending events at start, then whenever a change is committed in this
    /// process, and every [`POLL_INTERVAL`] for changes made by another process. Stops when `stop` turns true.
    pub async fn run<F>(self, on_item: F, mut stop: tokio::sync::watch::Receiver<bool>)
    where
        F: Fn(&ActivityItem) + Send + Sync + 'static,
    {
        let notify = self.app.events_notify();
        loop {
            match self.process_pending().await {
                Ok(report) => report.items.iter().for_each(&on_item),
                Err(e) => tracing::error!("snapshot subscriber: {e} (will retry)"),
            }
            tokio::select! {
                _ = notify.notified() => {}
                _ = tokio::time::sleep(POLL_INTERVAL) => {}
                changed = stop.changed() => {
                    if changed.is_err() || *stop.borrow() {
                        break;
                    }
                }
            }
        }
    }
}

impl Tideline {
    /// Handles every pending event now (what `events process` does; the app does it continuously).
    pub async fn process_events(&self) -> Result<ProcessReport> {
        AccountSnapshotSubscriber::new(self.clone())
            .process_pending()
            .await
    }

    /// The Activity feed: events and what became of them, newest first.
    pub async fn activity(&self, limit: u32) -> Result<Vec<ActivityItem>> {
        let mut conn = self.pool().acquire().await?;
        event_rows::activity(&mut conn, limit).await
    }
}
