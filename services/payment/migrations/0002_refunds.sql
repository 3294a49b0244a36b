-- Partial refunds: what a payment has returned so far, never more than it captured, and one row per
-- refund of the refund saga, so a repeated RefundPayment gets the first answer: its money returned
-- once, or the same refusal (refused holds the reason; amount is then 0).
ALTER TABLE payments ADD COLUMN refunded bigint NOT NULL DEFAULT 0 CHECK (refunded >= 0);
ALTER TABLE payments ADD CONSTRAINT payments_refunded_within_amount CHECK (refunded <= amount);
UPDATE payments SET refunded = amount WHERE status = 'refunded';

CREATE TABLE refunds (
    order_id   text        NOT NULL,
    refund_id  text        NOT NULL,
    amount     bigint      NOT NULL CHECK (amount >= 0),
    refused    text        NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (order_id, refund_id)
);
