//! The AccountSnapshotSubscriber: takes pending events in order and, per event, creates an `event_driven`
//! snapshot or skips it under the account's cooldown. Each batch is one IMMEDIATE transaction that checks,
//! creates and marks events handled together, so a crash never loses or repeats an event, and two processes
//! (the app and the CLI) never make two snapshots inside one cooldown window.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::Row;

use crate::clock;
use crate::db::begin_write;
use crate::error::Result;
use crate::model::{ActivityItem, ProcessReport, SnapshotType};
use crate::snapshot::{cooldown, store};
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
        let events = sqlx::query(
            "SELECT e.id, e.event_type, e.trigger_event, e.account_id, a.name, e.source, e.created_at \
             FROM events e JOIN accounts a ON a.id = e.account_id \
             WHERE e.handled_at IS NULL ORDER BY e.id LIMIT ?",
        )
        .bind(BATCH)
        .fetch_all(&mut *tx)
        .await?;
        if events.is_empty() {
            return Ok(Vec::new());
        }
        let mut accounts: Vec<i64> = events.iter().map(|e| e.get(3)).collect();
        accounts.sort_unstable();
        accounts.dedup();
        let mut newest: HashMap<i64, Option<DateTime<Utc>>> =
            HashMap::with_capacity(accounts.len());
        for (account, at) in store::newest_times(&mut tx, &accounts).await? {
            newest.insert(account, Some(store::parse_time(&at)?));
        }

        // Decide every event in order; the snapshots to create are then made together.
        let mut items = Vec::with_capacity(events.len());
        let mut creates: Vec<(usize, i64)> = Vec::new();
        for ev in &events {
            let account_id: i64 = ev.get(3);
            let last = newest.get(&account_id).copied().flatten();
            let mut item = ActivityItem {
                event_id: ev.get(0),
                event_type: ev.get(1),
                trigger_event: ev.get(2),
                account_id,
                account_name: ev.get(4),
                source: ev.get(5),
                created_at: ev.get(6),
                outcome: "skipped".into(),
                snapshot_id: None,
                cooldown_remaining_seconds: None,
                handled_at: Some(now_text.clone()),
            };
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
        let made = store::create_many(&mut tx, &requests, &now_text).await?;
        for ((i, _), snap) in creates.iter().zip(&made) {
            items[*i].snapshot_id = Some(snap.id);
        }
        let outcomes: Vec<_> = items
            .iter()
            .map(|i| {
                (
                    i.event_id,
                    &i.outcome,
                    i.snapshot_id,
                    i.cooldown_remaining_seconds,
                )
            })
            .collect();
        sqlx::query(
            "UPDATE events SET handled_at = ?1, outcome = j.value->>1, snapshot_id = j.value->>2, \
                 cooldown_remaining_seconds = j.value->>3 \
             FROM json_each(?2) j WHERE events.id = j.value->>0",
        )
        .bind(&now_text)
        .bind(serde_json::to_string(&outcomes)?)
        .execute(&mut *tx)
        .await?;
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
        let rows = sqlx::query(
            "SELECT e.id, e.event_type, e.trigger_event, e.account_id, a.name, e.source, e.created_at, \
                    e.outcome, e.snapshot_id, e.cooldown_remaining_seconds, e.handled_at \
             FROM events e JOIN accounts a ON a.id = e.account_id ORDER BY e.id DESC LIMIT ?",
        )
        .bind(i64::from(limit))
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| ActivityItem {
                event_id: r.get(0),
                event_type: r.get(1),
                trigger_event: r.get(2),
                account_id: r.get(3),
                account_name: r.get(4),
                source: r.get(5),
                created_at: r.get(6),
                outcome: r
                    .get::<Option<String>, _>(7)
                    .unwrap_or_else(|| "pending".into()),
                snapshot_id: r.get(8),
                cooldown_remaining_seconds: r.get::<Option<i64>, _>(9).map(|v| v as u32),
                handled_at: r.get(10),
            })
            .collect())
    }
}
