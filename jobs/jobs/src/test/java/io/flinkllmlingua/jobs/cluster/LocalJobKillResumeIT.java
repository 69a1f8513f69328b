package io.flinkllmlingua.jobs.cluster;

import io.flinkllmlingua.jobs.streaming.CompressionJobMain;
import io.flinkllmlingua.jobs.streaming.JobRecovery;
import io.flinkllmlingua.models.GeneratedFamily;
import io.flinkllmlingua.models.TinyModelGenerator;
import io.flinkllmlingua.testkit.kafka.EmbeddedKafkaBroker;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A crash of the whole local job: {@code CompressionJobMain} runs as a child JVM (its own local Flink) against a real
 * broker, is SIGKILLed twice mid-stream after checkpoints completed, and is started again each time with
 * {@code --resume}. Without retained checkpoints the restart would begin at the group offsets, which are committed
 * after the outputs, and write again what was already committed; with them, the committed ({@code read_committed})
 * output must hold every input record exactly once, dead letters included. The job starts from the earliest
 * offsets when it has no state, so a restart that did not restore the checkpoint would write every record committed
 * before the kill again. Results go to target/kill-resume/report.md.
 */
class LocalJobKillResumeIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(180);
    private static final String TAG = "kill-resume";

    @Test
    void theLocalJobKilledTwiceAndResumedWritesEveryRecordExactlyOnce() throws Exception {
        Path work = Path.of("target", TAG).toAbsolutePath();
        deleteRecursively(work);
        Path model = Files.createDirectories(work.resolve("model"));
        TinyModelGenerator.generateTiny(model, GeneratedFamily.WORDPIECE);
        Path checkpoints = work.resolve("checkpoints");
        FaultReport report = new FaultReport(work.resolve("report.md"), "The local job (CompressionJobMain in its own JVM, "
                + "its own local Flink, parallelism 2, file-system checkpoints every second) against a Kafka broker (KRaft) "
                + "in the test's JVM, EXACTLY_ONCE Kafka sink; output read with isolation.level=read_committed. Written by "
                + "LocalJobKillResumeIT");

        try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start()) {
            kafka.createTopics(2, TAG + "-in", TAG + "-out");
            kafka.createTopics(1, TAG + "-dlq");
            List<String> args = List.of("--bootstrap-servers", kafka.bootstrapServers(), "--input-topic", TAG + "-in",
                    "--output-topic", TAG + "-out", "--dead-letter-topic", TAG + "-dlq", "--group-id", TAG,
                    "--transactional-id-prefix", TAG, "--start-from", "EARLIEST", "--checkpoint-interval", "PT1S",
                    "--transaction-timeout", "PT2M", "--checkpoint-dir", checkpoints.toString(), "-p", "2",
                    "--model", model.toString());
            try (ChunkFeed feed = new ChunkFeed(kafka.bootstrapServers(), TAG + "-in", TAG, 280);
                 CommittedOutput out = new CommittedOutput(kafka.bootstrapServers(), TAG + "-out", TAG + "-dlq");
                 KafkaProducer<byte[], byte[]> malformed = producer(kafka.bootstrapServers())) {
                List<String> ids = new ArrayList<>(feed.ids);
                ids.addAll(sendMalformed(malformed, 0));
                feed.start(0, feed.size(), 7);

                List<String> notes = new ArrayList<>();
                Process job = start(work, 1, args, false);
                for (int kill = 1; kill <= 2; kill++) {
                    long target = out.records() + 60;
                    awaitOutput(out, target, job, work, kill);
                    assertTrue(!JobRecovery.latestCheckpoint(checkpoints.toString()).isEmpty(), "a checkpoint completed");
                    killTree(job);
                    long atKill = out.records();
                    assertTrue(atKill < ids.size(), "kill " + kill + " lands mid-stream: " + atKill + " of " + ids.size());
                    notes.add("kill " + kill + " at " + atKill + " committed, restored from "
                            + Path.of(java.net.URI.create(JobRecovery.latestCheckpoint(checkpoints.toString()).orElseThrow()))
                            .getFileName());
                    ids.addAll(sendMalformed(malformed, kill)); // arrive while no job runs
                    job = start(work, kill + 1, args, true);
                }
                feed.awaitSent();
                awaitOutput(out, ids.size(), job, work, 3);
                out.awaitQuiet(Duration.ofSeconds(4));
                job.destroy();
                job.waitFor();

                FaultReport.Row r = report.add("local job (CompressionJobMain, own JVM) SIGKILLed twice mid-stream, "
                        + "restarted with --resume", ids, out, "-", String.join("; ", notes));
                assertEquals(0, r.losses(), "missing records: " + r);
                assertEquals(0, r.duplicates(), "duplicated records (a resumed run that did not restore starts at the earliest "
                        + "offsets): " + r);
                assertEquals(ids.size(), r.recordsOut(), "records out: " + r);
                Map<String, Integer> counts = out.counts();
                for (String id : ids) {
                    assertEquals(1, counts.get(id), id);
                }
            }
        }
    }

    private static Process start(Path work, int run, List<String> args, boolean resume) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-cp", System.getProperty("java.class.path"), CompressionJobMain.class.getName()));
        cmd.addAll(args);
        if (resume) {
            cmd.add("--resume");
        }
        Path log = work.resolve("run-" + run + ".log");
        Files.writeString(log, String.join(" ", cmd.subList(4, cmd.size())) + "\n");
        return new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }

    /** SIGKILL of the job's JVM and anything it started, as a crash of the machine's job would be. */
    private static void killTree(Process p) throws InterruptedException {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        p.waitFor();
    }

    private static void awaitOutput(CommittedOutput out, long n, Process job, Path work, int run) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (out.records() < n && System.nanoTime() < deadline) {
            if (!job.isAlive()) {
                throw new AssertionError("run " + run + " exited with " + job.exitValue() + ": "
                        + Files.readString(work.resolve("run-" + run + ".log")));
            }
            Thread.sleep(100);
        }
        assertTrue(out.records() >= n, "run " + run + ": " + out.records() + " of " + n + " records committed");
    }

    private static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("key.serializer", ByteArraySerializer.class.getName());
        p.put("value.serializer", ByteArraySerializer.class.getName());
        p.put("enable.idempotence", "true");
        p.put("acks", "all");
        return new KafkaProducer<>(p);
    }

    /** Two chunk records without text: each must come out as exactly one dead letter. */
    private static List<String> sendMalformed(KafkaProducer<byte[], byte[]> producer, int batch) throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            String id = TAG + ":malformed-" + batch + "-" + i;
            producer.send(new ProducerRecord<>(TAG + "-in", id.getBytes(StandardCharsets.UTF_8),
                    ("{\"doc_id\":\"malformed\",\"chunk_id\":\"" + id + "\"}").getBytes(StandardCharsets.UTF_8))).get();
            ids.add(id);
        }
        return ids;
    }

    private static void deleteRecursively(Path p) throws IOException {
        if (Files.exists(p)) {
            try (Stream<Path> s = Files.walk(p)) {
                for (Path f : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(f);
                }
            }
        }
    }
}
