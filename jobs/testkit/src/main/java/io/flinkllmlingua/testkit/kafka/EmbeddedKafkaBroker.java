package io.flinkllmlingua.testkit.kafka;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configurator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real, single-node Apache Kafka broker running in this JVM: KRaft combined mode
 * ({@code process.roles=broker,controller}), one node (id 1), plaintext listeners on 127.0.0.1 only.
 *
 * <p>Used by the "embedded default" command (broker, Flink MiniCluster and job in one JVM) and by the
 * integration tests. It formats the KRaft storage itself (the programmatic equivalent of
 * {@code kafka-storage.sh format}, with a static controller quorum), starts {@link KafkaRaftServer},
 * and returns only once the broker accepts connections and an admin client sees it in the cluster.
 *
 * <pre>{@code
 * try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start()) {      // temp dir, free ports
 *     kafka.createTopics(4, "in", "out");
 *     props.put("bootstrap.servers", kafka.bootstrapServers());
 *     ...
 * }                                                                     // stopped, temp dir deleted
 * }</pre>
 *
 * <p>The defaults suit tests and a single-machine demo: replication factors and min ISR 1,
 * {@code transaction.max.timeout.ms} 15 minutes (Flink's exactly-once sink uses long transactions),
 * no topic auto-creation, small log segments and short retention, few threads, a small log-cleaner
 * buffer. {@link Builder#brokerProperty} overrides any of them.
 *
 * <p>Caveat: this is the Kafka server, not a mock. Kafka's own fatal-error handling (for example
 * every log directory failing, or a corrupt metadata log) halts the JVM, as it would halt a broker
 * process.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);

    /** The node id of the single broker/controller. */
    public static final int NODE_ID = 1;
    public static final String BROKER_LISTENER = "PLAINTEXT";
    public static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final String HOST = "127.0.0.1";
    private static final int BIND_ATTEMPTS = 3;

    /** Loggers set to WARN by {@link Builder#quietLogging(boolean)} unless the log4j2 configuration names them. */
    static final List<String> NOISY_LOGGERS = List.of("kafka", "org.apache.kafka", "state.change.logger");

    private final Path dataDir;
    private final boolean deleteDataDirOnClose;
    private final String clusterId;
    private final int brokerPort;
    private final int controllerPort;
    private final String bootstrapServers;
    private final Duration startupTime;
    private final KafkaRaftServer server;
    private final Admin admin;
    private final Thread shutdownHook;
    private boolean closed;

    private EmbeddedKafkaBroker(Path dataDir, boolean deleteDataDirOnClose, String clusterId, int brokerPort,
            int controllerPort, Duration startupTime, KafkaRaftServer server, Admin admin, boolean closeOnJvmShutdown) {
        this.dataDir = dataDir;
        this.deleteDataDirOnClose = deleteDataDirOnClose;
        this.clusterId = clusterId;
        this.brokerPort = brokerPort;
        this.controllerPort = controllerPort;
        this.bootstrapServers = HOST + ":" + brokerPort;
        this.startupTime = startupTime;
        this.server = server;
        this.admin = admin;
        if (closeOnJvmShutdown) {
            this.shutdownHook = new Thread(this::closeQuietly, "embedded-kafka-shutdown");
            Runtime.getRuntime().addShutdownHook(shutdownHook);
        } else {
            this.shutdownHook = null;
        }
    }

    /** Starts a broker on free ports with a temporary data directory that {@link #close()} deletes. */
    public static EmbeddedKafkaBroker start() {
        return builder().start();
    }

    /**
     * Starts a broker on free ports that keeps its data in {@code dataDir} (created if missing, kept on
     * close). A directory formatted by an earlier run is reused with its cluster id and data.
     */
    public static EmbeddedKafkaBroker start(Path dataDir) {
        return builder().dataDir(dataDir).start();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** {@code 127.0.0.1:<port>}, for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    public int brokerPort() {
        return brokerPort;
    }

    public int controllerPort() {
        return controllerPort;
    }

    public String clusterId() {
        return clusterId;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Wall time of {@link Builder#start()}: formatting, server start-up and the readiness checks. */
    public Duration startupTime() {
        return startupTime;
    }

    /**
     * Creates topics with {@code partitions} partitions and replication factor 1 and waits until every partition's
     * leader serves ({@link KafkaTopics#create}). Topics that already exist are left as they are.
     */
    public void createTopics(int partitions, String... names) {
        checkOpen();
        KafkaTopics.create(admin, partitions, names);
    }

    /** The admin client this broker uses (owned by the broker: do not close it). */
    public Admin admin() {
        checkOpen();
        return admin;
    }

    /** Stops the broker cleanly (controlled shutdown) and deletes the data directory if it was temporary. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (shutdownHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException alreadyShuttingDown) {
                // called from the hook itself
            }
        }
        long t0 = System.nanoTime();
        try {
            admin.close(Duration.ofSeconds(5));
        } catch (RuntimeException e) {
            LOG.warn("Closing the admin client failed", e);
        }
        try {
            server.shutdown();
            server.awaitShutdown();
        } finally {
            if (deleteDataDirOnClose) {
                deleteRecursively(dataDir);
            }
        }
        LOG.info("Kafka broker {} stopped in {} ms", bootstrapServers, (System.nanoTime() - t0) / 1_000_000);
    }

    private void closeQuietly() {
        try {
            close();
        } catch (RuntimeException e) {
            LOG.warn("Stopping the Kafka broker failed", e);
        }
    }

    /**
     * Waits until the coordinator of consumer group {@code groupId} answers an offset fetch. The first request for a
     * group makes the broker create its offsets topic, and until that topic's partition has loaded, offset commits
     * fail with COORDINATOR_NOT_AVAILABLE or NOT_COORDINATOR: harmless for a Flink source, which keeps its offsets in
     * its checkpoints, but each failure is a WARN in a job's log.
     */
    public void awaitGroupCoordinator(String groupId) {
        checkOpen();
        try {
            KafkaTopics.await(admin.listConsumerGroupOffsets(Objects.requireNonNull(groupId, "groupId"))
                    .partitionsToOffsetAndMetadata(), Duration.ofSeconds(60), "waiting for the coordinator of group " + groupId);
        } catch (ExecutionException e) {
            throw new IllegalStateException("the coordinator of group " + groupId + " did not answer", e.getCause());
        }
    }

    private synchronized void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the broker is closed");
        }
    }

    // ------------------------------------------------------------------------------------------------

    /** Options for {@link EmbeddedKafkaBroker}; every setter is optional. */
    public static final class Builder {
        private Path dataDir;
        private int brokerPort;
        private int controllerPort;
        private final Map<String, String> extraProperties = new LinkedHashMap<>();
        private boolean quietLogging = true;
        private boolean closeOnJvmShutdown;
        private Duration startupTimeout = Duration.ofSeconds(60);

        private Builder() {
        }

        /**
         * Where the logs and KRaft metadata live; kept on close. Default: a new temporary directory that
         * {@link #close()} deletes.
         */
        public Builder dataDir(Path dir) {
            this.dataDir = dir;
            return this;
        }

        /** Port of the client listener on 127.0.0.1; 0 (default) picks a free one. */
        public Builder brokerPort(int port) {
            this.brokerPort = checkPort(port);
            return this;
        }

        /** Port of the KRaft controller listener on 127.0.0.1; 0 (default) picks a free one. */
        public Builder controllerPort(int port) {
            this.controllerPort = checkPort(port);
            return this;
        }

        /**
         * A broker setting added to, or replacing, the defaults. Listener, role, node id, quorum and
         * directory settings are derived from the other options and cannot be set here.
         */
        public Builder brokerProperty(String key, Object value) {
            if (MANAGED_KEYS.contains(key)) {
                throw new IllegalArgumentException(key + " is set by EmbeddedKafkaBroker itself");
            }
            extraProperties.put(key, String.valueOf(Objects.requireNonNull(value, key)));
            return this;
        }

        public Builder brokerProperties(Map<String, ?> properties) {
            properties.forEach(this::brokerProperty);
            return this;
        }

        /**
         * Default true: sets the log4j2 loggers {@code kafka}, {@code org.apache.kafka} (which includes the
         * Kafka clients in this JVM) and {@code state.change.logger} to WARN, unless the active log4j2
         * configuration already configures them by name.
         */
        public Builder quietLogging(boolean quiet) {
            this.quietLogging = quiet;
            return this;
        }

        /** Default false: also close the broker (and delete a temporary data dir) when the JVM exits. */
        public Builder closeOnJvmShutdown(boolean close) {
            this.closeOnJvmShutdown = close;
            return this;
        }

        /** How long {@link #start()} waits for the broker to become ready (default 60 s). */
        public Builder startupTimeout(Duration timeout) {
            this.startupTimeout = Objects.requireNonNull(timeout);
            return this;
        }

        /** Formats the storage if needed, starts the broker and waits until it is ready. */
        public EmbeddedKafkaBroker start() {
            if (quietLogging) {
                quietKafkaLoggers();
            }
            long t0 = System.nanoTime();
            boolean tempDir = dataDir == null;
            Path dir;
            try {
                dir = tempDir ? Files.createTempDirectory("embedded-kafka-") : Files.createDirectories(dataDir);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create the Kafka data directory", e);
            }
            try {
                return startIn(dir, tempDir, t0);
            } catch (RuntimeException | Error e) {
                if (tempDir) {
                    deleteRecursively(dir);
                }
                throw e;
            }
        }

        private EmbeddedKafkaBroker startIn(Path dir, boolean tempDir, long t0) {
            Path logDir = dir.resolve("logs");
            String clusterId = existingClusterId(logDir);
            RuntimeException lastBindFailure = null;
            for (int attempt = 1; attempt <= BIND_ATTEMPTS; attempt++) {
                int bPort = brokerPort != 0 ? brokerPort : freePort();
                int cPort = controllerPort != 0 ? controllerPort : freePort(bPort);
                KafkaConfig config = new KafkaConfig(singleNodeServerProperties(logDir, bPort, cPort, extraProperties), false);
                if (clusterId == null) {
                    clusterId = Uuid.randomUuid().toString();
                    format(clusterId, logDir);
                }
                long tFormatted = System.nanoTime();
                KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
                Admin admin = null;
                try {
                    server.startup();
                    long tStarted = System.nanoTime();
                    admin = Admin.create(adminProperties(bPort));
                    awaitReady(admin, bPort, t0);
                    long tReady = System.nanoTime();
                    Duration took = Duration.ofNanos(tReady - t0);
                    LOG.info("Kafka {} broker started at {}:{} (controller port {}, cluster {}, data {}) in {} ms"
                                    + " (config+format {} ms, server start {} ms, ready checks {} ms)",
                            kafkaVersion(), HOST, bPort, cPort, clusterId, dir, took.toMillis(),
                            (tFormatted - t0) / 1_000_000, (tStarted - tFormatted) / 1_000_000,
                            (tReady - tStarted) / 1_000_000);
                    return new EmbeddedKafkaBroker(dir, tempDir, clusterId, bPort, cPort, took, server, admin,
                            closeOnJvmShutdown);
                } catch (RuntimeException | Error e) {
                    if (admin != null) {
                        admin.close(Duration.ZERO);
                    }
                    try {
                        server.shutdown();
                        server.awaitShutdown();
                    } catch (RuntimeException suppressed) {
                        e.addSuppressed(suppressed);
                    }
                    boolean portsPicked = brokerPort == 0 || controllerPort == 0;
                    if (portsPicked && isBindFailure(e) && attempt < BIND_ATTEMPTS) {
                        LOG.warn("Kafka could not bind {} / {} (taken meanwhile?), retrying with other ports", bPort, cPort);
                        lastBindFailure = e instanceof RuntimeException re ? re : new IllegalStateException(e);
                        continue;
                    }
                    throw e;
                }
            }
            throw lastBindFailure;
        }

        private static Map<String, String> singleNodeServerProperties(Path logDir, int bPort, int cPort,
                                                                      Map<String, String> extraProperties) {
            Map<String, String> p = new LinkedHashMap<>();
            // Defaults for a single node, tests and a one-machine demo; extraProperties replace them.
            p.put("num.partitions", "1");
            p.put("default.replication.factor", "1");
            p.put("min.insync.replicas", "1");
            p.put("offsets.topic.replication.factor", "1");
            p.put("offsets.topic.num.partitions", "4");
            p.put("transaction.state.log.replication.factor", "1");
            p.put("transaction.state.log.min.isr", "1");
            p.put("transaction.state.log.num.partitions", "4");
            p.put("share.coordinator.state.topic.replication.factor", "1");
            p.put("share.coordinator.state.topic.min.isr", "1");
            p.put("group.initial.rebalance.delay.ms", "0");
            // Flink's exactly-once KafkaSink keeps a transaction open for up to a checkpoint interval plus
            // recovery time; Kafka's default cap (15 min) is kept explicit here.
            p.put("transaction.max.timeout.ms", "900000");
            p.put("auto.create.topics.enable", "false");
            p.put("delete.topic.enable", "true");
            p.put("log.segment.bytes", String.valueOf(16 * 1024 * 1024));
            p.put("log.retention.ms", String.valueOf(60 * 60 * 1000));
            p.put("log.retention.bytes", String.valueOf(256L * 1024 * 1024));
            p.put("log.retention.check.interval.ms", String.valueOf(60_000));
            p.put("log.index.size.max.bytes", String.valueOf(1024 * 1024));
            p.put("log.cleaner.dedupe.buffer.size", String.valueOf(4 * 1024 * 1024));
            p.put("log.cleaner.threads", "1");
            p.put("num.network.threads", "2");
            p.put("num.io.threads", "4");
            p.put("background.threads", "2");
            p.put("num.recovery.threads.per.data.dir", "1");
            p.put("num.replica.fetchers", "1");
            p.put("metadata.log.segment.bytes", String.valueOf(8 * 1024 * 1024));
            p.putAll(extraProperties);
            // Identity, roles, listeners and directories: not overridable.
            p.put("process.roles", "broker,controller");
            p.put("node.id", String.valueOf(NODE_ID));
            p.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + cPort);
            p.put("listeners", BROKER_LISTENER + "://" + HOST + ":" + bPort + "," + CONTROLLER_LISTENER + "://" + HOST + ":" + cPort);
            p.put("advertised.listeners", BROKER_LISTENER + "://" + HOST + ":" + bPort);
            p.put("listener.security.protocol.map", BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
            p.put("controller.listener.names", CONTROLLER_LISTENER);
            p.put("inter.broker.listener.name", BROKER_LISTENER);
            p.put("log.dirs", logDir.toAbsolutePath().toString());
            p.put("metadata.log.dir", logDir.toAbsolutePath().toString());
            return p;
        }

        private static int checkPort(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port out of range: " + port);
            }
            return port;
        }

        private void awaitReady(Admin admin, int bPort, long t0) {
            long deadline = t0 + startupTimeout.toNanos();
            // 1. The client listener accepts TCP connections.
            while (!accepts(bPort)) {
                checkDeadline(deadline, "the broker listener 127.0.0.1:" + bPort + " to accept connections");
                sleep(20);
            }
            // 2. An admin client sees exactly this one broker.
            while (true) {
                try {
                    Collection<Node> nodes = admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
                    if (nodes.size() == 1 && nodes.iterator().next().id() == NODE_ID) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    // not ready yet
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for the Kafka broker", e);
                }
                checkDeadline(deadline, "an admin client to see the broker");
                sleep(50);
            }
        }

        private void checkDeadline(long deadline, String what) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Kafka broker not ready: timed out after " + startupTimeout + " waiting for " + what);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------

    /**
     * The server properties this class runs a broker with (KRaft combined mode, one node, 127.0.0.1), for starting
     * the same broker as a separate process ({@code kafka.Kafka server.properties}).
     */
    public static Map<String, String> singleNodeServerProperties(Path logDir, int brokerPort, int controllerPort) {
        return Builder.singleNodeServerProperties(logDir, brokerPort, controllerPort, Map.of());
    }

    /** Keys {@link Builder#brokerProperty} rejects: the class derives them. */
    private static final Set<String> MANAGED_KEYS = Set.of("process.roles", "node.id", "broker.id",
            "controller.quorum.voters", "controller.quorum.bootstrap.servers", "listeners", "advertised.listeners",
            "listener.security.protocol.map", "controller.listener.names", "inter.broker.listener.name",
            "log.dirs", "log.dir", "metadata.log.dir");

    /**
     * Formats the log directory for KRaft: writes meta.properties (cluster id, node id, directory id) and
     * the bootstrap metadata snapshot at the latest production metadata version, as
     * {@code kafka-storage.sh format --cluster-id ... --config ...} does with a static quorum.
     */
    private static void format(String clusterId, Path logDir) {
        try {
            new Formatter()
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .setNodeId(NODE_ID)
                    .setClusterId(clusterId)
                    .setHasDynamicQuorum(false)
                    .setUnstableFeatureVersionsEnabled(false)
                    .setIgnoreFormatted(false)
                    .setControllerListenerName(CONTROLLER_LISTENER)
                    .setMetadataLogDirectory(logDir.toAbsolutePath().toString())
                    .setDirectories(List.of(logDir.toAbsolutePath().toString()))
                    .setReleaseVersion(MetadataVersion.latestProduction())
                    .run();
        } catch (Exception e) {
            throw new IllegalStateException("formatting the KRaft storage in " + logDir + " failed", e);
        }
    }

    /** The cluster id of a directory an earlier run formatted, or null if it is not formatted. */
    private static String existingClusterId(Path logDir) {
        Path meta = logDir.resolve("meta.properties");
        if (!Files.isRegularFile(meta)) {
            return null;
        }
        Properties props = new Properties();
        try (InputStream in = Files.newInputStream(meta)) {
            props.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + meta, e);
        }
        String id = props.getProperty("cluster.id");
        if (id == null || id.isBlank()) {
            throw new IllegalStateException(meta + " has no cluster.id");
        }
        return id;
    }

    private static Properties adminProperties(int bPort) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, HOST + ":" + bPort);
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, "embedded-kafka-admin-" + bPort);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "15000");
        p.put(AdminClientConfig.RECONNECT_BACKOFF_MS_CONFIG, "20");
        p.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "200");
        p.put(AdminClientConfig.RETRY_BACKOFF_MS_CONFIG, "20");
        p.put(AdminClientConfig.RETRY_BACKOFF_MAX_MS_CONFIG, "200");
        return p;
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(HOST, port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** A port that is free on 127.0.0.1 right now (and differs from {@code avoid}). */
    private static int freePort(int... avoid) {
        for (int i = 0; i < 20; i++) {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
                int port = s.getLocalPort();
                if (Arrays.stream(avoid).noneMatch(a -> a == port)) {
                    return port;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot find a free port on " + HOST, e);
            }
        }
        throw new IllegalStateException("cannot find a free port on " + HOST);
    }

    private static boolean isBindFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException) {
                return true;
            }
            String msg = t.getMessage();
            if (msg != null && (msg.contains("Address already in use") || msg.contains("failed to bind"))) {
                return true;
            }
        }
        return false;
    }

    /** The Kafka version, from the properties file kafka-clients ships (as its AppInfoParser reads it). */
    public static String kafkaVersion() {
        try (InputStream in = Admin.class.getResourceAsStream("/kafka/kafka-version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** Sets the noisy Kafka loggers to WARN when log4j2 core is the backend and does not configure them. */
    static void quietKafkaLoggers() {
        try {
            if (!(LogManager.getContext(false) instanceof LoggerContext ctx)) {
                return;
            }
            Map<String, Level> levels = new LinkedHashMap<>();
            for (String name : NOISY_LOGGERS) {
                if (!ctx.getConfiguration().getLoggers().containsKey(name)) {
                    levels.put(name, Level.WARN);
                }
            }
            if (!levels.isEmpty()) {
                Configurator.setLevel(levels);
            }
        } catch (LinkageError | RuntimeException e) {
            // log4j2 core absent or not in charge: leave logging alone
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    static void deleteRecursively(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            LOG.warn("Could not delete {}", dir, e);
        }
    }
}
