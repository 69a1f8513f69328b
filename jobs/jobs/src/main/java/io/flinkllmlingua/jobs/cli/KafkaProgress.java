package io.flinkllmlingua.jobs.cli;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * The progress of a Kafka-to-Kafka job as Kafka sees it, read with an AdminClient (nothing in the job changes):
 * <ul>
 *   <li><b>consumed</b>: the input records up to the consumer group's committed offsets, which the Kafka source
 *   advances when a checkpoint completes, i.e. input whose results are committed;</li>
 *   <li><b>committed</b>: the output and dead-letter topics' last stable offsets (what read_committed readers see);</li>
 *   <li><b>written</b>: their end offsets, including records of transactions still open.</li>
 * </ul>
 * Output offsets count Kafka's transaction markers (one per partition and checkpoint) too, so they run slightly ahead
 * of record counts.
 */
public final class KafkaProgress implements AutoCloseable {
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);

    private final Admin admin;
    private final String groupId;
    private final String inputTopic;
    private final List<String> outputTopics;

    public KafkaProgress(String bootstrapServers, Properties clientProperties, String groupId, String inputTopic,
                         List<String> outputTopics) {
        Properties p = new Properties();
        p.putAll(clientProperties);
        p.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.setProperty(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, String.valueOf(CALL_TIMEOUT.toMillis()));
        p.setProperty(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(CALL_TIMEOUT.toMillis()));
        this.admin = Admin.create(p);
        this.groupId = groupId;
        this.inputTopic = inputTopic;
        this.outputTopics = List.copyOf(outputTopics);
    }

    /** One line: input consumed of its end, output committed and written. */
    public String line() {
        try {
            Map<TopicPartition, Long> inputEnd = ends(List.of(inputTopic), IsolationLevel.READ_UNCOMMITTED);
            Map<TopicPartition, OffsetAndMetadata> group = admin.listConsumerGroupOffsets(groupId)
                    .partitionsToOffsetAndMetadata().get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            long consumed = 0;
            for (TopicPartition tp : inputEnd.keySet()) {
                OffsetAndMetadata o = group.get(tp);
                consumed += o == null ? 0 : o.offset();
            }
            long inputTotal = sum(inputEnd);
            long committed = sum(ends(outputTopics, IsolationLevel.READ_COMMITTED));
            long written = sum(ends(outputTopics, IsolationLevel.READ_UNCOMMITTED));
            return String.format(Locale.ROOT, "input '%s': %d of %d records consumed as of the last completed "
                            + "checkpoint (group '%s'); output %s: offsets %d committed, %d written (offsets include "
                            + "transaction markers)", inputTopic, consumed, inputTotal, groupId,
                    String.join(" + ", outputTopics), committed, written);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (Exception e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private Map<TopicPartition, Long> ends(List<String> topics, IsolationLevel isolation) throws Exception {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        admin.describeTopics(topics).allTopicNames().get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .forEach((name, d) -> {
                    for (TopicPartitionInfo p : d.partitions()) {
                        request.put(new TopicPartition(name, p.partition()), OffsetSpec.latest());
                    }
                });
        Map<TopicPartition, Long> ends = new HashMap<>();
        admin.listOffsets(request, new ListOffsetsOptions(isolation)).all()
                .get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .forEach((tp, info) -> ends.put(tp, info.offset()));
        return ends;
    }

    private static long sum(Map<TopicPartition, Long> offsets) {
        return offsets.values().stream().mapToLong(Long::longValue).sum();
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(1));
    }
}
