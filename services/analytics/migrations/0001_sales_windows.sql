-- Sales in tumbling one-minute windows by event time, all on one shard (the ring's shard for the key
-- 'analytics'): every event's inbox row and its window's change commit in one transaction there.
-- Times are Unix milliseconds; a window is named by its start.
CREATE TABLE sales_windows (
    window_start_ms bigint PRIMARY KEY,
    placed          bigint NOT NULL DEFAULT 0,
    confirmed       bigint NOT NULL DEFAULT 0,
    rejected        bigint NOT NULL DEFAULT 0,
    cancelled       bigint NOT NULL DEFAULT 0,
    refunded        bigint NOT NULL DEFAULT 0,
    late_dropped    bigint NOT NULL DEFAULT 0,
    -- One more for every change, so WatchSales finds what changed by reading this table alone.
    revision        bigint NOT NULL DEFAULT 0
);

CREATE TABLE window_rejections (
    window_start_ms bigint NOT NULL,
    reason          text   NOT NULL,
    count           bigint NOT NULL,
    PRIMARY KEY (window_start_ms, reason)
);

CREATE TABLE window_money (
    window_start_ms bigint NOT NULL,
    currency        text   NOT NULL,
    revenue_minor   bigint NOT NULL DEFAULT 0,
    refunds_minor   bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (window_start_ms, currency)
);

CREATE TABLE window_products (
    window_start_ms bigint NOT NULL,
    sku             text   NOT NULL,
    currency        text   NOT NULL,
    units           bigint NOT NULL,
    revenue_minor   bigint NOT NULL,
    PRIMARY KEY (window_start_ms, sku, currency)
);

-- Place -> terminal latency as a log-bucketed histogram (bucket numbers: LatencyHistogram), so
-- percentiles of any merge of windows come from stored counts.
CREATE TABLE window_latency (
    window_start_ms bigint   NOT NULL,
    bucket          smallint NOT NULL,
    count           bigint   NOT NULL,
    PRIMARY KEY (window_start_ms, bucket)
);

-- What a later event of an order needs from its OrderPlaced (placed time, lines, total); deleted
-- when the order ends.
CREATE TABLE placed_orders (
    order_id  text   PRIMARY KEY,
    placed_ms bigint NOT NULL,
    placed    bytea  NOT NULL
);

-- The newest event time seen: a window closes once it lies late_allowance_ms behind it. One row,
-- locked by every transaction that records events, so they apply in one order.
CREATE TABLE event_time_watermark (
    id          smallint PRIMARY KEY CHECK (id = 1),
    newest_ms   bigint   NOT NULL
);
INSERT INTO event_time_watermark (id, newest_ms) VALUES (1, 0);
