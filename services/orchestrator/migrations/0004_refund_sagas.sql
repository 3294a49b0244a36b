-- One refund saga per refund of a confirmed order, on shard(order_id) beside the order's saga; its
-- steps and their resends live in saga_steps like any saga's. requested is the OrderRefundRequested
-- event: lines, amount and reason.
CREATE TABLE refund_sagas (
    saga_id     text        PRIMARY KEY,
    order_id    text        NOT NULL,
    refund_id   text        NOT NULL UNIQUE,
    customer_id text        NOT NULL,
    state       text        NOT NULL,
    requested   bytea       NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX refund_sagas_order ON refund_sagas (order_id);
-- Refund sagas still running, for the in-flight count.
CREATE INDEX refund_sagas_running ON refund_sagas (saga_id) WHERE state = 'SAGA_STATE_REFUNDING';

-- Every saga, order and refund, for SagaService's reads; refund_id is '' for an order's saga.
CREATE VIEW sagas AS
    SELECT saga_id, order_id, state, created_at, updated_at, '' AS refund_id FROM saga_instances
    UNION ALL
    SELECT saga_id, order_id, state, created_at, updated_at, refund_id FROM refund_sagas;
