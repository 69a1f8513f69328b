package io.flinkllmlingua.jobs.cluster;

import io.flinkllmlingua.models.GeneratedFamily;
import io.flinkllmlingua.models.TinyModelGenerator;
import io.flinkllmlingua.testkit.kafka.KafkaTopics;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Kafka ingestion job on a standalone Flink cluster of separate processes (deploy/local/standalone-cluster.sh)
 * and a Kafka broker in its own JVM, submitted as the job jar over REST. Faults are real: SIGKILL of a TaskManager
 * JVM, SIGKILL and restart of the broker, stop-with-savepoint and a restart with another parallelism. After each,
 * the committed output must hold every input chunk exactly once. Results go to target/fault-tolerance/report.md.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StandaloneClusterFaultToleranceIT {
    private static final Duration OUTPUT_TIMEOUT = Duration.ofSeconds(180);
    private static Path work;
    private static KafkaBrokerProcess kafka;
    private static StandaloneCluster cluster;
    private static FlinkRest rest;
    private static String jarId;
    private static Path model;
    private static FaultReport report;

    @BeforeAll
    static void setUp() throws Exception {
        work = Path.of("target", "fault-tolerance").toAbsolutePath();
        deleteRecursively(work);
        Files.createDirectories(work);
        report = new FaultReport(work.resolve("report.md"));
        Path jar = Path.of(System.getProperty("job.jar", "target/flink-llmlingua-jobs-0.1.0-SNAPSHOT-job.jar"));
        assertTrue(Files.isRegularFile(jar), "job jar " + jar + " (built by `package`)");
        model = Files.createDirectories(work.resolve("model"));
        TinyModelGenerator.generateTiny(model, GeneratedFamily.WORDPIECE);
        // Processes outlive this JVM unless stopped: also stop them when failsafe kills the fork (timeout, Ctrl-C).
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                tearDown();
            } catch (Exception ignored) {
                // best effort at exit
            }
        }, "stop-cluster-processes"));
        kafka = KafkaBrokerProcess.start(work.resolve("kafka"));
        // One TaskManager with two slots first: the two-jobs test needs both jobs in the same JVM.
        cluster = StandaloneCluster.start(work.resolve("cluster"), 1, 2);
        rest = new FlinkRest(cluster.restUrl());
        jarId = rest.uploadJar(jar);
    }

    @AfterAll
    static synchronized void tearDown() throws Exception {
        if (cluster != null) {
            cluster.close();
            cluster = null;
        }
        if (kafka != null) {
            kafka.close();
            kafka = null;
        }
    }

    /** The native-library class-loader trap: a second job of the same jar in the same TaskManager JVM must also run. */
    @Test
    @Order(1)
    void twoJobsOfOneJarRunInOneTaskManager() throws Exception {
        int n = 40;
        List<String> jobs = new ArrayList<>();
        List<ChunkFeed> feeds = new ArrayList<>();
        List<CommittedOutput> outs = new ArrayList<>();
        try {
            for (String tag : List.of("twin-a", "twin-b")) {
                createTopics(tag, 1);
                ChunkFeed feed = new ChunkFeed(kafka.bootstrapServers(), tag + "-in", tag, n);
                feeds.add(feed);
                feed.start(0, n, 1000);
                feed.awaitSent();
                outs.add(new CommittedOutput(kafka.bootstrapServers(), tag + "-out", tag + "-dlq"));
                jobs.add(rest.run(jarId, jobArgs(tag), 1, null));
            }
            for (String job : jobs) {
                rest.awaitAllTasksRunning(job, Duration.ofSeconds(120));
            }
            for (int i = 0; i < 2; i++) {
                long got = outs.get(i).awaitRecords(n, OUTPUT_TIMEOUT);
                assertEquals(n, got, "job " + (i + 1) + " committed output; TaskManager log:\n" + cluster.log("taskmanager-1"));
            }
            assertEquals(Set.of("taskmanager-1"), rest.taskManagersOf(jobs.get(0)));
            assertEquals(Set.of("taskmanager-1"), rest.taskManagersOf(jobs.get(1)));
            assertEquals(0, rest.failures(jobs.get(0)) + rest.failures(jobs.get(1)), "restarts of the two jobs");
            for (int i = 0; i < 2; i++) {
                outs.get(i).awaitQuiet(Duration.ofSeconds(2));
                FaultReport.Row r = report.add("none: two jobs of one jar in one TaskManager (job " + (i + 1) + ")",
                        feeds.get(i).ids, outs.get(i), "-", "no restart; both jobs load ONNX Runtime and DJL from the cluster class path");
                assertExactlyOnce(r);
            }
        } finally {
            for (String job : jobs) {
                cancel(job);
            }
            for (CommittedOutput o : outs) {
                o.close();
            }
            feeds.forEach(ChunkFeed::close);
        }
    }

    @Test
    @Order(2)
    void taskManagerKilledMidStream() throws Exception {
        cluster.startTaskManager();
        String tag = "tm-kill";
        createTopics(tag, 2);
        try (ChunkFeed feed = new ChunkFeed(kafka.bootstrapServers(), tag + "-in", tag, 240);
             CommittedOutput out = new CommittedOutput(kafka.bootstrapServers(), tag + "-out", tag + "-dlq")) {
            String job = rest.run(jarId, jobArgs(tag), 2, null);
            rest.awaitAllTasksRunning(job, Duration.ofSeconds(120));
            feed.start(0, feed.size(), 20);
            out.awaitRecords(40, OUTPUT_TIMEOUT);
            String victim = new TreeSet<>(rest.taskManagersOf(job)).first();
            long before = out.records();
            assertTrue(before > 0 && before < feed.size(), "the fault lands mid-stream: " + before + " of " + feed.size());

            long t0 = System.nanoTime();
            cluster.killTaskManager(victim);
            String replacement = cluster.startTaskManager();
            Recovery rec = awaitRecovery(job, out, t0, 0);
            feed.awaitSent();
            out.awaitRecords(feed.size(), OUTPUT_TIMEOUT);
            out.awaitQuiet(Duration.ofSeconds(3));
            var restored = rest.restoredFrom(job);
            FaultReport.Row r = report.add("TaskManager SIGKILL (" + victim + ", replaced by " + replacement + ")",
                    feed.ids, out, rec.describe(),
                    before + " records committed before the kill; " + rest.failures(job) + " restart(s); restored from checkpoint "
                            + restored.path("id").asText("none") + "; parallelism 2");
            cancel(job);
            assertTrue(rec.restarted, "the job restarted after the kill");
            assertTrue(restored.path("id").asLong(0) > 0 && !restored.path("is_savepoint").asBoolean(true),
                    "the job was restored from a checkpoint: " + restored);
            assertExactlyOnce(r);
        }
    }

    @Test
    @Order(3)
    void kafkaBrokerRestartedMidStream() throws Exception {
        String tag = "broker-restart";
        createTopics(tag, 2);
        try (ChunkFeed feed = new ChunkFeed(kafka.bootstrapServers(), tag + "-in", tag, 240);
             CommittedOutput out = new CommittedOutput(kafka.bootstrapServers(), tag + "-out", tag + "-dlq")) {
            String job = rest.run(jarId, jobArgs(tag), 2, null);
            rest.awaitAllTasksRunning(job, Duration.ofSeconds(120));
            feed.start(0, feed.size(), 20);
            out.awaitRecords(40, OUTPUT_TIMEOUT);
            long before = out.records();
            assertTrue(before > 0 && before < feed.size(), "the fault lands mid-stream: " + before + " of " + feed.size());

            long t0 = System.nanoTime();
            kafka.kill();
            Thread.sleep(3000);
            kafka.restart();
            long down = (System.nanoTime() - t0) / 1_000_000;
            Recovery rec = awaitRecovery(job, out, t0, down);
            feed.awaitSent();
            out.awaitRecords(feed.size(), OUTPUT_TIMEOUT);
            out.awaitQuiet(Duration.ofSeconds(3));
            FaultReport.Row r = report.add("Kafka broker SIGKILL, started again 3 s later (down " + down + " ms until its port opened)", feed.ids, out, rec.describe(),
                    before + " records committed before the kill; " + rest.failures(job) + " restart(s); parallelism 2");
            cancel(job);
            assertExactlyOnce(r);
        }
    }

    @Test
    @Order(4)
    void stopWithSavepointAndRestartWithOtherParallelism() throws Exception {
        String tag = "savepoint";
        createTopics(tag, 2);
        try (ChunkFeed feed = new ChunkFeed(kafka.bootstrapServers(), tag + "-in", tag, 200);
             CommittedOutput out = new CommittedOutput(kafka.bootstrapServers(), tag + "-out", tag + "-dlq")) {
            int half = feed.size() / 2;
            String first = rest.run(jarId, jobArgs(tag), 1, null);
            rest.awaitAllTasksRunning(first, Duration.ofSeconds(120));
            feed.start(0, half, 50);
            feed.awaitSent();
            out.awaitRecords(half / 2, OUTPUT_TIMEOUT);
            long t0 = System.nanoTime();
            FlinkRest.Stop stop = rest.stopWithSavepoint(first, work.resolve("savepoints"), Duration.ofSeconds(120));
            String savepoint = stop.location();
            long stopped = (System.nanoTime() - t0) / 1_000_000;
            long atStop = out.records();
            // Records that arrive while no job runs: the restored job must pick them up from the savepoint's offsets.
            feed.start(half, feed.size(), 100);
            long t1 = System.nanoTime();
            String second = rest.run(jarId, jobArgs(tag), 2, savepoint);
            rest.awaitAllTasksRunning(second, Duration.ofSeconds(120));
            long running = (System.nanoTime() - t1) / 1_000_000;
            var restored = rest.restoredFrom(second);
            assertTrue(restored.path("is_savepoint").asBoolean(false), "restored from the savepoint: " + restored);
            for (var v : rest.job(second).path("vertices")) {
                assertEquals(2, v.path("parallelism").asInt(), "rescaled vertex " + v.path("name"));
            }
            feed.awaitSent();
            out.awaitRecords(feed.size(), OUTPUT_TIMEOUT);
            out.awaitQuiet(Duration.ofSeconds(3));
            FaultReport.Row r = report.add("stop-with-savepoint at parallelism 1, restore at parallelism 2", feed.ids, out,
                    "stop " + stopped + " ms; restored job running " + running + " ms after submission",
                    atStop + " records committed at the stop (of " + half + " sent); savepoint " + Path.of(savepoint.replace("file:", "")).getFileName()
                            + (stop.failedWhileStopping() == null ? "" : "; the job FAILED while stopping after the savepoint completed ("
                            + stop.failedWhileStopping().replace('|', '/') + "), restored from that savepoint"));
            cancel(second);
            assertExactlyOnce(r);
        }
    }

    private record Recovery(boolean restarted, long tasksRunningMs, long outputResumedMs) {
        String describe() {
            return (restarted ? "tasks running again " + tasksRunningMs + " ms" : "no task restart")
                    + ", output growing again " + outputResumedMs + " ms after the fault";
        }
    }

    /**
     * From the fault at {@code t0}: when every task ran again (after any restart) and when the committed output grew
     * again after that (without a restart: after the fault) and after {@code notBeforeMs} (the broker's downtime:
     * nothing can commit before it is back).
     */
    private static Recovery awaitRecovery(String job, CommittedOutput out, long t0, long notBeforeMs) throws Exception {
        long deadline = t0 + Duration.ofSeconds(150).toNanos();
        boolean sawDown = false;
        long running = -1;
        int failuresBefore = rest.failures(job);
        while (System.nanoTime() < deadline) {
            boolean all;
            try {
                all = rest.allTasksRunning(job);
            } catch (Exception busy) {
                all = false;
            }
            if (!all) {
                sawDown = true;
            } else if (sawDown || System.nanoTime() - t0 > Duration.ofSeconds(20).toNanos()) {
                running = System.nanoTime();
                break;
            }
            Thread.sleep(100);
        }
        assertTrue(running > 0, "job running again; JobManager log:\n" + cluster.log("jobmanager"));
        boolean restarted = sawDown || rest.failures(job) > failuresBefore;
        // After a restart seen here the output must grow once the tasks run again; without one (the job rode the
        // fault out) the tasks never stopped, and the 20 s spent ruling a restart out may already have seen every record.
        long notBefore = t0 + notBeforeMs * 1_000_000;
        long from = sawDown ? Math.max(running, notBefore) : notBefore;
        while (out.firstGrowthAfterNanos(from) < 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        long resumed = out.firstGrowthAfterNanos(from);
        assertTrue(resumed > 0, "committed output grows again after the fault");
        return new Recovery(restarted, (running - t0) / 1_000_000, (resumed - t0) / 1_000_000);
    }

    private static List<String> jobArgs(String tag) {
        return List.of("--bootstrap-servers", kafka.bootstrapServers(), "--input-topic", tag + "-in",
                "--output-topic", tag + "-out", "--dead-letter-topic", tag + "-dlq", "--group-id", tag,
                "--transactional-id-prefix", tag, "--start-from", "EARLIEST", "--checkpoint-interval", "PT1S",
                "--transaction-timeout", "PT2M", "--model", model.toString());
    }

    /** The tag's topics, returned once their leaders serve (a produce before that can lose a feed's first records). */
    private static void createTopics(String tag, int partitions) {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            KafkaTopics.create(admin, partitions, tag + "-in", tag + "-out");
            KafkaTopics.create(admin, 1, tag + "-dlq");
        }
    }

    private static void cancel(String job) {
        try {
            String state = rest.job(job).path("state").asText();
            if (!Set.of("CANCELED", "FINISHED", "FAILED").contains(state)) {
                rest.cancel(job);
                rest.awaitState(job, "CANCELED", Duration.ofSeconds(60));
            }
        } catch (Exception e) {
            throw new IllegalStateException("cancel " + job, e);
        }
    }

    private static void assertExactlyOnce(FaultReport.Row r) {
        assertEquals(0, r.losses(), r.fault() + ": lost chunks");
        assertEquals(0, r.duplicates(), r.fault() + ": duplicated chunks");
        assertEquals(r.recordsIn(), r.recordsOut(), r.fault() + ": records out");
    }

    private static void deleteRecursively(Path p) throws Exception {
        if (Files.exists(p)) {
            try (Stream<Path> s = Files.walk(p)) {
                for (Path f : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(f);
                }
            }
        }
    }
}
