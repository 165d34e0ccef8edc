-- Every statement the store and the migrator run against PostgreSQL.
-- Design criteria: sqlite/queries.sql has the same names with the same @parameters (a test
-- checks it), so the C# side is one code path for both databases. Statements touch one grain's
-- rows by primary key; nothing scans the journal.

-- name: ping
SELECT 1;

-- name: schema_version_table_exists
SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'schema_version';

-- name: read_schema_version
SELECT COALESCE(MAX(version), 0) FROM schema_version;

-- name: lock_schema
-- Several silos may start at once against one database; one migrates, the others wait and re-read.
SELECT pg_advisory_xact_lock(7428301);

-- name: record_schema_version
INSERT INTO schema_version (version, applied_at) VALUES (@version, @applied_at);

-- name: configure_database
SELECT 1;

-- name: append_event
INSERT INTO journal (grain_type, grain_key, seq, payload, recorded_at)
VALUES (@grain_type, @grain_key, @seq, CAST(@payload AS jsonb), @recorded_at);

-- name: read_events
SELECT seq, payload::text, recorded_at FROM journal
WHERE grain_type = @grain_type AND grain_key = @grain_key AND seq > @after_seq
ORDER BY seq
LIMIT @max_count;

-- name: read_snapshot
SELECT seq, payload::text FROM snapshot WHERE grain_type = @grain_type AND grain_key = @grain_key;

-- name: write_snapshot
INSERT INTO snapshot (grain_type, grain_key, seq, payload)
VALUES (@grain_type, @grain_key, @seq, CAST(@payload AS jsonb))
ON CONFLICT (grain_type, grain_key) DO UPDATE SET seq = excluded.seq, payload = excluded.payload
WHERE excluded.seq > snapshot.seq;

-- name: read_data_protection_keys
SELECT xml FROM data_protection_keys ORDER BY friendly_name;

-- name: lock_key_ring
-- Silos starting at once on an empty database must not each make a key of their own (each would
-- sign forms and cookies the others cannot read until they re-read the ring, up to a day later):
-- one reads the ring and makes the key, the others wait and then find it. Held on the key-ring
-- transaction's own connection, released at its commit. Advisory locks are per database, so
-- installations in other schemas of the same database wait their turn too (a start-up moment).
SELECT pg_advisory_xact_lock(7428302);

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
