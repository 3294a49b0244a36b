-- Everything of one customer lives on shard(customer_id): accounts, their payments and ledger
-- entries, so every money movement is one local transaction.
CREATE TABLE accounts (
    customer_id text        NOT NULL,
    currency    text        NOT NULL,
    available   bigint      NOT NULL DEFAULT 0 CHECK (available >= 0),
    held        bigint      NOT NULL DEFAULT 0 CHECK (held >= 0),
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (customer_id, currency)
);

-- One payment per order. status: authorized -> captured -> refunded, authorized -> voided;
-- declined records a refused authorization; voided without a hold records a void that came first.
CREATE TABLE payments (
    order_id       text        PRIMARY KEY,
    customer_id    text        NOT NULL,
    amount         bigint      NOT NULL CHECK (amount >= 0),
    currency       text        NOT NULL,
    status         text        NOT NULL CHECK (status IN ('authorized', 'captured', 'voided', 'refunded', 'declined')),
    decline_reason integer     NOT NULL DEFAULT 0,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);

-- Double-entry ledger: the entries of one transaction_id sum to zero.
CREATE TABLE ledger_entries (
    entry_id       bigserial   PRIMARY KEY,
    transaction_id uuid        NOT NULL,
    customer_id    text        NOT NULL,
    account        text        NOT NULL,
    amount         bigint      NOT NULL,
    currency       text        NOT NULL,
    order_id       text        NOT NULL DEFAULT '',
    operation      text        NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ledger_entries_customer ON ledger_entries (customer_id, entry_id);

-- Deposits sent with an idempotency key.
CREATE TABLE deposits (
    idempotency_key text        PRIMARY KEY,
    customer_id     text        NOT NULL,
    amount          bigint      NOT NULL,
    currency        text        NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);
