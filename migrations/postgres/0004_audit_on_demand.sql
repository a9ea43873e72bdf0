-- The audit trail is folded from a round's own events when asked for (projections/audit.py),
-- so the rounds read model no longer keeps a copy of each round's state.
ALTER TABLE rm0_rounds DROP COLUMN IF EXISTS audit;
ALTER TABLE rm1_rounds DROP COLUMN IF EXISTS audit;
