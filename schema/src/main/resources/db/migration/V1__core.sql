-- TagWatch core schema. Released migrations are never edited: add V2, V3, ...
-- Tag ids are unsigned 64-bit values stored in BIGINT by their two's-complement bits;
-- the engine formats them as upper-case hex (see docs/protocol.md).

CREATE TABLE owners (
    id          BIGSERIAL PRIMARY KEY,
    name        TEXT        NOT NULL,
    phone       TEXT        NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX owners_phone_idx ON owners (phone);

CREATE TABLE users (
    id             BIGSERIAL PRIMARY KEY,
    username       TEXT        NOT NULL UNIQUE,
    password_hash  TEXT        NOT NULL,
    role           TEXT        NOT NULL CHECK (role IN ('owner', 'clerk', 'officer', 'admin')),
    district       TEXT,
    owner_id       BIGINT REFERENCES owners (id),
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE api_tokens (
    token_hash  TEXT PRIMARY KEY,
    user_id     BIGINT      NOT NULL REFERENCES users (id),
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at  TIMESTAMPTZ NOT NULL,
    revoked_at  TIMESTAMPTZ
);
CREATE INDEX api_tokens_user_idx ON api_tokens (user_id);

CREATE TABLE vehicles (
    id          BIGSERIAL PRIMARY KEY,
    plate       TEXT        NOT NULL,
    tag         BIGINT      NOT NULL UNIQUE,
    kind        TEXT        NOT NULL CHECK (kind IN ('ebike', 'motorcycle')),
    brand       TEXT,
    color       TEXT,
    owner_id    BIGINT      NOT NULL REFERENCES owners (id),
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX vehicles_owner_idx ON vehicles (owner_id);
CREATE INDEX vehicles_plate_idx ON vehicles (plate);

CREATE TABLE readers (
    id           TEXT PRIMARY KEY,
    name         TEXT             NOT NULL,
    lat          DOUBLE PRECISION NOT NULL,
    lon          DOUBLE PRECISION NOT NULL,
    district     TEXT             NOT NULL,
    secret_hash  TEXT             NOT NULL,
    created_at   TIMESTAMPTZ      NOT NULL DEFAULT now(),
    retired_at   TIMESTAMPTZ
);

CREATE TABLE theft_reports (
    id           BIGSERIAL PRIMARY KEY,
    vehicle_id   BIGINT      NOT NULL REFERENCES vehicles (id),
    reported_by  BIGINT      REFERENCES users (id),
    reported_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    status       TEXT        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'recovered', 'closed')),
    closed_by    BIGINT      REFERENCES users (id),
    closed_at    TIMESTAMPTZ
);
-- at most one open theft report per vehicle
CREATE UNIQUE INDEX theft_reports_open_idx ON theft_reports (vehicle_id) WHERE status = 'open';

CREATE TABLE watchlist (
    id          BIGSERIAL PRIMARY KEY,
    vehicle_id  BIGINT      NOT NULL REFERENCES vehicles (id),
    reason      TEXT        NOT NULL,
    district    TEXT,
    created_by  BIGINT      NOT NULL REFERENCES users (id),
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE hits (
    id               UUID PRIMARY KEY,
    list_kind        TEXT        NOT NULL,
    list_version     BIGINT      NOT NULL,
    rule             TEXT        NOT NULL,
    tag              BIGINT      NOT NULL,
    vehicle_id       BIGINT      REFERENCES vehicles (id),
    theft_report_id  BIGINT      REFERENCES theft_reports (id),
    reader_id        TEXT        NOT NULL REFERENCES readers (id),
    district         TEXT        NOT NULL,
    reader_time      TIMESTAMPTZ NOT NULL,
    received_at      TIMESTAMPTZ NOT NULL,
    rssi             SMALLINT,
    status           TEXT        NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'acknowledged', 'resolved')),
    acknowledged_by  BIGINT      REFERENCES users (id),
    acknowledged_at  TIMESTAMPTZ,
    resolution       TEXT        CHECK (resolution IN ('recovered', 'not_found', 'false_alarm')),
    resolved_by      BIGINT      REFERENCES users (id),
    resolved_at      TIMESTAMPTZ
);
CREATE INDEX hits_received_idx ON hits (received_at DESC);
CREATE INDEX hits_status_district_idx ON hits (status, district, received_at DESC);
CREATE INDEX hits_vehicle_idx ON hits (vehicle_id, received_at DESC);

-- Sightings: one row per (tag, reader) pass, closed by the dedup window.
-- Declarative partitions by day on plain PostgreSQL (the engine adds the daily partitions;
-- the default partition catches anything outside them). The TimescaleDB path is issue 6.
CREATE TABLE sightings (
    tag         BIGINT      NOT NULL,
    reader_id   TEXT        NOT NULL,
    first_seen  TIMESTAMPTZ NOT NULL,
    last_seen   TIMESTAMPTZ NOT NULL,
    read_count  INTEGER     NOT NULL,
    best_rssi   SMALLINT
) PARTITION BY RANGE (first_seen);
CREATE TABLE sightings_default PARTITION OF sightings DEFAULT;
CREATE INDEX sightings_tag_time_idx ON sightings (tag, first_seen DESC);
CREATE INDEX sightings_reader_time_idx ON sightings (reader_id, first_seen DESC);

CREATE TABLE audit_log (
    id           BIGSERIAL PRIMARY KEY,
    at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    user_id      BIGINT      REFERENCES users (id),
    action       TEXT        NOT NULL,
    vehicle_id   BIGINT      REFERENCES vehicles (id),
    reason       TEXT,
    rows_returned INTEGER
);
CREATE INDEX audit_log_vehicle_idx ON audit_log (vehicle_id, at DESC);
