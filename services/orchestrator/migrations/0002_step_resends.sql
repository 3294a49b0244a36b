-- Every step is seen through: a command still unanswered at resend_at is published again, as a
-- new message (the participants answer a repeated command for an order again, with the same
-- effect), with a growing delay, until a reply settles the step. command holds the envelope sent.
ALTER TABLE saga_steps
    ADD COLUMN command   bytea,
    ADD COLUMN attempts  integer NOT NULL DEFAULT 1,
    ADD COLUMN resend_at timestamptz;
CREATE INDEX saga_steps_resend ON saga_steps (resend_at) WHERE resend_at IS NOT NULL;
