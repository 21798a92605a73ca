-- Ask's free-text index (SQLite FTS5, compiled into the bundled SQLite): the text of profiles (notes and custom
-- fields), playbook notes (and step notes) and change summaries, one row per text and snapshot, with the JSON path
-- that `json_extract(content, path)` on the snapshot resolves to the same text. Written in the snapshot's own
-- transaction by the one insert path (snapshot/take.rs -> store/snapshot_text.rs, which holds the same SELECT);
-- backfilled here for snapshots taken before this migration. Porter stemming: "onboard" finds "onboarding".
CREATE VIRTUAL TABLE snapshot_text USING fts5(
    body,
    snapshot_id UNINDEXED,
    account_id UNINDEXED,
    path UNINDEXED,
    tokenize = 'porter unicode61 remove_diacritics 2'
);

INSERT INTO snapshot_text (body, snapshot_id, account_id, path)
SELECT s.content ->> '$.profile.notes', s.id, s.account_id, '$.profile.notes'
FROM snapshots s WHERE 1 AND (s.content ->> '$.profile.notes') <> ''
UNION ALL
SELECT c.value, s.id, s.account_id, '$.profile.custom."' || c.key || '"'
FROM snapshots s, json_each(s.content, '$.profile.custom') c
WHERE 1 AND c.type = 'text' AND instr(c.key, '"') = 0 AND c.value <> ''
UNION ALL
SELECT p.value ->> '$.notes', s.id, s.account_id, '$.playbooks[' || p.key || '].notes'
FROM snapshots s, json_each(s.content, '$.playbooks') p WHERE 1 AND (p.value ->> '$.notes') <> ''
UNION ALL
SELECT st.value ->> '$.note', s.id, s.account_id, '$.playbooks[' || p.key || '].steps[' || st.key || '].note'
FROM snapshots s, json_each(s.content, '$.playbooks') p, json_each(p.value, '$.steps') st
WHERE 1 AND (st.value ->> '$.note') <> ''
UNION ALL
SELECT l.value, s.id, s.account_id, '$.changes.lines[' || l.key || ']'
FROM snapshots s, json_each(s.content, '$.changes.lines') l WHERE 1 AND l.type = 'text' AND l.value <> '';
