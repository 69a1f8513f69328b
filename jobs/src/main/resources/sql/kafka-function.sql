-- LLMLingua-2 compression of document chunks from Kafka with the asynchronous SQL function LLMLINGUA_COMPRESS.
--
--   chunks (Kafka, JSON)  ->  LLMLINGUA_COMPRESS(text)  ->  compressed_chunks (Kafka, JSON, key = chunk_id)
--
-- Run:  llmlingua sql --file builtin:kafka-function.sql -Dbootstrap_servers=HOST:9092 \
--           -Dinput_topic=chunks -Doutput_topic=chunks-compressed -Dmodel_path=/models/llmlingua-2
-- Required variables: bootstrap_servers, input_topic, output_topic, model_path.
-- Optional (default): parallelism (1), checkpoint_interval (10 s), group_id (flink-llmlingua-sql-fn), startup_mode
--   (group-offsets), bounded_mode (unbounded), rate (0.5), execution_provider (AUTO), threads (0), batch_max_wait
--   (2 ms), empty_text (PASS_THROUGH), invalid_input (NULL_RESULT), max_concurrent (64), delivery_guarantee
--   (exactly-once), transactional_id_prefix (llmlingua-sql-function), transaction_timeout_ms (900000).
--
-- The function reads its llmlingua.* options from the job parameters (pipeline.global-job-parameters, a
-- 'key:value,key:value' map); LLMLINGUA_COMPRESS(text, rate) would override the rate per row.

SET 'execution.runtime-mode' = 'streaming';
SET 'parallelism.default' = '${parallelism:-1}';
SET 'execution.checkpointing.interval' = '${checkpoint_interval:-10 s}';
SET 'pipeline.name' = 'llmlingua-sql: LLMLINGUA_COMPRESS ${input_topic} -> ${output_topic}';
SET 'pipeline.global-job-parameters' = 'llmlingua.model.path:${model_path},llmlingua.rate:${rate:-0.5},llmlingua.provider:${execution_provider:-AUTO},llmlingua.threads:${threads:-0},llmlingua.batch.max-wait:${batch_max_wait:-2 ms},llmlingua.sql.empty-text:${empty_text:-PASS_THROUGH},llmlingua.sql.invalid-input:${invalid_input:-NULL_RESULT}';
-- Rows in flight per subtask: they share the subtask's engine and are batched together (Flink's default is 10).
SET 'table.exec.async-scalar.max-concurrent-operations' = '${max_concurrent:-64}';

CREATE TEMPORARY SYSTEM FUNCTION LLMLINGUA_COMPRESS AS 'io.flinkllmlingua.flink.table.LlmLinguaCompress';

CREATE TEMPORARY TABLE chunks (
  doc_id STRING,
  chunk_id STRING,
  `text` STRING,
  metadata STRING
) WITH (
  'connector' = 'kafka',
  'topic' = '${input_topic}',
  'properties.bootstrap.servers' = '${bootstrap_servers}',
  'properties.group.id' = '${group_id:-flink-llmlingua-sql-fn}',
  'properties.isolation.level' = 'read_committed',
  'properties.auto.offset.reset' = 'earliest',
  'scan.startup.mode' = '${startup_mode:-group-offsets}',
  'scan.bounded.mode' = '${bounded_mode:-unbounded}',
  'format' = 'json',
  'json.ignore-parse-errors' = 'true'
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
  'sink.transactional-id-prefix' = '${transactional_id_prefix:-llmlingua-sql-function}'
);

INSERT INTO compressed_chunks
SELECT doc_id, chunk_id, c.compressed_text, c.original_tokens, c.compressed_tokens, c.ratio, c.rate, metadata
FROM (SELECT doc_id, chunk_id, metadata, LLMLINGUA_COMPRESS(`text`) AS c FROM chunks);
