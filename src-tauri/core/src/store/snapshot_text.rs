//! The `snapshot_text` table: Ask's free-text index (FTS5) over the text of each snapshot's profile, playbook
//! notes and change summary, for questions no intent matches ("who mentioned the migration project?"). Rows are
//! derived in SQL from the stored document, so each row's `path` resolves with `json_extract(content, path)` to
//! the row's text by construction. Written in the snapshot's own transaction; the migration backfills older ones.

use std::collections::HashSet;

use sqlx::{Row, SqliteConnection};

use crate::error::Result;

/// Keep in step with `migrations/0003_ask_text.sql` (the backfill runs the same SELECT over every snapshot).
/// Each document is parsed once, into SQLite's binary JSONB, which every branch then reads (the same texts and
/// paths as reading the text), instead of once per branch.
macro_rules! text_select {
    () => {
        "WITH s AS MATERIALIZED (SELECT id, account_id, jsonb(content) AS content FROM snapshots \
      WHERE id IN (SELECT value FROM json_each(?1))) \
SELECT s.content ->> '$.profile.notes', s.id, s.account_id, '$.profile.notes' \
FROM s WHERE (s.content ->> '$.profile.notes') <> '' \
UNION ALL \
SELECT c.value, s.id, s.account_id, '$.profile.custom.\"' || c.key || '\"' \
FROM s, jsonb_each(s.content, '$.profile.custom') c \
WHERE c.type = 'text' AND instr(c.key, '\"') = 0 AND c.value <> '' \
UNION ALL \
SELECT p.value ->> '$.notes', s.id, s.account_id, '$.playbooks[' || p.key || '].notes' \
FROM s, jsonb_each(s.content, '$.playbooks') p WHERE (p.value ->> '$.notes') <> '' \
UNION ALL \
SELECT st.value ->> '$.note', s.id, s.account_id, '$.playbooks[' || p.key || '].steps[' || st.key || '].note' \
FROM s, jsonb_each(s.content, '$.playbooks') p, jsonb_each(p.value, '$.steps') st \
WHERE (st.value ->> '$.note') <> '' \
UNION ALL \
SELECT l.value, s.id, s.account_id, '$.changes.lines[' || l.key || ']' \
FROM s, jsonb_each(s.content, '$.changes.lines') l WHERE l.type = 'text' AND l.value <> ''"
    };
}

/// Indexes the text of the given snapshots (already inserted, same transaction).
#[tracing::instrument(skip_all, err)]
pub async fn index(conn: &mut SqliteConnection, snapshot_ids: &[i64]) -> Result<()> {
    if snapshot_ids.is_empty() {
        return Ok(());
    }
    sqlx::query(concat!(
        "INSERT INTO snapshot_text (body, snapshot_id, account_id, path) ",
        text_select!()
    ))
    .bind(serde_json::to_string(snapshot_ids)?)
    .execute(conn)
    .await?;
    Ok(())
}

/// Removes the texts of these accounts' snapshots (before the accounts are deleted: the index has no foreign
/// key to cascade from).
#[tracing::instrument(skip_all, err)]
pub async fn delete_of_accounts(conn: &mut SqliteConnection, account_ids: &[i64]) -> Result<()> {
    if account_ids.is_empty() {
        return Ok(());
    }
    sqlx::query("DELETE FROM snapshot_text WHERE account_id IN (SELECT value FROM json_each(?))")
        .bind(serde_json::to_string(account_ids)?)
        .execute(conn)
        .await?;
    Ok(())
}

/// One snapshot text that matched.
#[derive(Debug, Clone, PartialEq)]
pub struct TextHit {
    pub snapshot_id: i64,
    pub account_id: i64,
    pub path: String,
    pub text: String,
}

/// An FTS5 query requiring every term: each term a quoted string, so no word is read as an operator.
pub fn match_all(terms: &[String]) -> String {
    terms
        .iter()
        .map(|t| format!("\"{}\"", t.replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// How many matching rows are read before ranking: plenty for a short answer, bounded at any size.
const SCAN: i64 = 2000;

/// The texts containing every term (stemmed), newest first: every hit holds all the terms, so recency rather
/// than a relevance score orders them, and FTS5 stops after the rows it needs instead of scoring every match
/// (a note copied into 120,000 snapshots). A text that recurs in an account's snapshots (the same profile note
/// in each) counts once, from the newest snapshot holding it. Only the texts of `accounts` when any are given.
#[tracing::instrument(skip(conn), err)]
pub async fn search(
    conn: &mut SqliteConnection,
    terms: &[String],
    accounts: &[i64],
    limit: usize,
) -> Result<Vec<TextHit>> {
    if terms.is_empty() {
        return Ok(Vec::new());
    }
    let rows = sqlx::query(
        "SELECT snapshot_id, account_id, path, body FROM snapshot_text \
         WHERE snapshot_text MATCH ?1 \
           AND (?2 = '[]' OR account_id IN (SELECT value FROM json_each(?2))) \
         ORDER BY rowid DESC LIMIT ?3",
    )
    .bind(match_all(terms))
    .bind(serde_json::to_string(accounts)?)
    .bind(SCAN)
    .fetch_all(conn)
    .await?;
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for r in &rows {
        let hit = TextHit {
            snapshot_id: r.try_get(0)?,
            account_id: r.try_get(1)?,
            path: r.try_get(2)?,
            text: r.try_get(3)?,
        };
        // Rows are written with their snapshot, so the first of each (account, text) is the newest.
        if seen.insert((hit.account_id, hit.text.clone())) {
            out.push(hit);
            if out.len() == limit {
                break;
            }
        }
    }
    Ok(out)
}
