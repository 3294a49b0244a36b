-- Inbox rows expire by the primary key: a UUIDv7 message id sorts by the time it was minted, so the
-- ids of one consumer minted before the retention cutoff are one index range. This partial index
-- finds the few rows whose ids are not UUIDv7 (never minted by Orderly's own producers).
CREATE INDEX inbox_expiry_of_other_ids ON inbox (received_at) WHERE substr(message_id::text, 15, 1) <> '7';
