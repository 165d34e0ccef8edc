-- What Orleans' ADO.NET providers (Microsoft.Orleans.Clustering.AdoNet and
-- Microsoft.Orleans.Persistence.AdoNet 10.4.2) need: their statement table, cluster membership and
-- grain state. Reminders are not used. Orleans reaches Microsoft.Data.Sqlite through the invariant
-- "System.Data.SQLite" (the name "Microsoft.Data.Sqlite" is unknown to it).
-- Design criteria:
-- * Orleans reads every statement it runs from OrleansQuery (QueryKey -> QueryText) when a silo
--   starts. The statements below are this project's own, written for these tables; what Orleans
--   fixes is the contract: the query keys, the parameter names it binds (@ServiceId, @Version, ...),
--   the result column names it reads and what a result means. A missing clustering key stops the
--   silo at start-up ("Not all required queries found").
-- * Orleans runs each statement on its own connection with no transaction around it. SQLite has
--   no data-modifying CTEs, and a BEGIN inside a statement text stays open on the pooled
--   connection if a later statement fails, so every change that must be atomic is ONE statement;
--   a following SELECT may only read changes() (rows changed by that statement, on this
--   connection). Changes that must move the membership version with them do so through triggers,
--   which run inside the changing statement.
-- * Grain state: one row per (service, state name, grain key). Orleans' "GrainTypeString" is the
--   state name given to [PersistentState], not the grain class: two grain classes with the same
--   key and state name share a row, so state names must be unique across the application.
--   The key is the primary key, so a second first-write of the same grain collides instead of
--   adding a row. The ETag is Version, an integer bumped on every write; a write or clear only
--   lands if the version Orleans holds is the one stored, else the statement reports no version
--   and Orleans raises InconsistentStateException. Orleans' own hashes (@GrainIdHash,
--   @GrainTypeHash) are not stored: the primary key already finds the row. A missing key
--   extension is stored as '' (Orleans never builds a key with a blank extension) so it can be
--   part of the primary key. Clearing keeps the row with no payload and a bumped version, so a
--   stale copy still conflicts; DeleteStorageKey (DeleteStateOnClear) removes the row.
-- * Membership follows Orleans' protocol: one version row per cluster (DeploymentId = ClusterId)
--   that every insert or status change of a silo row bumps in the same statement, and only if it
--   still holds the version Orleans last read. I-am-alive heartbeats do not bump it. A SQLite
--   installation is one silo with localhost clustering, so Events does not use these tables on
--   SQLite today; they are here so that both dialects have one schema, and the contract tests
--   run Orleans' clustering on them.
-- * Times are text as Microsoft.Data.Sqlite writes a DateTime (yyyy-MM-dd HH:mm:ss.FFFFFFF, UTC),
--   which sorts in time order.
-- Keep this file and postgres/migrations/0002_orleans.sql the same in meaning.

CREATE TABLE OrleansQuery (
    QueryKey  TEXT PRIMARY KEY,
    QueryText TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE OrleansMembershipVersionTable (
    DeploymentId TEXT    PRIMARY KEY,
    Timestamp    TEXT    NOT NULL,
    Version      INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE OrleansMembershipTable (
    DeploymentId TEXT    NOT NULL REFERENCES OrleansMembershipVersionTable (DeploymentId),
    Address      TEXT    NOT NULL,
    Port         INTEGER NOT NULL,
    Generation   INTEGER NOT NULL,
    SiloName     TEXT    NOT NULL,
    HostName     TEXT    NOT NULL,
    Status       INTEGER NOT NULL,
    ProxyPort    INTEGER NOT NULL,
    SuspectTimes TEXT,
    StartTime    TEXT    NOT NULL,
    IAmAliveTime TEXT    NOT NULL,
    PRIMARY KEY (DeploymentId, Address, Port, Generation)
) WITHOUT ROWID;

-- A new silo row is a membership change.
CREATE TRIGGER OrleansMembershipInserted AFTER INSERT ON OrleansMembershipTable
BEGIN
    UPDATE OrleansMembershipVersionTable
    SET Version = Version + 1, Timestamp = CURRENT_TIMESTAMP
    WHERE DeploymentId = NEW.DeploymentId;
END;

-- A status or suspicion change is a membership change; a heartbeat (IAmAliveTime alone) is not.
CREATE TRIGGER OrleansMembershipChanged AFTER UPDATE OF Status, SuspectTimes ON OrleansMembershipTable
BEGIN
    UPDATE OrleansMembershipVersionTable
    SET Version = Version + 1, Timestamp = CURRENT_TIMESTAMP
    WHERE DeploymentId = NEW.DeploymentId;
END;

CREATE TABLE OrleansStorage (
    ServiceId              TEXT    NOT NULL,
    GrainTypeString        TEXT    NOT NULL,
    GrainIdN0              INTEGER NOT NULL,
    GrainIdN1              INTEGER NOT NULL,
    GrainIdExtensionString TEXT    NOT NULL,
    PayloadBinary          BLOB,
    Version                INTEGER NOT NULL,
    ModifiedOn             TEXT    NOT NULL,
    PRIMARY KEY (ServiceId, GrainTypeString, GrainIdN0, GrainIdN1, GrainIdExtensionString)
) WITHOUT ROWID;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES

-- Creates the cluster's version row unless it exists. Result: one boolean, true if created.
('InsertMembershipVersionKey', '
INSERT INTO OrleansMembershipVersionTable (DeploymentId, Timestamp, Version)
VALUES (@DeploymentId, CURRENT_TIMESTAMP, 0)
ON CONFLICT (DeploymentId) DO NOTHING;
SELECT changes() > 0;
'),

-- Adds a silo's row, only if the version is still @Version and the silo has no row yet; the
-- trigger bumps the version. Result: one boolean, true if both happened.
('InsertMembershipKey', '
INSERT INTO OrleansMembershipTable
    (DeploymentId, Address, Port, Generation, SiloName, HostName, Status, ProxyPort, StartTime, IAmAliveTime)
SELECT @DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName, @Status, @ProxyPort, @StartTime, @IAmAliveTime
WHERE EXISTS (
    SELECT 1 FROM OrleansMembershipVersionTable
    WHERE DeploymentId = @DeploymentId AND Version = @Version)
ON CONFLICT (DeploymentId, Address, Port, Generation) DO NOTHING;
SELECT changes() > 0;
'),

-- Changes a silo's status, suspicions and heartbeat, only if the version is still @Version; the
-- trigger bumps the version. Result: one boolean, true if both happened.
('UpdateMembershipKey', '
UPDATE OrleansMembershipTable
SET Status = @Status, SuspectTimes = @SuspectTimes, IAmAliveTime = @IAmAliveTime
WHERE DeploymentId = @DeploymentId AND Address = @Address AND Port = @Port AND Generation = @Generation
  AND EXISTS (
      SELECT 1 FROM OrleansMembershipVersionTable
      WHERE DeploymentId = @DeploymentId AND Version = @Version);
SELECT changes() > 0;
'),

-- The heartbeat: Orleans expects it to succeed and ignores the result; it is no membership change.
('UpdateIAmAlivetimeKey', '
UPDATE OrleansMembershipTable
SET IAmAliveTime = @IAmAliveTime
WHERE DeploymentId = @DeploymentId AND Address = @Address AND Port = @Port AND Generation = @Generation;
'),

-- One silo's row with the cluster's version. The version row always comes back, with NULL silo
-- columns when the silo has no row; Orleans reads the version from the first row.
('MembershipReadRowKey', '
SELECT m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status, m.ProxyPort,
       m.SuspectTimes, m.StartTime, m.IAmAliveTime, v.Version
FROM OrleansMembershipVersionTable AS v
LEFT JOIN OrleansMembershipTable AS m
    ON m.DeploymentId = v.DeploymentId AND m.Address = @Address AND m.Port = @Port AND m.Generation = @Generation
WHERE v.DeploymentId = @DeploymentId;
'),

-- Every silo row of the cluster, each with the cluster's version (one row of NULLs and the
-- version when there are no silos yet).
('MembershipReadAllKey', '
SELECT m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status, m.ProxyPort,
       m.SuspectTimes, m.StartTime, m.IAmAliveTime, v.Version
FROM OrleansMembershipVersionTable AS v
LEFT JOIN OrleansMembershipTable AS m ON m.DeploymentId = v.DeploymentId
WHERE v.DeploymentId = @DeploymentId;
'),

-- Gateways for clients: silos in @Status (Active) that accept clients.
('GatewaysQueryKey', '
SELECT Address, ProxyPort, Generation
FROM OrleansMembershipTable
WHERE DeploymentId = @DeploymentId AND Status = @Status AND ProxyPort > 0;
'),

-- Forgets a whole cluster, silo rows first (they refer to the version row).
('DeleteMembershipTableEntriesKey', '
DELETE FROM OrleansMembershipTable WHERE DeploymentId = @DeploymentId;
DELETE FROM OrleansMembershipVersionTable WHERE DeploymentId = @DeploymentId;
'),

-- Orleans' periodic clean-up: rows of silos declared dead (6) that have not sent a heartbeat
-- since @IAmAliveTime (now minus DefunctSiloExpiration) are gone for good. A dead row never
-- changes again, so one statement needs no further check (Orleans' optional per-row
-- CleanupDefunctSiloEntryKey is not provided), and the version is not bumped: no live silo's view
-- changes.
('CleanupDefunctSiloEntriesKey', '
DELETE FROM OrleansMembershipTable
WHERE DeploymentId = @DeploymentId AND Status = 6 AND IAmAliveTime < @IAmAliveTime;
'),

-- A grain's state and its version; no row if the grain never wrote.
('ReadFromStorageKey', '
SELECT PayloadBinary, Version
FROM OrleansStorage
WHERE ServiceId = @ServiceId AND GrainTypeString = @GrainTypeString
  AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
  AND GrainIdExtensionString = COALESCE(@GrainIdExtensionString, '''');
'),

-- First write (no @GrainStateVersion) inserts version 1; later writes replace the payload if the
-- stored version is @GrainStateVersion. A version for a row that is not there writes nothing.
-- Result: exactly one row, the new version, or NULL when nothing was written (a conflict).
('WriteToStorageKey', '
INSERT INTO OrleansStorage
    (ServiceId, GrainTypeString, GrainIdN0, GrainIdN1, GrainIdExtensionString, PayloadBinary, Version, ModifiedOn)
SELECT @ServiceId, @GrainTypeString, @GrainIdN0, @GrainIdN1, COALESCE(@GrainIdExtensionString, ''''), @PayloadBinary, 1, CURRENT_TIMESTAMP
WHERE @GrainStateVersion IS NULL OR EXISTS (
    SELECT 1 FROM OrleansStorage
    WHERE ServiceId = @ServiceId AND GrainTypeString = @GrainTypeString
      AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
      AND GrainIdExtensionString = COALESCE(@GrainIdExtensionString, ''''))
ON CONFLICT (ServiceId, GrainTypeString, GrainIdN0, GrainIdN1, GrainIdExtensionString) DO UPDATE
SET PayloadBinary = excluded.PayloadBinary, Version = OrleansStorage.Version + 1, ModifiedOn = excluded.ModifiedOn
WHERE OrleansStorage.Version = @GrainStateVersion;
SELECT CASE WHEN changes() > 0 THEN COALESCE(@GrainStateVersion, 0) + 1 END AS NewGrainStateVersion;
'),

-- Empties a grain's state but keeps its row and bumps the version. Result: the new version, or
-- no row when @GrainStateVersion is stale (a conflict).
('ClearStorageKey', '
UPDATE OrleansStorage
SET PayloadBinary = NULL, Version = Version + 1, ModifiedOn = CURRENT_TIMESTAMP
WHERE ServiceId = @ServiceId AND GrainTypeString = @GrainTypeString
  AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
  AND GrainIdExtensionString = COALESCE(@GrainIdExtensionString, '''')
  AND Version = @GrainStateVersion
RETURNING Version AS NewGrainStateVersion;
'),

-- Removes a grain's row (DeleteStateOnClear). Orleans expects the deleted version plus one, or
-- no row when @GrainStateVersion is stale (a conflict).
('DeleteStorageKey', '
DELETE FROM OrleansStorage
WHERE ServiceId = @ServiceId AND GrainTypeString = @GrainTypeString
  AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
  AND GrainIdExtensionString = COALESCE(@GrainIdExtensionString, '''')
  AND Version = @GrainStateVersion
RETURNING Version + 1 AS NewGrainStateVersion;
');
