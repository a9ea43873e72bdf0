-- The Merkle tree over the log (domain/merkle.py, RFC 9162 hashing): one leaf per event in
-- log order, and every complete node above the leaves, written by the application's
-- recorder in the same transaction as the events (eventstore/recorders.py).  The tree of
-- the events recorded before this migration is built by the migration runner, which also
-- gives the log its origin (the name its signed tree heads carry).
CREATE TABLE IF NOT EXISTS merkle_leaves (
    leaf INTEGER PRIMARY KEY,            -- 0, 1, 2, ...: the event's place in the log
    position INTEGER NOT NULL UNIQUE,    -- the event's position (rowid of stored_events)
    hash BLOB NOT NULL                   -- SHA-256(0x00 || entry)
);

CREATE TABLE IF NOT EXISTS merkle_nodes (
    level INTEGER NOT NULL,              -- 1, 2, ...: the node covers 2^level leaves
    idx INTEGER NOT NULL,                -- its leaves start at idx * 2^level
    hash BLOB NOT NULL,                  -- SHA-256(0x01 || left || right)
    PRIMARY KEY (level, idx)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS log_identity (
    one_row INTEGER PRIMARY KEY CHECK (one_row = 1),
    origin TEXT NOT NULL,                -- leitai/<name>/<random token>: stable, one per database
    created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TRIGGER IF NOT EXISTS merkle_leaves_no_update BEFORE UPDATE ON merkle_leaves
BEGIN
    SELECT RAISE(ABORT, 'merkle_leaves is append-only: UPDATE refused');
END;

CREATE TRIGGER IF NOT EXISTS merkle_leaves_no_delete BEFORE DELETE ON merkle_leaves
BEGIN
    SELECT RAISE(ABORT, 'merkle_leaves is append-only: DELETE refused');
END;

CREATE TRIGGER IF NOT EXISTS merkle_nodes_no_update BEFORE UPDATE ON merkle_nodes
BEGIN
    SELECT RAISE(ABORT, 'merkle_nodes is append-only: UPDATE refused');
END;

CREATE TRIGGER IF NOT EXISTS merkle_nodes_no_delete BEFORE DELETE ON merkle_nodes
BEGIN
    SELECT RAISE(ABORT, 'merkle_nodes is append-only: DELETE refused');
END;

CREATE TRIGGER IF NOT EXISTS log_identity_no_update BEFORE UPDATE ON log_identity
BEGIN
    SELECT RAISE(ABORT, 'log_identity never changes: UPDATE refused');
END;

CREATE TRIGGER IF NOT EXISTS log_identity_no_delete BEFORE DELETE ON log_identity
BEGIN
    SELECT RAISE(ABORT, 'log_identity never changes: DELETE refused');
END;

-- Read models (projections/tables.py): the signed tree heads with their cosignatures, and the
-- registered witnesses.
CREATE TABLE IF NOT EXISTS rm0_heads (
    size INTEGER,
    root TEXT,
    note TEXT,
    reasons TEXT,
    cosignatures TEXT,
    event_position INTEGER,
    PRIMARY KEY (size, root)
);

CREATE TABLE IF NOT EXISTS rm0_witnesses (
    name TEXT,
    vkey TEXT,
    PRIMARY KEY (name)
);

CREATE TABLE IF NOT EXISTS rm1_heads (
    size INTEGER,
    root TEXT,
    note TEXT,
    reasons TEXT,
    cosignatures TEXT,
    event_position INTEGER,
    PRIMARY KEY (size, root)
);

CREATE TABLE IF NOT EXISTS rm1_witnesses (
    name TEXT,
    vkey TEXT,
    PRIMARY KEY (name)
);
