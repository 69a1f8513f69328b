package io.flinkllmlingua.jobs.streaming;

import java.io.Serializable;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/** Settings of the Kafka ingestion job (the operator's own options are {@code llmlingua.*} entries in {@link #llmlingua}). */
public final class JobSettings implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Where the job starts reading when it has no checkpoint. */
    public enum StartFrom { EARLIEST, LATEST, COMMITTED }

    public String bootstrapServers = "127.0.0.1:9092";
    public String inputTopic = "chunks";
    public String outputTopic = "chunks-compressed";
    public String deadLetterTopic = "chunks-dlq";
    public String groupId = "flink-llmlingua";
    public StartFrom startFrom = StartFrom.COMMITTED;
    /** Stop at the input's latest offsets as of the job start (a bounded run). */
    public boolean bounded = false;
    public Duration checkpointInterval = Duration.ofSeconds(10);
    public String transactionalIdPrefix = "flink-llmlingua";
    /** Kafka transaction timeout: above the checkpoint interval plus restart time, at most the broker's transaction.max.timeout.ms. */
    public Duration transactionTimeout = Duration.ofMinutes(15);
    public int parallelism = -1;
    /** How long the pre-submission check waits for the broker to answer and describe the topics. */
    public Duration kafkaCheckTimeout = io.flinkllmlingua.jobs.cli.KafkaPreflight.DEFAULT_TIMEOUT;
    /** Create missing topics before submitting instead of refusing to start. */
    public boolean createTopics = false;
    /** Extra Kafka client properties for source and sink (security settings and the like). */
    public Properties kafkaProperties = new Properties();
    /** {@code llmlingua.*} options of the operator. */
    public Map<String, String> llmlingua = new LinkedHashMap<>();
}
