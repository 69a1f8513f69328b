package io.flinkllmlingua.jobs.streaming;

import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Checkpoint storage and restart settings as Flink gets them, the bounded restart strategy, the resume scan. */
class JobRecoveryTest {

    @Test
    void aPoisonFailureGivesUpAfterTheRestartAttemptsWithOneLineNamingTheCause(@TempDir Path dir) {
        JobSettings s = new JobSettings();
        s.checkpointDir = dir.toString();
        s.restartAttempts = 2;
        s.restartDelay = Duration.ofMillis(10);
        Configuration conf = new Configuration();
        conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        conf.set(RestOptions.ADDRESS, "127.0.0.1");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(1);
        JobRecovery.configure(env, s);
        Poison.RUNS.set(0);
        env.fromData(1, 2, 3).map(new Poison()).sinkTo(new DiscardingSink<>());

        JobRecovery.JobFailedException e = assertThrows(JobRecovery.JobFailedException.class,
                () -> JobRecovery.execute(env, s, "poison"));
        assertEquals(3, Poison.RUNS.get(), "the first run and two restarts");
        assertEquals("job 'poison' failed for good after 2 restart attempt(s) (--restart-attempts); last failure: "
                + "java.lang.IllegalStateException: poison record 1", e.getMessage());
        assertTrue(e.getSuppressed().length == 1, "Flink's exception is kept for --verbose");
    }

    /** Fails on the first record, on every run; counts the runs. */
    static final class Poison implements MapFunction<Integer, Integer> {
        static final AtomicInteger RUNS = new AtomicInteger();

        @Override
        public Integer map(Integer value) {
            RUNS.incrementAndGet();
            throw new IllegalStateException("poison record " + value);
        }
    }

    @Test
    void theSettingsBecomeFlinksCheckpointStorageRetentionAndRestartOptions(@TempDir Path dir) {
        JobSettings s = new JobSettings();
        s.checkpointDir = dir.toString();
        s.retainedCheckpoints = 3;
        s.restartAttempts = 10;
        s.restoreFrom = dir.resolve("x/chk-4").toString();
        s.restoreClaimed = true;
        Map<String, String> c = JobRecovery.configuration(s).toMap();
        assertEquals("filesystem", c.get("execution.checkpointing.storage"));
        assertEquals(dir.toUri().toString(), c.get("execution.checkpointing.dir"));
        assertEquals("RETAIN_ON_CANCELLATION", c.get("execution.checkpointing.externalized-checkpoint-retention"));
        assertEquals("3", c.get("execution.checkpointing.num-retained"));
        assertEquals(s.restoreFrom, c.get("execution.state-recovery.path"));
        assertEquals("CLAIM", c.get("execution.state-recovery.claim-mode"));
        assertEquals("exponential-delay", c.get("restart-strategy.type"));
        assertEquals("10", c.get("restart-strategy.exponential-delay.attempts-before-reset-backoff"));

        assertEquals(Map.of(), JobRecovery.configuration(new JobSettings()).toMap(),
                "unset settings leave the environment's (the cluster's) configuration");
    }

    @Test
    void resumeFindsTheNewestCompleteCheckpointOfAnyRun(@TempDir Path dir) throws Exception {
        assertEquals(Optional.empty(), JobRecovery.latestCheckpoint(dir.resolve("missing").toString()));
        assertEquals(Optional.empty(), JobRecovery.latestCheckpoint(dir.toString()));
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        Path older = checkpoint(dir.resolve("aaaa/chk-9"), t);          // an earlier run, higher number
        Path newest = checkpoint(dir.resolve("bbbb/chk-2"), t.plusSeconds(60));
        Files.createDirectories(dir.resolve("bbbb/chk-3"));             // in progress: no _metadata yet
        Files.createDirectories(dir.resolve("bbbb/shared"));
        Files.createDirectories(dir.resolve("cccc/chk-4"));
        Files.createFile(dir.resolve("cccc/chk-4/_metadata"));          // empty: cut off while written
        assertEquals(Optional.of(newest), JobRecovery.latestCheckpoint(dir.toString()).map(p -> Path.of(URI.create(p))));
        assertTrue(Files.exists(older));
        // A job's own directory (dir/<job-id>) works as well.
        assertTrue(JobRecovery.latestCheckpoint(dir.resolve("aaaa").toString()).orElseThrow().endsWith("aaaa/chk-9"));
    }

    private static Path checkpoint(Path chk, Instant written) throws Exception {
        Files.createDirectories(chk);
        Path metadata = Files.write(chk.resolve("_metadata"), new byte[] {1, 2, 3});
        Files.setLastModifiedTime(metadata, FileTime.from(written));
        return chk;
    }

    @Test
    void plainPathsBecomeFileUrisAndUrisStayAsGiven() {
        assertEquals("s3://bucket/ckpt", JobRecovery.toUri("s3://bucket/ckpt"));
        assertEquals("file:///var/ckpt", JobRecovery.toUri("file:///var/ckpt"));
        assertEquals(Path.of("rel/dir").toAbsolutePath().toUri().toString(), JobRecovery.toUri("rel/dir"));
        assertTrue(JobRecovery.localCheckpointDir("group/one").endsWith("/flink-llmlingua-state/group_one/checkpoints/")
                || JobRecovery.localCheckpointDir("group/one").endsWith("/flink-llmlingua-state/group_one/checkpoints"),
                JobRecovery.localCheckpointDir("group/one"));
    }
}
