-- Test data for the ClickHouse checks (run by scripts/services/clickhouse.sh as the default user).
-- Database `app` holds good and bad tables; `ok` holds only tables that pass every table check.
CREATE DATABASE IF NOT EXISTS app;
CREATE DATABASE IF NOT EXISTS ok;

-- Good: MergeTree, partitioned by month, hot columns lead the key, a sampling key.
CREATE TABLE app.events (risk_id UInt32, timestamp DateTime, status String, amount Float64)
  ENGINE = MergeTree PARTITION BY toYYYYMM(timestamp) ORDER BY (risk_id, timestamp, status) SAMPLE BY risk_id;
INSERT INTO app.events SELECT number % 1000, toDateTime('2026-01-01 00:00:00') + number * 10, ['new', 'open', 'closed'][number % 3 + 1], number / 7 FROM system.numbers LIMIT 200000;

-- Bad engines: Log and Memory.
CREATE TABLE app.events_bad (x UInt32, payload String) ENGINE = Log;
INSERT INTO app.events_bad SELECT number, concat('x', toString(number)) FROM system.numbers LIMIT 50000;
CREATE TABLE app.sessions_mem (id UInt64, user String) ENGINE = Memory;
INSERT INTO app.sessions_mem SELECT number, toString(number) FROM system.numbers LIMIT 1000;
CREATE TABLE app.logs (x UInt8) ENGINE = TinyLog;

-- MergeTree with no ORDER BY and no partition key; scanned in full by the workload.
CREATE TABLE app.unordered (id UInt64, payload String, status String) ENGINE = MergeTree ORDER BY tuple();
INSERT INTO app.unordered SELECT number, concat('x', toString(number)), 'open' FROM system.numbers LIMIT 100000;

-- Hot columns out of the key, partitioned by a non-time column.
CREATE TABLE app.status_by_id (id UInt64, risk_id UInt32, timestamp DateTime, status String)
  ENGINE = MergeTree PARTITION BY status ORDER BY id;
INSERT INTO app.status_by_id SELECT number, number % 100, now(), ['a', 'b'][number % 2 + 1] FROM system.numbers LIMIT 10000;

-- Hundreds of parts in one partition: merges stopped by the script, then single-row inserts.
CREATE TABLE app.many_parts (id UInt64, d Date) ENGINE = MergeTree PARTITION BY toYYYYMM(d) ORDER BY id
  SETTINGS parts_to_delay_insert = 100000, parts_to_throw_insert = 100000;

-- Rows over 1 MB.
CREATE TABLE app.wide_rows (id UInt64, d Date, blob String) ENGINE = MergeTree PARTITION BY toYYYYMM(d) ORDER BY id;
INSERT INTO app.wide_rows SELECT number, today(), replicateString FROM (SELECT number, arrayStringConcat(arrayMap(x -> 'abcdefgh', range(140000))) AS replicateString FROM system.numbers LIMIT 3);

-- Pre-aggregation: a SummingMergeTree fed by a materialized view.
CREATE TABLE app.daily_totals (day Date, risk_id UInt32, amount Float64)
  ENGINE = SummingMergeTree PARTITION BY toYYYYMM(day) ORDER BY (day, risk_id);
CREATE MATERIALIZED VIEW app.daily_totals_mv TO app.daily_totals
  AS SELECT toDate(timestamp) AS day, risk_id, amount FROM app.events;
INSERT INTO app.events VALUES (1, now(), 'new', 1.5);

-- Only good tables.
CREATE TABLE ok.metrics (risk_id UInt32, timestamp DateTime, status String, value Float64)
  ENGINE = MergeTree PARTITION BY toYYYYMM(timestamp) ORDER BY (risk_id, timestamp, status) SAMPLE BY risk_id;
INSERT INTO ok.metrics SELECT number % 50, toDateTime('2026-01-01 00:00:00') + number, 'open', number FROM system.numbers LIMIT 5000;
