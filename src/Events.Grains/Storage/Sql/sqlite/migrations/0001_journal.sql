-- Journals and snapshots for every grain.
-- Design criteria: one row per event; (grain_type, grain_key, seq) is the primary key, so two
-- writers that both try to append sequence N collide and exactly one wins (optimistic
-- concurrency, never overwrite). Payloads are JSON text written by GrainJson. A snapshot row holds
-- the latest folded state of a grain so activation reads snapshot + tail, not the whole journal.
-- Keep this file and postgres/migrations/0001_journal.sql the same in meaning.

CREATE TABLE schema_version (
    version    INTEGER PRIMARY KEY,
    applied_at TEXT NOT NULL
);

CREATE TABLE journal (
    grain_type  TEXT    NOT NULL,
    grain_key   TEXT    NOT NULL,
    seq         INTEGER NOT NULL,
    payload     TEXT    NOT NULL,
    recorded_at TEXT    NOT NULL,
    PRIMARY KEY (grain_type, grain_key, seq)
) WITHOUT ROWID;

CREATE TABLE snapshot (
    grain_type TEXT    NOT NULL,
    grain_key  TEXT    NOT NULL,
    seq        INTEGER NOT NULL,
    payload    TEXT    NOT NULL,
    PRIMARY KEY (grain_type, grain_key)
) WITHOUT ROWID;
