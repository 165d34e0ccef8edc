-- Every statement the store and the migrator run against SQLite.
-- Design criteria: postgres/queries.sql has the same names with the same @parameters (a test
-- checks it), so the C# side is one code path for both databases. Statements touch one grain's
-- rows by primary key; nothing scans the journal.

-- name: ping
SELECT 1;

-- name: schema_version_table_exists
SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version';

-- name: read_schema_version
SELECT COALESCE(MAX(version), 0) FROM schema_version;

-- name: lock_schema
-- The migration transaction is BEGIN IMMEDIATE, which already holds SQLite's single write lock.
SELECT 1;

-- name: record_schema_version
INSERT INTO schema_version (version, applied_at) VALUES (@version, @applied_at);

-- name: configure_database
-- WAL lets readers go on while a writer commits; the setting is kept in the file.
PRAGMA journal_mode = WAL;

-- name: append_event
INSERT INTO journal (grain_type, grain_key, seq, payload, recorded_at)
VALUES (@grain_type, @grain_key, @seq, @payload, @recorded_at);

-- name: read_events
SELECT seq, payload, recorded_at FROM journal
WHERE grain_type = @grain_type AND grain_key = @grain_key AND seq > @after_seq
ORDER BY seq
LIMIT @max_count;

-- name: read_snapshot
SELECT seq, payload FROM snapshot WHERE grain_type = @grain_type AND grain_key = @grain_key;

-- name: write_snapshot
INSERT INTO snapshot (grain_type, grain_key, seq, payload)
VALUES (@grain_type, @grain_key, @seq, @payload)
ON CONFLICT (grain_type, grain_key) DO UPDATE SET seq = excluded.seq, payload = excluded.payload
WHERE excluded.seq > snapshot.seq;

-- name: read_data_protection_keys
SELECT xml FROM data_protection_keys ORDER BY friendly_name;

-- name: lock_key_ring
-- The key-ring transaction is BEGIN IMMEDIATE, which already holds SQLite's single write lock.
SELECT 1;

-- name: write_data_protection_key
INSERT INTO data_protection_keys (friendly_name, xml) VALUES (@friendly_name, @xml)
ON CONFLICT (friendly_name) DO NOTHING;

-- name: mark_handover
-- A row already there (an activation that did not end cleanly) keeps its since_seq, which is returned.
INSERT INTO handover (grain_type, grain_key, since_seq, token) VALUES (@grain_type, @grain_key, @seq, @token)
ON CONFLICT (grain_type, grain_key) DO UPDATE SET token = excluded.token
RETURNING since_seq;

-- name: clear_handover
DELETE FROM handover WHERE grain_type = @grain_type AND grain_key = @grain_key AND token = @token;

-- name: list_handovers
SELECT grain_type, grain_key, since_seq, token FROM handover ORDER BY grain_type, grain_key;
