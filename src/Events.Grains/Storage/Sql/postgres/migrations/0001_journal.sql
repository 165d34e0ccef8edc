-- Journals and snapshots for every grain.
-- Design criteria: one row per event; (grain_type, grain_key, seq) is the primary key, so two
-- writers (several Events.Silo processes on one database) that both try to append sequence N
-- collide and exactly one wins (optimistic concurrency, never overwrite). Payloads are JSON
-- written by GrainJson, kept as jsonb so operators can query them. A snapshot row holds the
-- latest folded state of a grain so activation reads snapshot + tail, not the whole journal.
-- Keep this file and sqlite/migrations/0001_journal.sql the same in meaning.

CREATE TABLE schema_version (
    version    integer PRIMARY KEY,
    applied_at timestamptz NOT NULL
);

CREATE TABLE journal (
    grain_type  text        NOT NULL,
    grain_key   text        NOT NULL,
    seq         bigint      NOT NULL,
    payload     jsonb       NOT NULL,
    recorded_at timestamptz NOT NULL,
    PRIMARY KEY (grain_type, grain_key, seq)
);

CREATE TABLE snapshot (
    grain_type text   NOT NULL,
    grain_key  text   NOT NULL,
    seq        bigint NOT NULL,
    payload    jsonb  NOT NULL,
    PRIMARY KEY (grain_type, grain_key)
);
