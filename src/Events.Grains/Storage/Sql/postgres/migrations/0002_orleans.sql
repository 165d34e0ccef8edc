-- What Orleans' ADO.NET providers (Microsoft.Orleans.Clustering.AdoNet and
-- Microsoft.Orleans.Persistence.AdoNet 10.4.2, invariant "Npgsql") need: their statement table,
-- cluster membership and grain state. Reminders are not used.
-- Design criteria:
-- * Orleans reads every statement it runs from OrleansQuery (QueryKey -> QueryText) when a silo
--   starts. The statements below are this project's own, written for these tables; what Orleans
--   fixes is the contract: the query keys, the parameter names it binds (@ServiceId, @Version, ...),
--   the result column names it reads and what a result means. A missing clustering key stops the
--   silo at start-up ("Not all required queries found").
-- * Names are unquoted, so PostgreSQL folds them to lower case; Orleans' own bootstrap query
--   (SELECT QueryKey, QueryText FROM OrleansQuery) is unquoted too, and Npgsql finds result
--   columns by name regardless of case.
-- * Orleans runs each statement on its own connection with no transaction around it, so every
--   statement that must change two things at once is ONE statement (data-modifying CTEs).
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
--   still holds the version Orleans last read. I-am-alive heartbeats do not bump it.
-- Keep this file and sqlite/migrations/0002_orleans.sql the same in meaning.

CREATE TABLE OrleansQuery (
    QueryKey  text PRIMARY KEY,
    QueryText text NOT NULL
);

CREATE TABLE OrleansMembershipVersionTable (
    DeploymentId text        PRIMARY KEY,
    Timestamp    timestamptz NOT NULL,
    Version      integer     NOT NULL
);

CREATE TABLE OrleansMembershipTable (
    DeploymentId text        NOT NULL REFERENCES OrleansMembershipVersionTable (DeploymentId),
    Address      text        NOT NULL,
    Port         integer     NOT NULL,
    Generation   integer     NOT NULL,
    SiloName     text        NOT NULL,
    HostName     text        NOT NULL,
    Status       integer     NOT NULL,
    ProxyPort    integer     NOT NULL,
    SuspectTimes text,
    StartTime    timestamptz NOT NULL,
    IAmAliveTime timestamptz NOT NULL,
    PRIMARY KEY (DeploymentId, Address, Port, Generation)
);

CREATE TABLE OrleansStorage (
    ServiceId              text        NOT NULL,
    GrainTypeString        text        NOT NULL,
    GrainIdN0              bigint      NOT NULL,
    GrainIdN1              bigint      NOT NULL,
    GrainIdExtensionString text        NOT NULL,
    PayloadBinary          bytea,
    Version                integer     NOT NULL,
    ModifiedOn             timestamptz NOT NULL,
    PRIMARY KEY (ServiceId, GrainTypeString, GrainIdN0, GrainIdN1, GrainIdExtensionString)
);

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES

-- Creates the cluster's version row unless it exists. Result: one boolean, true if created.
('InsertMembershipVersionKey', $q$
WITH created AS (
    INSERT INTO OrleansMembershipVersionTable (DeploymentId, Timestamp, Version)
    VALUES (@DeploymentId, now(), 0)
    ON CONFLICT (DeploymentId) DO NOTHING
    RETURNING 1)
SELECT EXISTS (SELECT 1 FROM created);
$q$),

-- Adds a silo's row and bumps the version, only if the version is still @Version and the silo
-- has no row yet. Result: one boolean, true if both happened.
('InsertMembershipKey', $q$
WITH bumped AS (
    UPDATE OrleansMembershipVersionTable
    SET Version = Version + 1, Timestamp = now()
    WHERE DeploymentId = @DeploymentId AND Version = @Version
      AND NOT EXISTS (
          SELECT 1 FROM OrleansMembershipTable
          WHERE DeploymentId = @DeploymentId AND Address = @Address AND Port = @Port AND Generation = @Generation)
    RETURNING DeploymentId),
inserted AS (
    INSERT INTO OrleansMembershipTable
        (DeploymentId, Address, Port, Generation, SiloName, HostName, Status, ProxyPort, StartTime, IAmAliveTime)
    SELECT DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName, @Status, @ProxyPort, @StartTime, @IAmAliveTime
    FROM bumped
    RETURNING 1)
SELECT EXISTS (SELECT 1 FROM inserted);
$q$),

-- Changes a silo's status, suspicions and heartbeat and bumps the version, only if the version is
-- still @Version. Result: one boolean, true if both happened.
('UpdateMembershipKey', $q$
WITH bumped AS (
    UPDATE OrleansMembershipVersionTable
    SET Version = Version + 1, Timestamp = now()
    WHERE DeploymentId = @DeploymentId AND Version = @Version
      AND EXISTS (
          SELECT 1 FROM OrleansMembershipTable
          WHERE DeploymentId = @DeploymentId AND Address = @Address AND Port = @Port AND Generation = @Generation)
    RETURNING DeploymentId),
updated AS (
    UPDATE OrleansMembershipTable AS m
    SET Status = @Status, SuspectTimes = @SuspectTimes, IAmAliveTime = @IAmAliveTime
    FROM bumped
    WHERE m.DeploymentId = bumped.DeploymentId AND m.Address = @Address AND m.Port = @Port AND m.Generation = @Generation
    RETURNING 1)
SELECT EXISTS (SELECT 1 FROM updated);
$q$),

-- The heartbeat: Orleans expects it to succeed and ignores the result; it is no membership change.
('UpdateIAmAlivetimeKey', $q$
UPDATE OrleansMembershipTable
SET IAmAliveTime = @IAmAliveTime
WHERE DeploymentId = @DeploymentId AND Address = @Address AND Port = @Port AND Generation = @Generation;
$q$),

-- One silo's row with the cluster's version. The version row always comes back, with NULL silo
-- columns when the silo has no row; Orleans reads the version from the first row.
('MembershipReadRowKey', $q$
SELECT m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status, m.ProxyPort,
       m.SuspectTimes, m.StartTime, m.IAmAliveTime, v.Version
FROM OrleansMembershipVersionTable AS v
LEFT JOIN OrleansMembershipTable AS m
    ON m.DeploymentId = v.DeploymentId AND m.Address = @Address AND m.Port = @Port AND m.Generation = @Generation
WHERE v.DeploymentId = @DeploymentId;
$q$),

-- Every silo row of the cluster, each with the cluster's version (one row of NULLs and the
-- version when there are no silos yet).
('MembershipReadAllKey', $q$
SELECT m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status, m.ProxyPort,
       m.SuspectTimes, m.StartTime, m.IAmAliveTime, v.Version
FROM OrleansMembershipVersionTable AS v
LEFT JOIN OrleansMembershipTable AS m ON m.DeploymentId = v.DeploymentId
WHERE v.DeploymentId = @DeploymentId;
$q$),

-- Gateways for clients: silos in @Status (Active) that accept clients.
('GatewaysQueryKey', $q$
SELECT Address, ProxyPort, Generation
FROM OrleansMembershipTable
WHERE DeploymentId = @DeploymentId AND Status = @Status AND ProxyPort > 0;
$q$),

-- Forgets a whole cluster, silo rows first (they refer to the version row).
('DeleteMembershipTableEntriesKey', $q$
DELETE FROM OrleansMembershipTable WHERE DeploymentId = @DeploymentId;
DELETE FROM OrleansMembershipVersionTable WHERE DeploymentId = @DeploymentId;
$q$),

-- Orleans' periodic clean-up: rows of silos declared dead (6) that have not sent a heartbeat
-- since @IAmAliveTime (now minus DefunctSiloExpiration) are gone for good. A dead row never
-- changes again, so one statement needs no further check (Orleans' optional per-row
-- CleanupDefunctSiloEntryKey is not provided), and the version is not bumped: no live silo's view
-- changes.
('CleanupDefunctSiloEntriesKey', $q$
DELETE FROM OrleansMembershipTable
WHERE DeploymentId = @DeploymentId AND Status = 6 AND IAmAliveTime < @IAmAliveTime;
$q$),

-- A grain's state and its version; no row if the grain never wrote.
('ReadFromStorageKey', $q$
SELECT PayloadBinary, Version
FROM OrleansStorage
WHERE ServiceId = @ServiceId AND GrainTypeString = @GrainTypeString
  AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
  AND GrainIdExtensionString = COALESCE(@GrainIdExtensionString, '');
$q$),

-- First write (no @GrainStateVersion) inserts version 1; later writes replace the payload if the
-- stored version is @GrainStateVersion. A version for a row that is not there writes nothing.
-- Result: exactly one row, the new version, or NULL when nothing was written (a conflict).
('WriteToStorageKey', $q$
WITH written AS (
    INSERT INTO OrleansStorage
        (ServiceId, GrainTypeString, GrainIdN0, GrainIdN1, GrainIdExtensionString, PayloadBinary, Version, ModifiedOn)
    SELECT @ServiceId, @GrainTypeString, @GrainIdN0, @GrainIdN1, COALESCE(@GrainIdExtensionString, ''), @PayloadBinary, 1, now()
    WHERE @GrainStateVersion IS NULL OR EXISTS (
        SELECT 1 FROM OrleansStorage
        WHERE ServiceId = @ServiceId AND GrainTypeString = @GrainTypeString
          AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
          AND GrainIdExtensionString = COALESCE(@GrainIdExtensionString, ''))
    ON CONFLICT (ServiceId, GrainTypeString, GrainIdN0, GrainIdN1, GrainIdExtensionString) DO UPDATE
    SET PayloadBinary = excluded.PayloadBinary, Version = OrleansStorage.Version + 1, ModifiedOn = excluded.ModifiedOn
    WHERE OrleansStorage.Version = @GrainStateVersion
    RETURNING Version)
SELECT (SELECT Version FROM written) AS NewGrainStateVersion;
$q$),

-- Empties a grain's state but keeps its row and bumps the version. Result: the new version, or no
-- row when @GrainStateVersion is stale (a conflict).
('ClearStorageKey', $q$
UPDATE OrleansStorage
SET PayloadBinary = NULL, Version = Version + 1, ModifiedOn = now()
WHERE ServiceId = @ServiceId AND GrainTypeString = @GrainTypeString
  AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
  AND GrainIdExtensionString = COALESCE(@GrainIdExtensionString, '')
  AND Version = @GrainStateVersion
RETURNING Version AS NewGrainStateVersion;
$q$),

-- Removes a grain's row (DeleteStateOnClear). Orleans expects the deleted version plus one, or no
-- row when @GrainStateVersion is stale (a conflict).
('DeleteStorageKey', $q$
DELETE FROM OrleansStorage
WHERE ServiceId = @ServiceId AND GrainTypeString = @GrainTypeString
  AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
  AND GrainIdExtensionString = COALESCE(@GrainIdExtensionString, '')
  AND Version = @GrainStateVersion
RETURNING Version + 1 AS NewGrainStateVersion;
$q$);
