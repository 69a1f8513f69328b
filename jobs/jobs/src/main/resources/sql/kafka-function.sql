-- LLMLingua-2 compression of document chunks from Kafka with the asynchronous SQL function LLMLINGUA_COMPRESS.
--
--   chunks (Kafka, JSON)  ->  LLMLINGUA_COMPRESS(text)  ->  compressed_chunks (Kafka, JSON, key = chunk_id)
--
-- Run:  llmlingua sql --file builtin:kafka-function.sql -Dbootstrap_servers=HOST:9092 \
--           -Dinput_topic=chunks -Doutput_topic=chunks-compressed -Dmodel_path=/models/llmlingua-2
-- Required variables: bootstrap_servers, input_topic, output_topic, model_path.
-- Optional (default): dead_letter_topic (chunks-dlq), parallelism (1), checkpoint_interval (10 s), group_id (flink-llmlingua-sql-fn), startup_mode
--   (group-offsets), bounded_mode (unbounded), rate (0.5), execution_provider (AUTO), threads (0), batch_max_sequences (0: the provider's plan, 1 on CPU), batch_max_wait
--   (2 ms), empty_text (PASS_THROUGH), invalid_input (NULL_RESULT), max_concurrent (64), delivery_guarantee
--   (exactly-once), transactional_id_prefix (llmlingua-sql-function), transaction_timeout_ms (900000).
--
-- The function reads its llmlingua.* options from the job parameters (pipeline.global-job-parameters, a
-- 'key:value,key:value' map); LLMLINGUA_COMPRESS(text, rate) would override the rate per row.

SET 'execution.runtime-mode' = 'streaming';
SET 'parallelism.default' = '${parallelism:-1}';
SET 'execution.checkpointing.interval' = '${checkpoint_interval:-10 s}';
SET 'pipeline.name' = 'llmlingua-sql: LLMLINGUA_COMPRESS ${input_topic} -> ${output_topic}';
SET 'pipeline.global-job-parameters' = 'llmlingua.model.path:${model_path},llmlingua.rate:${rate:-0.5},llmlingua.provider:${execution_provider:-AUTO},llmlingua.threads:${threads:-0},llmlingua.batch.max-wait:${batch_max_wait:-2 ms},llmlingua.batch.max-sequences:${batch_max_sequences:-0},llmlingua.sql.empty-text:${empty_text:-PASS_THROUGH},llmlingua.sql.invalid-input:${invalid_input:-NULL_RESULT}';
-- Rows in flight per subtask: they share the subtask's engine and are batched together (Flink's default is 10).
SET 'table.exec.async-scalar.max-concurrent-operations' = '${max_concurrent:-64}';

CREATE TEMPORARY SYSTEM FUNCTION LLMLINGUA_COMPRESS AS 'io.flinkllmlingua.flink.table.LlmLinguaCompress';

-- The raw value, so that a record that is not a JSON object with doc_id and chunk_id goes to the dead-letter
-- topic with its original text and coordinates instead of being skipped.
CREATE TEMPORARY TABLE raw_chunks (
  `key` STRING,
  `value` STRING,
  `source_topic` STRING METADATA FROM 'topic' VIRTUAL,
  `source_partition` INT METADATA FROM 'partition' VIRTUAL,
  `source_offset` BIGINT METADATA FROM 'offset' VIRTUAL
) WITH (
  'connector' = 'kafka',
  'topic' = '${input_topic}',
  'properties.bootstrap.servers' = '${bootstrap_servers}',
  'properties.group.id' = '${group_id:-flink-llmlingua-sql-fn}',
  'properties.isolation.level' = 'read_committed',
  'properties.auto.offset.reset' = 'earliest',
  'scan.startup.mode' = '${startup_mode:-group-offsets}',
  'scan.bounded.mode' = '${bounded_mode:-unbounded}',
  'key.format' = 'raw',
  'key.fields' = 'key',
  'value.format' = 'raw',
  'value.fields-include' = 'EXCEPT_KEY'
);

CREATE TEMPORARY VIEW chunks AS
SELECT
  JSON_VALUE(`value`, '$.doc_id') AS doc_id,
  JSON_VALUE(`value`, '$.chunk_id') AS chunk_id,
  JSON_VALUE(`value`, '$.text') AS `text`,
  -- metadata as raw JSON text; written back as a JSON value with JSON(...) inside JSON_OBJECT
  JSON_QUERY(`value`, '$.metadata') AS metadata
FROM raw_chunks
WHERE `value` IS JSON OBJECT
  AND JSON_VALUE(`value`, '$.doc_id') IS NOT NULL
  AND JSON_VALUE(`value`, '$.chunk_id') IS NOT NULL
  AND JSON_VALUE(`value`, '$.text') IS NOT NULL;

-- The DeadLetter record of every path (README, "Record schemas"); the raw format decodes values as UTF-8.
CREATE TEMPORARY TABLE dead_letters (
  doc_id STRING,
  chunk_id STRING,
  error ROW<`class` STRING, message STRING, attempts INT>,
  source ROW<topic STRING, `partition` INT, `offset` BIGINT>,
  `key` STRING,
  key_encoding STRING,
  `value` STRING,
  value_encoding STRING,
  failed_at STRING
) WITH (
  'connector' = 'kafka',
  'topic' = '${dead_letter_topic:-chunks-dlq}',
  'properties.bootstrap.servers' = '${bootstrap_servers}',
  'properties.transaction.timeout.ms' = '${transaction_timeout_ms:-900000}',
  'format' = 'json',
  'sink.delivery-guarantee' = '${delivery_guarantee:-exactly-once}',
  'sink.transactional-id-prefix' = '${transactional_id_prefix:-llmlingua-sql-function}-dlq'
);

-- The CompressedChunk fields the SQL path has (README, "Record schemas"), as one JSON value per record, so that
-- metadata stays a JSON object (the json format would write a STRING column as an escaped string).
CREATE TEMPORARY TABLE compressed_chunks (
  chunk_id STRING,
  `value` STRING
) WITH (
  'connector' = 'kafka',
  'topic' = '${output_topic}',
  'properties.bootstrap.servers' = '${bootstrap_servers}',
  'properties.transaction.timeout.ms' = '${transaction_timeout_ms:-900000}',
  'key.format' = 'raw',
  'key.fields' = 'chunk_id',
  'value.format' = 'raw',
  'value.fields-include' = 'EXCEPT_KEY',
  'sink.delivery-guarantee' = '${delivery_guarantee:-exactly-once}',
  'sink.transactional-id-prefix' = '${transactional_id_prefix:-llmlingua-sql-function}'
);

EXECUTE STATEMENT SET
BEGIN

INSERT INTO compressed_chunks
SELECT chunk_id, JSON_OBJECT(
  KEY 'doc_id' VALUE doc_id,
  KEY 'chunk_id' VALUE chunk_id,
  KEY 'compressed_text' VALUE c.compressed_text,
  KEY 'original_tokens' VALUE c.original_tokens,
  KEY 'compressed_tokens' VALUE c.compressed_tokens,
  KEY 'ratio' VALUE c.ratio,
  KEY 'kept_fraction' VALUE c.kept_fraction,
  KEY 'metadata' VALUE JSON(metadata)
  NULL ON NULL)
FROM (SELECT doc_id, chunk_id, metadata, LLMLINGUA_COMPRESS(`text`) AS c FROM chunks);

INSERT INTO dead_letters
SELECT
  JSON_VALUE(`value`, '$.doc_id'),
  JSON_VALUE(`value`, '$.chunk_id'),
  ROW(
    CASE WHEN `value` IS NULL THEN 'NullValue'
         WHEN NOT (`value` IS JSON) THEN 'MalformedJson'
         WHEN NOT (`value` IS JSON OBJECT) THEN 'NotAnObject'
         ELSE 'MissingField' END,
    CASE WHEN `value` IS NULL THEN 'record has no value (tombstone)'
         WHEN NOT (`value` IS JSON) THEN 'value is not valid JSON'
         WHEN NOT (`value` IS JSON OBJECT) THEN 'value must be a JSON object'
         WHEN JSON_VALUE(`value`, '$.doc_id') IS NULL THEN 'field ''doc_id'' is missing'
         WHEN JSON_VALUE(`value`, '$.chunk_id') IS NULL THEN 'field ''chunk_id'' is missing'
         ELSE 'field ''text'' is missing' END,
    1),
  ROW(source_topic, source_partition, source_offset),
  `key`, CASE WHEN `key` IS NULL THEN CAST(NULL AS STRING) ELSE 'utf-8' END,
  `value`, CASE WHEN `value` IS NULL THEN CAST(NULL AS STRING) ELSE 'utf-8' END,
  DATE_FORMAT(CURRENT_TIMESTAMP, 'yyyy-MM-dd''T''HH:mm:ss.SSS')
FROM raw_chunks
WHERE `value` IS NULL
   OR NOT (`value` IS JSON OBJECT)
   OR JSON_VALUE(`value`, '$.doc_id') IS NULL
   OR JSON_VALUE(`value`, '$.chunk_id') IS NULL
   OR JSON_VALUE(`value`, '$.text') IS NULL;

END;
