-- One saga per order, on shard(order_id): its state machine, the steps it took and its timers.
CREATE TABLE saga_instances (
    saga_id          text        PRIMARY KEY,
    order_id         text        NOT NULL UNIQUE,
    customer_id      text        NOT NULL,
    state            text        NOT NULL,
    placed           bytea       NOT NULL,  -- the OrderPlaced event: lines and total
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX saga_instances_state ON saga_instances (state, saga_id);

-- Every command the saga sent, with the reply that settled it.
CREATE TABLE saga_steps (
    saga_id            text        NOT NULL,
    sequence           integer     NOT NULL,
    name               text        NOT NULL,
    command_type       text        NOT NULL,
    command_message_id text        NOT NULL,
    reply_type         text        NOT NULL DEFAULT '',
    outcome            text        NOT NULL,
    detail             text        NOT NULL DEFAULT '',
    compensation       boolean     NOT NULL DEFAULT false,
    started_at         timestamptz NOT NULL DEFAULT now(),
    finished_at        timestamptz,
    PRIMARY KEY (saga_id, sequence)
);

-- A step's deadline; the sweeper fires due rows with FOR UPDATE SKIP LOCKED, so replicas never
-- fire one twice.
CREATE TABLE saga_timers (
    saga_id  text        NOT NULL,
    sequence integer     NOT NULL,
    due_at   timestamptz NOT NULL,
    PRIMARY KEY (saga_id, sequence)
);
CREATE INDEX saga_timers_due ON saga_timers (due_at);
