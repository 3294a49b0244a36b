-- The event store: an order's history, one row per event, on shard(order_id). The primary key is
-- the optimistic-concurrency guard: two writers cannot both append version N.
CREATE TABLE order_events (
    order_id   text        NOT NULL,
    version    integer     NOT NULL CHECK (version > 0),
    type       text        NOT NULL,
    payload    bytea       NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (order_id, version)
);

-- The read side, updated in the same transaction as each event; snapshot is an orderly.v1.Order.
CREATE TABLE orders (
    order_id     text    PRIMARY KEY,
    customer_id  text    NOT NULL,
    status       text    NOT NULL,
    version      integer NOT NULL,
    created_us   bigint  NOT NULL,
    request_hash text    NOT NULL,
    snapshot     bytea   NOT NULL
);
CREATE INDEX orders_by_customer ON orders (customer_id, created_us DESC, order_id DESC);
