package io.flinkllmlingua.jobs.streaming;

import io.flinkllmlingua.flink.ChunkOutcome;
import io.flinkllmlingua.flink.LlmLinguaConfig;
import io.flinkllmlingua.flink.LlmLinguaOperator;
import io.flinkllmlingua.flink.SourceRecord;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Properties;

/**
 * The Kafka ingestion pipeline: chunk records from the input topic, decoded into {@code InputChunk}s, LLMLingua-2
 * compression ({@link LlmLinguaOperator}, typed), compressed chunks to the output topic and dead letters to their
 * topic, exactly once (Kafka transactions committed on checkpoints). Bytes are read and written only at the two
 * ends ({@link SourceRecordDeserializer}, {@link OutcomeSerializer}).
 */
public final class CompressionJob {
    public static final String SOURCE_UID = "kafka-chunks-source";
    public static final String SINK_UID = "kafka-compressed-sink";
    private static final Logger LOG = LoggerFactory.getLogger(CompressionJob.class);
    /** The sink's default max.block.ms (Kafka's own is 60 s); kafka.max.block.ms overrides it. */
    public static final java.time.Duration SINK_MAX_BLOCK = java.time.Duration.ofSeconds(30);

    private CompressionJob() {}

    /** Adds the pipeline to {@code env} and returns the outcome stream (before the sink). */
    public static DataStream<ChunkOutcome> build(StreamExecutionEnvironment env, JobSettings s) {
        return build(env, s, null);
    }

    /**
     * As {@link #build(StreamExecutionEnvironment, JobSettings)}, with a step between the operator and the sink
     * (fault-injection in tests, custom enrichment); null for none.
     */
    public static DataStream<ChunkOutcome> build(StreamExecutionEnvironment env, JobSettings s,
                                                 MapFunction<ChunkOutcome, ChunkOutcome> beforeSink) {
        LlmLinguaConfig config = LlmLinguaConfig.fromMap(s.llmlingua);
        if (s.parallelism > 0) {
            env.setParallelism(s.parallelism);
        }
        env.enableCheckpointing(s.checkpointInterval.toMillis(), CheckpointingMode.EXACTLY_ONCE);
        JobRecovery.configure(env, s);

        KafkaSourceBuilder<SourceRecord> source = KafkaSource.<SourceRecord>builder()
                .setBootstrapServers(s.bootstrapServers)
                .setTopics(s.inputTopic)
                .setGroupId(s.groupId)
                .setDeserializer(new SourceRecordDeserializer())
                .setStartingOffsets(startingOffsets(s.startFrom))
                .setProperties(withIsolation(s.kafkaProperties));
        if (s.bounded) {
            source.setBounded(OffsetsInitializer.latest());
        }
        DataStream<SourceRecord> records = env.fromSource(source.build(), WatermarkStrategy.noWatermarks(), "kafka: " + s.inputTopic)
                .uid(SOURCE_UID);

        // Decoding is a map step before the typed operator; records that are not chunks become dead letters there.
        DataStream<ChunkOutcome> outcomes = LlmLinguaOperator.compressRecords(records, config);
        if (beforeSink != null) {
            outcomes = outcomes.map(beforeSink).returns(ChunkOutcome.class).name("before-sink").uid("before-sink");
        }

        Properties producer = new Properties();
        producer.putAll(s.kafkaProperties);
        producer.setProperty("transaction.timeout.ms", String.valueOf(s.transactionTimeout.toMillis()));
        // A topic deleted (or a broker gone) at run time: fail the task after this wait for metadata instead of
        // blocking in KafkaProducer.partitionsFor; the restart strategy bounds the retries.
        producer.putIfAbsent("max.block.ms", String.valueOf(SINK_MAX_BLOCK.toMillis()));
        KafkaSink<ChunkOutcome> sink = KafkaSink.<ChunkOutcome>builder()
                .setBootstrapServers(s.bootstrapServers)
                .setRecordSerializer(new OutcomeSerializer(s.outputTopic, s.deadLetterTopic, recordLimit(s, producer)))
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(s.transactionalIdPrefix)
                .setKafkaProducerConfig(producer)
                .build();
        outcomes.sinkTo(sink).name("kafka: " + s.outputTopic + " + " + s.deadLetterTopic).uid(SINK_UID);
        return outcomes;
    }

    /** The sink's record limit: the producer's {@code max.request.size}, or the topics' smaller limit. */
    static int recordLimit(JobSettings s, Properties producer) {
        int limit = OutcomeSerializer.maxRequestSize(producer);
        if (s.topicMessageLimit != null && s.topicMessageLimit < limit) {
            LOG.info("records to {} and {} are limited to {} bytes by the topics' max.message.bytes (the producer's "
                    + "max.request.size is {})", s.outputTopic, s.deadLetterTopic, s.topicMessageLimit, limit);
            return s.topicMessageLimit;
        }
        return limit;
    }

    private static Properties withIsolation(Properties extra) {
        Properties p = new Properties();
        p.putAll(extra);
        // Read only committed data when the input itself is written transactionally.
        p.putIfAbsent("isolation.level", "read_committed");
        return p;
    }

    private static OffsetsInitializer startingOffsets(JobSettings.StartFrom from) {
        switch (from) {
            case EARLIEST:
                return OffsetsInitializer.earliest();
            case LATEST:
                return OffsetsInitializer.latest();
            default:
                return OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
        }
    }
}
