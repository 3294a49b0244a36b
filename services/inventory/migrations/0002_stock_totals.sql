-- Running totals, so anyone can check conservation: on_hand = restocked - committed.
ALTER TABLE stock ADD COLUMN restocked bigint NOT NULL DEFAULT 0 CHECK (restocked >= 0);
ALTER TABLE stock ADD COLUMN committed bigint NOT NULL DEFAULT 0 CHECK (committed >= 0);
UPDATE stock SET restocked = on_hand;
