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
    /**
     * Checkpoint directory, a path or URI, for file-system checkpoint storage with checkpoints retained on cancellation
     * and failure ({@link JobRecovery}); null: the environment's own (on a cluster, its configuration).
     */
    public String checkpointDir;
    /** Completed checkpoints kept ({@code execution.checkpointing.num-retained}); null: the environment's. */
    public Integer retainedCheckpoints;
    /** A retained checkpoint or savepoint to restore from; null: none. */
    public String restoreFrom;
    /** Whether the restored job owns {@link #restoreFrom} (a checkpoint resumed with --resume), not a user's savepoint. */
    public boolean restoreClaimed;
    /** Restarts in a row before the job fails for good (exponential delay); null: the environment's restart strategy. */
    public Integer restartAttempts;
    /** The first restart delay (it doubles per attempt up to {@link JobRecovery#MAX_RESTART_DELAY}). */
    public Duration restartDelay = org.apache.flink.util.TimeUtils.parseDuration(JobRecovery.DEFAULT_RESTART_DELAY);
    /** How long the pre-submission check waits for the broker to answer and describe the topics. */
    public Duration kafkaCheckTimeout = io.flinkllmlingua.jobs.cli.KafkaPreflight.DEFAULT_TIMEOUT;
    /** Create missing topics before submitting instead of refusing to start. */
    public boolean createTopics = false;
    /**
     * The smallest {@code max.message.bytes} of the output and dead-letter topics, as the pre-submission check read
     * it; the sink's record limit is the smaller of it and the producer's {@code max.request.size}. Null: unknown.
     */
    public Integer topicMessageLimit;
    /** Extra Kafka client properties for source and sink (security settings and the like). */
    public Properties kafkaProperties = new Properties();
    /** {@code llmlingua.*} options of the operator. */
    public Map<String, String> llmlingua = new LinkedHashMap<>();
}
