package io.flinkllmlingua.jobs.backfill;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.flinkllmlingua.testkit.TestData;
import io.flinkllmlingua.models.GeneratedFamily;
import io.flinkllmlingua.models.TinyModelGenerator;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/** Shared by the backfill tests: a generated model, corpus texts, and cancelling a run half-way. */
final class BackfillFixtures {
    private static final ObjectMapper JSON = new ObjectMapper();

    private BackfillFixtures() {}

    /** Generates the tiny model into {@code dir} (a JUnit temporary folder, so that no run leaves one behind). */
    static Path tinyModel(Path dir) throws IOException {
        Path model = Files.createDirectories(dir.resolve("backfill-model"));
        TinyModelGenerator.generateTiny(model, GeneratedFamily.WORDPIECE);
        return model;
    }

    /** The texts of the English corpus (296 chunks), cut to at most 300 characters to keep the tests fast. */
    static List<String> texts() throws IOException {
        List<String> texts = new ArrayList<>();
        for (String line : Files.readAllLines(TestData.corpus("docs-en.jsonl"))) {
            if (!line.isBlank()) {
                String t = JSON.readTree(line).path("text").asText();
                texts.add(t.length() > 300 ? t.substring(0, 300) : t);
            }
        }
        return texts;
    }

    static BackfillSettings settings(Path model) {
        BackfillSettings s = new BackfillSettings();
        s.llmlingua.put("llmlingua.model.path", model.toString());
        s.llmlingua.put("llmlingua.model.id", "tiny-test");
        s.llmlingua.put("llmlingua.rate", "0.5");
        s.llmlingua.put("llmlingua.max-text-bytes", "20000");
        s.llmlingua.put("llmlingua.provider", "CPU");
        s.llmlingua.put("llmlingua.threads", "1");
        s.parallelism = 2;
        s.progressInterval = java.time.Duration.ofSeconds(1);
        return s;
    }

    /** Waits until {@code written} reaches {@code atLeast}, cancels the job and waits until it is cancelled. */
    static long cancelAfter(JobClient job, LongSupplier written, long atLeast) throws Exception {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (written.getAsLong() < atLeast) {
            if (System.nanoTime() > deadline || job.getJobStatus().get().isGloballyTerminalState()) {
                throw new AssertionError("the run ended or stalled before " + atLeast + " outputs were written: "
                        + job.getJobStatus().get() + ", written " + written.getAsLong());
            }
            Thread.sleep(50);
        }
        job.cancel().get();
        while (job.getJobStatus().get() != JobStatus.CANCELED) {
            Thread.sleep(50);
        }
        return written.getAsLong();
    }

    /** A step before the sinks that slows the run down so that it can be interrupted half-way. */
    static io.flinkllmlingua.flink.ChunkOutcome slow(io.flinkllmlingua.flink.ChunkOutcome o) throws InterruptedException {
        Thread.sleep(5);
        return o;
    }
}
