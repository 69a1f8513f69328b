package io.flinkllmlingua.jobs.cli;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What a job main asks Kafka before it submits a job: is a broker reachable at the bootstrap servers, and do the
 * topics exist. Without it, a job whose output topic is missing (broker auto-creation off) or whose broker is
 * unreachable hangs silently in {@code KafkaProducer.partitionsFor} and restarts for ever.
 *
 * <p>Exit codes ({@link EntryPoint}): a missing topic is a user's mistake ({@link MissingTopicException}, an
 * {@link IllegalArgumentException}: exit 2); an unreachable broker is a failure ({@link BrokerUnreachableException}:
 * exit 1, the broker may be down rather than misnamed). Each is one line naming the topic or the address.
 */
public final class KafkaPreflight {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaPreflight.class);

    /** The default of {@code --kafka-check-timeout}. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    /** Whether and how missing topics are created: {@code partitions}/{@code replication} empty = the broker's defaults. */
    public record TopicCreation(boolean create, Optional<Integer> partitions, Optional<Short> replication) {
        public static final TopicCreation NONE = new TopicCreation(false, Optional.empty(), Optional.empty());
    }

    /** No broker answered at the bootstrap servers within the timeout. */
    public static final class BrokerUnreachableException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BrokerUnreachableException(String message) {
            super(message);
        }
    }

    /** A topic the job reads or writes does not exist. */
    public static final class MissingTopicException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        private final String topic;

        MissingTopicException(String topic, String message) {
            super(message);
            this.topic = topic;
        }

        public String topic() {
            return topic;
        }
    }

    private KafkaPreflight() {}

    /**
     * Checks that a broker answers at {@code bootstrapServers} and that every topic of {@code topics} exists (creating
     * the missing ones when {@code creation} says so), all within {@code timeout}; a zero timeout skips the check.
     *
     * @param clientProperties extra client properties (security settings); bootstrap servers and timeouts are set here
     * @param hint             how the user makes the check pass, appended to a missing topic's message
     */
    public static void check(String bootstrapServers, Properties clientProperties, Collection<String> topics,
                             Duration timeout, TopicCreation creation, String hint) {
        if (timeout.isZero()) {
            // 0 skips the check: e.g. `flink run` from a host that cannot reach the brokers the cluster reaches
            return;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        Properties p = adminProperties(bootstrapServers, clientProperties, timeout);
        String unreachable = "no Kafka broker reachable at " + bootstrapServers + " within " + seconds(timeout)
                + " (--kafka-check-timeout)";
        Admin admin;
        try {
            admin = Admin.create(p);
        } catch (org.apache.kafka.common.KafkaException e) {
            // e.g. no resolvable bootstrap address
            throw new BrokerUnreachableException(unreachable + ": " + rootMessage(e));
        }
        try {
            try {
                admin.describeCluster().nodes().get(remaining(deadline), TimeUnit.NANOSECONDS);
            } catch (TimeoutException | ExecutionException e) {
                throw new BrokerUnreachableException(unreachable);
            }
            List<String> missing = new ArrayList<>();
            Map<String, KafkaFuture<org.apache.kafka.clients.admin.TopicDescription>> described =
                    admin.describeTopics(new LinkedHashSet<>(topics)).topicNameValues();
            for (String topic : new LinkedHashSet<>(topics)) {
                try {
                    described.get(topic).get(remaining(deadline), TimeUnit.NANOSECONDS);
                } catch (ExecutionException ex) {
                    if (ex.getCause() instanceof UnknownTopicOrPartitionException) {
                        missing.add(topic);
                    } else {
                        throw new IllegalStateException("cannot describe Kafka topic '" + topic + "' on "
                                + bootstrapServers + ": " + rootMessage(ex), ex.getCause());
                    }
                } catch (TimeoutException ex) {
                    throw new BrokerUnreachableException("Kafka broker at " + bootstrapServers + " did not describe "
                            + "topic '" + topic + "' within " + seconds(timeout) + " (--kafka-check-timeout)");
                }
            }
            if (missing.isEmpty()) {
                return;
            }
            if (!creation.create()) {
                String first = missing.get(0);
                throw new MissingTopicException(first, (missing.size() == 1 ? "Kafka topic '" + first + "' does"
                        : "Kafka topics '" + String.join("', '", missing) + "' do") + " not exist on "
                        + bootstrapServers + (hint == null || hint.isEmpty() ? "" : " (" + hint + ")"));
            }
            create(admin, missing, creation, bootstrapServers, deadline, timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking Kafka at " + bootstrapServers, e);
        } finally {
            // close() without a timeout would wait for the calls that just timed out
            admin.close(Duration.ZERO);
        }
    }

    /**
     * The smallest {@code max.message.bytes} of {@code topics} (the broker's {@code message.max.bytes} when a topic
     * does not override it): the largest record a sink writing them can hand over, whatever its producer's
     * {@code max.request.size}. Empty when {@code timeout} is zero (the check is skipped) or the broker does not tell.
     */
    public static java.util.OptionalInt smallestMessageLimit(String bootstrapServers, Properties clientProperties,
                                                             Collection<String> topics, Duration timeout) {
        if (timeout.isZero()) {
            return java.util.OptionalInt.empty();
        }
        Properties p = adminProperties(bootstrapServers, clientProperties, timeout);
        int ms = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        try (Admin admin = Admin.create(p)) {
            List<org.apache.kafka.common.config.ConfigResource> resources = new ArrayList<>();
            for (String t : new LinkedHashSet<>(topics)) {
                resources.add(new org.apache.kafka.common.config.ConfigResource(
                        org.apache.kafka.common.config.ConfigResource.Type.TOPIC, t));
            }
            int smallest = Integer.MAX_VALUE;
            for (org.apache.kafka.clients.admin.Config c : admin.describeConfigs(resources).all()
                    .get(ms, TimeUnit.MILLISECONDS).values()) {
                org.apache.kafka.clients.admin.ConfigEntry e = c.get("max.message.bytes");
                if (e != null && e.value() != null) {
                    smallest = Math.min(smallest, Integer.parseInt(e.value()));
                }
            }
            return smallest == Integer.MAX_VALUE ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(smallest);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return java.util.OptionalInt.empty();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            // not allowed to describe configs (ACLs), or gone: the producer's limit alone applies
            LOG.warn("cannot read max.message.bytes of {} on {}: {}", topics, bootstrapServers, rootMessage(e));
            return java.util.OptionalInt.empty();
        }
    }

    /** The user's client properties with the bootstrap servers and every call bounded by {@code timeout}. */
    private static Properties adminProperties(String bootstrapServers, Properties clientProperties, Duration timeout) {
        Properties p = new Properties();
        p.putAll(clientProperties);
        p.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        int ms = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        p.setProperty(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, String.valueOf(ms));
        p.setProperty(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(ms));
        return p;
    }

    private static void create(Admin admin, List<String> names, TopicCreation creation, String bootstrapServers,
                               long deadline, Duration timeout) throws InterruptedException {
        List<NewTopic> topics = new ArrayList<>();
        for (String n : names) {
            topics.add(new NewTopic(n, creation.partitions(), creation.replication()));
        }
        for (Map.Entry<String, KafkaFuture<Void>> e : admin.createTopics(topics).values().entrySet()) {
            try {
                e.getValue().get(remaining(deadline), TimeUnit.NANOSECONDS);
                LOG.info("created Kafka topic '{}' on {} (partitions {}, replication {})", e.getKey(), bootstrapServers,
                        creation.partitions().map(String::valueOf).orElse("broker default"),
                        creation.replication().map(String::valueOf).orElse("broker default"));
            } catch (ExecutionException ex) {
                if (!(ex.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException("cannot create Kafka topic '" + e.getKey() + "' on "
                            + bootstrapServers + ": " + rootMessage(ex), ex.getCause());
                }
            } catch (TimeoutException ex) {
                throw new BrokerUnreachableException("Kafka broker at " + bootstrapServers + " did not create topic '"
                        + e.getKey() + "' within " + seconds(timeout) + " (--kafka-check-timeout)");
            }
        }
    }

    private static long remaining(long deadline) {
        return Math.max(0, deadline - System.nanoTime());
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    private static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
    }
}
