-- Sagas still running, for the in-flight count; a terminal saga leaves it. The index on every
-- state served no query (listing by state walks saga_id order) and grew with every saga ever run.
DROP INDEX saga_instances_state;
CREATE INDEX saga_instances_running ON saga_instances (saga_id)
    WHERE state NOT IN ('SAGA_STATE_CONFIRMED', 'SAGA_STATE_REJECTED', 'SAGA_STATE_CANCELLED');
