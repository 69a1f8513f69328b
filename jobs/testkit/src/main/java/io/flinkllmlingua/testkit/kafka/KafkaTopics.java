package io.flinkllmlingua.testkit.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates topics on a test broker, in-process ({@link EmbeddedKafkaBroker}) or a broker process of its own, and
 * returns only once every partition's leader serves, so that the first produce request cannot meet a leader that
 * the metadata names but the broker has not yet become.
 */
public final class KafkaTopics {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private KafkaTopics() {}

    /**
     * Creates topics with {@code partitions} partitions and replication factor 1 through {@code admin} and waits until
     * every partition's leader answers ListOffsets ({@link #leadersServe}). Topics that already exist are left as
     * they are.
     */
    public static void create(Admin admin, int partitions, String... names) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be >= 1, got " + partitions);
        }
        if (names.length == 0) {
            return;
        }
        List<NewTopic> topics = new ArrayList<>();
        for (String name : names) {
            topics.add(new NewTopic(Objects.requireNonNull(name, "topic name"), partitions, (short) 1));
        }
        admin.createTopics(topics).values().forEach((name, future) -> {
            try {
                await(future, TIMEOUT, "creating topic " + name);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException("creating topic " + name + " failed", e.getCause());
                }
            }
        });
        awaitLeaders(admin, Arrays.asList(names), TIMEOUT);
    }

    /**
     * The result of an admin request, waited for up to {@code timeout}; a wait that is interrupted or runs out is an
     * {@link IllegalStateException} naming {@code what}, the request's own failure is left to the caller.
     */
    static <T> T await(KafkaFuture<T> future, Duration timeout, String what) throws ExecutionException {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while " + what, e);
        } catch (TimeoutException e) {
            throw new IllegalStateException(what + " timed out after " + timeout.toSeconds() + " s", e);
        }
    }

    private static void awaitLeaders(Admin admin, Collection<String> topics, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                Map<String, TopicDescription> described = admin.describeTopics(topics).allTopicNames().get(10, TimeUnit.SECONDS);
                boolean ready = described.values().stream()
                        .flatMap(d -> d.partitions().stream())
                        .map(TopicPartitionInfo::leader)
                        .allMatch(leader -> leader != null && !leader.isEmpty());
                if (ready && leadersServe(admin, described)) {
                    return;
                }
            } catch (ExecutionException | TimeoutException e) {
                // not visible in metadata yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for topic leaders", e);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("topics " + topics + " have no leader after " + timeout);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for topic leaders", e);
            }
        }
    }

    /**
     * Whether the leader of every partition answers a ListOffsets request. The metadata names a leader a moment
     * before the broker's replica manager has become it: a produce request in that moment fails with
     * NOT_LEADER_OR_FOLLOWER, and an idempotent producer whose first batch failed so, while its next batches were
     * appended, then retried that batch with OUT_OF_ORDER_SEQUENCE_NUMBER until its delivery timeout and lost its
     * records (42 of 1,200 in a backfill test on a loaded machine, 2026-12-08; the standalone-cluster fault test's
     * broker process the same day). ListOffsets is answered by the replica manager, so it fails in the same moment.
     */
    private static boolean leadersServe(Admin admin, Map<String, TopicDescription> described)
            throws InterruptedException, TimeoutException {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        described.forEach((name, d) -> d.partitions()
                .forEach(p -> latest.put(new TopicPartition(name, p.partition()), OffsetSpec.latest())));
        try {
            admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS);
            return true;
        } catch (ExecutionException e) {
            return false; // not the leader yet
        }
    }
}
