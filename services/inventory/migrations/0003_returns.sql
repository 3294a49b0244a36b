-- Units a refund brought back, counted apart from restocks so conservation still balances:
-- on_hand = restocked - committed + returned. One row per (refund, sku) makes a return idempotent.
ALTER TABLE stock ADD COLUMN returned bigint NOT NULL DEFAULT 0 CHECK (returned >= 0);

CREATE TABLE stock_returns (
    refund_id  text        NOT NULL,
    sku        text        NOT NULL,
    order_id   text        NOT NULL,
    quantity   bigint      NOT NULL CHECK (quantity > 0),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (refund_id, sku)
);
