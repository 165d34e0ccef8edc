-- ASP.NET Core's data-protection key ring (it signs sign-in cookies and antiforgery tokens).
-- Design criteria: every silo of an installation must read the same keys, or a person signed in
-- through one machine is a stranger to the next and its forms are refused there; so the ring lives
-- in the database the silos share, beside the data it protects, not in each machine's home folder.
-- One row per key element, written once under its unique name and never changed (ASP.NET Core
-- revokes a key by adding an element, not by editing one).
-- Keep this file and the other dialect's 0003_data_protection_keys.sql the same in meaning.

CREATE TABLE data_protection_keys (
    friendly_name TEXT PRIMARY KEY,
    xml           TEXT NOT NULL
) WITHOUT ROWID;
