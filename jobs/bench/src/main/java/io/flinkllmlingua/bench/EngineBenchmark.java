package io.flinkllmlingua.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flinkllmlingua.engine.BatchingStats;
import io.flinkllmlingua.engine.CompressionOptions;
import io.flinkllmlingua.engine.CompressionResult;
import io.flinkllmlingua.engine.EngineConfig;
import io.flinkllmlingua.engine.PromptCompressor;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Engine throughput, measured side by side in one run on one corpus: one caller at a time (no batching
 * possible) against N concurrent callers sharing one engine (the micro-batcher batches them). Reports original
 * cl100k tokens per second, chunks per second, latency percentiles, mean batch size and padding efficiency.
 */
public final class EngineBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One measured configuration. */
    public record Row(String name, int callers, int records, long originTokens, long compressedTokens, double seconds,
                      double p50Millis, double p95Millis, double meanBatch, double paddingEfficiency) {
        public double tokensPerSecond() {
            return originTokens / seconds;
        }

        public double recordsPerSecond() {
            return records / seconds;
        }
    }

    private EngineBenchmark() {}

    /** Reads the {@code text} field of up to {@code limit} JSONL records. */
    public static List<String> loadTexts(Path jsonl, int limit) throws IOException {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(jsonl)) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode n = JSON.readTree(line);
            if (n.hasNonNull("text")) {
                out.add(n.get("text").asText());
            }
            if (out.size() >= limit) {
                break;
            }
        }
        return out;
    }

    /** Compresses every text once with {@code callers} threads sharing the engine. */
    public static Row run(String name, PromptCompressor engine, List<String> texts, CompressionOptions options,
                          int callers) throws Exception {
        BatchingStats before = engine.batchingStats();
        ConcurrentCompression.Timed t = ConcurrentCompression.run(engine, texts, options, callers);
        double seconds = t.seconds();
        double[] latencies = t.latencyMillis();
        long[] origin = Arrays.stream(t.results()).mapToLong(CompressionResult::originTokens).toArray();
        long[] compressed = Arrays.stream(t.results()).mapToLong(CompressionResult::compressedTokens).toArray();
        BatchingStats after = engine.batchingStats();
        long batches = after.batches() - before.batches();
        long seqs = after.sequences() - before.sequences();
        long real = after.realTokens() - before.realTokens();
        long padded = after.paddedTokens() - before.paddedTokens();
        double[] sorted = latencies.clone();
        Arrays.sort(sorted);
        return new Row(name, callers, texts.size(), Arrays.stream(origin).sum(), Arrays.stream(compressed).sum(),
                seconds, percentile(sorted, 0.50), percentile(sorted, 0.95),
                batches == 0 ? 0 : (double) seqs / batches, padded == 0 ? 1 : (double) real / padded);
    }

    private static double percentile(double[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
    }

    /**
     * Runs the standard comparison: a warm-up pass, then single caller vs {@code callers} concurrent callers.
     */
    public static List<Row> compare(EngineConfig config, List<String> texts, CompressionOptions options, int callers,
                                    PrintStream log) throws Exception {
        try (PromptCompressor engine = PromptCompressor.open(config)) {
            log.printf(Locale.ROOT, "model %s (%s) on %s, %d texts%n", config.modelId(), engine.family(),
                    engine.provider(), texts.size());
            run("warm-up", engine, texts.subList(0, Math.min(texts.size(), 16)), options, 2);
            List<Row> rows = new ArrayList<>();
            rows.add(run("single caller", engine, texts, options, 1));
            rows.add(run(callers + " concurrent callers", engine, texts, options, callers));
            return rows;
        }
    }

    public static void print(List<Row> rows, PrintStream out) {
        out.printf(Locale.ROOT, "%-24s %8s %10s %12s %10s %9s %9s %10s %8s%n", "run", "records", "tokens",
                "tokens/s", "records/s", "p50 ms", "p95 ms", "mean batch", "padding");
        for (Row r : rows) {
            out.printf(Locale.ROOT, "%-24s %8d %10d %12.0f %10.1f %9.1f %9.1f %10.2f %8.2f%n", r.name(), r.records(),
                    r.originTokens(), r.tokensPerSecond(), r.recordsPerSecond(), r.p50Millis(), r.p95Millis(),
                    r.meanBatch(), r.paddingEfficiency());
        }
        if (rows.size() >= 2) {
            out.printf(Locale.ROOT, "batched / single throughput: %.2fx%n",
                    rows.get(1).tokensPerSecond() / rows.get(0).tokensPerSecond());
        }
    }
}
