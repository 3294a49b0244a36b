-- A step's deadline is a column of the step: set when a timed command is sent, cleared when a reply
-- settles the step or the deadline fires. In a table of its own every timed step cost an insert and
-- a delete, with their index entries, beside the step's own row. The sweeper still fires due steps
-- with FOR UPDATE SKIP LOCKED, now of the step row, so replicas never fire one twice.
ALTER TABLE saga_steps ADD COLUMN due_at timestamptz;
ALTER TABLE saga_steps ALTER COLUMN due_at SET STATISTICS 10;
UPDATE saga_steps st SET due_at = t.due_at FROM saga_timers t WHERE t.saga_id = st.saga_id AND t.sequence = st.sequence;
CREATE INDEX saga_steps_due ON saga_steps (due_at) WHERE due_at IS NOT NULL;
DROP TABLE saga_timers;
