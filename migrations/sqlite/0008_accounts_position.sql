-- The log position of each account's last event, so that a server can tell which
-- accounts changed since it last looked (a revoked role applies at once).
ALTER TABLE rm0_accounts ADD COLUMN position INTEGER;
ALTER TABLE rm1_accounts ADD COLUMN position INTEGER;
CREATE INDEX IF NOT EXISTS rm0_accounts_position ON rm0_accounts (position);
CREATE INDEX IF NOT EXISTS rm1_accounts_position ON rm1_accounts (position);
