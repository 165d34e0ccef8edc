-- Journals whose latest commits may not have reached their followers (the audit trail, the mail
-- outbox...): a grain with followers writes its row before the first append of an activation and
-- removes it when that activation ends with everything handed over. A row left behind by a process
-- that died between a commit and its hand-over tells the next start which journals to catch up,
-- without scanning the journal table or touching grains that never had a commit.
-- Design criteria: one row per journal (primary key), so the table is as small as the number of
-- active grains with followers; since_seq is the journal's last sequence when the oldest unended
-- activation began writing (a re-mark keeps it), the point a follower that never heard of the
-- journal catches up from; token names the activation that owns the row, so an ending activation
-- never removes a row a later one wrote.
-- Keep this file and the other dialect's 0004_handovers.sql the same in meaning.

CREATE TABLE handover (
    grain_type TEXT    NOT NULL,
    grain_key  TEXT    NOT NULL,
    since_seq  INTEGER NOT NULL,
    token      TEXT    NOT NULL,
    PRIMARY KEY (grain_type, grain_key)
) WITHOUT ROWID;
