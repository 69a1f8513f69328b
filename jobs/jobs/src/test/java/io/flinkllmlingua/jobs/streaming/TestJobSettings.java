package io.flinkllmlingua.jobs.streaming;

import java.nio.file.Path;
import java.time.Duration;

/** The Kafka job's settings as the MiniCluster tests start from them; each test changes what it is about. */
final class TestJobSettings {
    private TestJobSettings() {}

    /**
     * Topics {@code in-ID}, {@code out-ID}, {@code dlq-ID}, group {@code g-ID} and transactional ids {@code tx-ID};
     * from the earliest offsets, bounded, checkpoints every 500 ms, parallelism 1, the model on one CPU thread.
     */
    static JobSettings of(String id, String bootstrapServers, Path model, String modelId) {
        JobSettings s = new JobSettings();
        s.bootstrapServers = bootstrapServers;
        s.inputTopic = "in-" + id;
        s.outputTopic = "out-" + id;
        s.deadLetterTopic = "dlq-" + id;
        s.groupId = "g-" + id;
        s.transactionalIdPrefix = "tx-" + id;
        s.transactionTimeout = Duration.ofMinutes(2);
        s.startFrom = JobSettings.StartFrom.EARLIEST;
        s.bounded = true;
        s.checkpointInterval = Duration.ofMillis(500);
        s.parallelism = 1;
        s.llmlingua.put("llmlingua.model.path", model.toString());
        s.llmlingua.put("llmlingua.model.id", modelId);
        s.llmlingua.put("llmlingua.provider", "CPU");
        s.llmlingua.put("llmlingua.threads", "1");
        return s;
    }
}
