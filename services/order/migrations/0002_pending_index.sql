-- Admission control counts the PENDING orders (the in-flight saga backlog) several times a second.
CREATE INDEX orders_pending ON orders (order_id) WHERE status = 'ORDER_STATUS_PENDING';
