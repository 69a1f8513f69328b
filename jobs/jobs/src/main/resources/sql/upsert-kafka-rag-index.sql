-- A compacted RAG-index topic: the latest compressed version of every chunk, keyed by chunk_id (upsert-kafka).
--
--   chunks (Kafka, JSON)  ->  ML_PREDICT(MODEL compressor)  ->  rag_index (upsert-kafka, key = chunk_id)
--
-- Run:  llmlingua sql --file builtin:upsert-kafka-rag-index.sql -Dbootstrap_servers=HOST:9092 \
--           -Dinput_topic=chunks -Doutput_topic=rag-index -Dmodel_path=/models/llmlingua-2
-- Create the output topic with cleanup.policy=compact so that Kafka keeps the latest value per chunk_id.
-- Required variables: bootstrap_servers, input_topic, output_topic, model_path.
-- Optional (default): dead_letter_topic (chunks-dlq), parallelism (1), checkpoint_interval (10 s), group_id (flink-llmlingua-sql-rag),
--   startup_mode (group-offsets), bounded_mode (unbounded), rate (0.5), execution_provider (AUTO), threads (0),
--   batch_max_sequences (0: the provider's plan, 1 on CPU), batch_max_wait (2 ms), empty_text (SKIP_ROW: a chunk without text leaves the index as it was),
--   invalid_input (NULL_RESULT), max_concurrent (64).
--
-- Versions of one chunk must reach the index in input order: produce the input keyed by chunk_id (one partition
-- per chunk) and keep ML_PREDICT's output ORDERED (the default). Writes are idempotent per key, so at-least-once
-- delivery is enough for an index.

SET 'execution.runtime-mode' = 'streaming';
SET 'parallelism.default' = '${parallelism:-1}';
SET 'execution.checkpointing.interval' = '${checkpoint_interval:-10 s}';
SET 'pipeline.name' = 'llmlingua-sql: RAG index ${input_topic} -> ${output_topic}';

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
  'properties.group.id' = '${group_id:-flink-llmlingua-sql-rag}',
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
  'format' = 'json'
);

CREATE TEMPORARY MODEL compressor
INPUT (`text` STRING)
OUTPUT (compressed_text STRING, original_tokens INT, compressed_tokens INT, ratio DOUBLE, kept_fraction DOUBLE)
WITH (
  'provider' = 'llmlingua2',
  'model-path' = '${model_path}',
  'rate' = '${rate:-0.5}',
  'execution-provider' = '${execution_provider:-AUTO}',
  'threads' = '${threads:-0}',
  'batch.max-wait' = '${batch_max_wait:-2 ms}',
  'batch.max-sequences' = '${batch_max_sequences:-0}',
  'empty-text' = '${empty_text:-SKIP_ROW}',
  'invalid-input' = '${invalid_input:-NULL_RESULT}'
);

-- The value: the CompressedChunk fields the SQL path has, without the key (chunk_id), one JSON value so that
-- metadata stays a JSON object.
CREATE TEMPORARY TABLE rag_index (
  chunk_id STRING,
  `value` STRING,
  PRIMARY KEY (chunk_id) NOT ENFORCED
) WITH (
  'connector' = 'upsert-kafka',
  'topic' = '${output_topic}',
  'properties.bootstrap.servers' = '${bootstrap_servers}',
  'key.format' = 'raw',
  'value.format' = 'raw',
  'value.fields-include' = 'EXCEPT_KEY'
);

EXECUTE STATEMENT SET
BEGIN

INSERT INTO rag_index
SELECT chunk_id, JSON_OBJECT(
  KEY 'doc_id' VALUE doc_id,
  KEY 'compressed_text' VALUE compressed_text,
  KEY 'original_tokens' VALUE original_tokens,
  KEY 'compressed_tokens' VALUE compressed_tokens,
  KEY 'ratio' VALUE ratio,
  KEY 'kept_fraction' VALUE kept_fraction,
  KEY 'metadata' VALUE JSON(metadata)
  NULL ON NULL)
FROM ML_PREDICT(
  TABLE chunks,
  MODEL compressor,
  DESCRIPTOR(`text`),
  MAP['async', 'true', 'max-concurrent-operations', '${max_concurrent:-64}']);

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
