-- Products and their stock live on the shard of their sku.
CREATE TABLE products (
    sku         text        PRIMARY KEY,
    name        text        NOT NULL,
    price_minor bigint      NOT NULL CHECK (price_minor >= 0),
    currency    text        NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE stock (
    sku      text   PRIMARY KEY REFERENCES products (sku),
    on_hand  bigint NOT NULL DEFAULT 0 CHECK (on_hand >= 0),
    reserved bigint NOT NULL DEFAULT 0 CHECK (reserved >= 0),
    CHECK (reserved <= on_hand)
);

-- One row per (order, sku): makes reserving, releasing and committing idempotent.
-- state: reserved -> released | committed; rejected records a line that could not be reserved.
CREATE TABLE reservations (
    order_id   text        NOT NULL,
    sku        text        NOT NULL,
    quantity   bigint      NOT NULL CHECK (quantity > 0),
    state      text        NOT NULL CHECK (state IN ('reserved', 'released', 'committed', 'rejected')),
    available  bigint      NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (order_id, sku)
);
CREATE INDEX reservations_active ON reservations (order_id) WHERE state = 'reserved';

-- Restocks sent with an idempotency key: a retry finds its row and changes nothing.
CREATE TABLE restocks (
    idempotency_key text        PRIMARY KEY,
    sku             text        NOT NULL,
    quantity        bigint      NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);
