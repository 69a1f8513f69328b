-- LLMLingua-2 compression of document chunks from Kafka with Flink SQL model inference (ML_PREDICT).
--
--   chunks (Kafka, JSON)  ->  ML_PREDICT(MODEL compressor)  ->  compressed_chunks (Kafka, JSON, key = chunk_id)
--
-- Run:  llmlingua sql --file builtin:kafka-ml-predict.sql -Dbootstrap_servers=HOST:9092 \
--           -Dinput_topic=chunks -Doutput_topic=chunks-compressed -Dmodel_path=/models/llmlingua-2
-- Required variables: bootstrap_servers, input_topic, output_topic, model_path.
-- Optional (default): parallelism (1), checkpoint_interval (10 s), group_id (flink-llmlingua-sql),
--   startup_mode (group-offsets: committed offsets, else earliest), bounded_mode (unbounded; latest-offset stops
--   at the offsets of the start), rate (0.5), execution_provider (AUTO), threads (0), batch_max_wait (2 ms),
--   empty_text (PASS_THROUGH), invalid_input (NULL_RESULT), max_concurrent (64 rows in flight per subtask,
--   batched together), delivery_guarantee (exactly-once), transactional_id_prefix (llmlingua-sql-predict),
--   transaction_timeout_ms (900000, at most the broker's transaction.max.timeout.ms).
--
-- Input records: {"doc_id": "...", "chunk_id": "...", "text": "...", "metadata": {...}}; malformed JSON records are
-- skipped. metadata is carried as JSON text (declare it as a ROW<...> to keep it an object).

SET 'execution.runtime-mode' = 'streaming';
SET 'parallelism.default' = '${parallelism:-1}';
SET 'execution.checkpointing.interval' = '${checkpoint_interval:-10 s}';
SET 'pipeline.name' = 'llmlingua-sql: ML_PREDICT ${input_topic} -> ${output_topic}';

CREATE TEMPORARY TABLE chunks (
  doc_id STRING,
  chunk_id STRING,
  `text` STRING,
  metadata STRING
) WITH (
  'connector' = 'kafka',
  'topic' = '${input_topic}',
  'properties.bootstrap.servers' = '${bootstrap_servers}',
  'properties.group.id' = '${group_id:-flink-llmlingua-sql}',
  'properties.isolation.level' = 'read_committed',
  'properties.auto.offset.reset' = 'earliest',
  'scan.startup.mode' = '${startup_mode:-group-offsets}',
  'scan.bounded.mode' = '${bounded_mode:-unbounded}',
  'format' = 'json',
  'json.ignore-parse-errors' = 'true'
);

CREATE TEMPORARY MODEL compressor
INPUT (`text` STRING)
OUTPUT (compressed_text STRING, original_tokens INT, compressed_tokens INT, ratio DOUBLE, rate DOUBLE)
WITH (
  'provider' = 'llmlingua2',
  'model-path' = '${model_path}',
  'rate' = '${rate:-0.5}',
  'execution-provider' = '${execution_provider:-AUTO}',
  'threads' = '${threads:-0}',
  'batch.max-wait' = '${batch_max_wait:-2 ms}',
  'empty-text' = '${empty_text:-PASS_THROUGH}',
  'invalid-input' = '${invalid_input:-NULL_RESULT}'
);

CREATE TEMPORARY TABLE compressed_chunks (
  doc_id STRING,
  chunk_id STRING,
  compressed_text STRING,
  original_tokens INT,
  compressed_tokens INT,
  ratio DOUBLE,
  rate DOUBLE,
  metadata STRING
) WITH (
  'connector' = 'kafka',
  'topic' = '${output_topic}',
  'properties.bootstrap.servers' = '${bootstrap_servers}',
  'properties.transaction.timeout.ms' = '${transaction_timeout_ms:-900000}',
  'key.format' = 'raw',
  'key.fields' = 'chunk_id',
  'value.format' = 'json',
  'sink.delivery-guarantee' = '${delivery_guarantee:-exactly-once}',
  'sink.transactional-id-prefix' = '${transactional_id_prefix:-llmlingua-sql-predict}'
);

-- 'async' = 'true': the rows in flight of a subtask share one engine and are batched into common model calls.
-- ALLOW_UNORDERED: rows leave as they complete (records of one chunk_id are not expected twice here; the upsert
-- script keeps the order).
INSERT INTO compressed_chunks
SELECT doc_id, chunk_id, compressed_text, original_tokens, compressed_tokens, ratio, rate, metadata
FROM ML_PREDICT(
  TABLE chunks,
  MODEL compressor,
  DESCRIPTOR(`text`),
  MAP['async', 'true', 'max-concurrent-operations', '${max_concurrent:-64}', 'output-mode', 'ALLOW_UNORDERED']);
