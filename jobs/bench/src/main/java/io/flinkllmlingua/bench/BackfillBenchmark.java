package io.flinkllmlingua.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flinkllmlingua.engine.PromptCompressor;
import io.flinkllmlingua.flink.LlmLinguaConfig;
import io.flinkllmlingua.jobs.backfill.BackfillJob;
import io.flinkllmlingua.jobs.backfill.BackfillReport;
import io.flinkllmlingua.jobs.backfill.BackfillSettings;
import io.flinkllmlingua.models.minilm.UntrainedMiniLmModel;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * Backfill throughput next to the engine-only ceiling, in one command: derives {@code --chunks} chunks from the
 * repository's Debian documentation corpora ({@code src/test-data/corpora}), backfills them JSONL to JSONL on a
 * local Flink (BATCH mode, the MiniLM demo model by default), then compresses the same texts with the engine alone ({@code callers} concurrent callers on one engine).
 *
 * <p>How the chunks are derived (deterministic): the 416 chunks of {@code docs-en.jsonl} and
 * {@code docs-multilingual.jsonl}, in file order, are cut into paragraph-sized pieces: each text is split into
 * sentences (after {@code . ! ?} or a newline) and sentences are packed greedily into pieces of at least
 * {@code --min-chars} characters (a shorter remainder joins the previous piece). The pieces are then cycled, cycle
 * {@code c} giving chunk ids {@code c/<chunk_id>/<piece>} in documents {@code c/<doc_id>}, until there are
 * {@code --chunks} of them.
 */
@Command(name = "backfill-bench", mixinStandardHelpOptions = true,
        description = "Backfill rows/s and tokens/s next to the engine-only ceiling on the same texts.")
public final class BackfillBenchmark implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--chunks", defaultValue = "10000", description = "Chunks to backfill (default: ${DEFAULT-VALUE}).")
    int chunks;

    @Option(names = "--min-chars", defaultValue = "300", description = "Smallest piece in characters (default: ${DEFAULT-VALUE}).")
    int minChars;

    @Option(names = "--corpora", defaultValue = "src/test-data/corpora",
            description = "Directory with docs-en.jsonl and docs-multilingual.jsonl (default: ${DEFAULT-VALUE}, the "
                    + "repository's corpora, relative to the repository root: run from there or pass --corpora).")
    Path corpora;

    @Option(names = "--work", defaultValue = "target/backfill-bench", description = "Work directory (default: ${DEFAULT-VALUE}).")
    Path work;

    @Option(names = "--model", description = "Model directory (default: the MiniLM demo model, built if missing).")
    Path model;

    @Option(names = {"-p", "--parallelism"}, defaultValue = "1", description = "Backfill parallelism (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(names = "--progress-interval", defaultValue = "10 s", description = "Progress line interval, a Flink duration (default: ${DEFAULT-VALUE}).")
    java.time.Duration progressInterval;

    @Option(names = {"-D"}, description = "An llmlingua.* option for both runs.")
    Map<String, String> overrides = new LinkedHashMap<>();

    public static void main(String[] args) {
        io.flinkllmlingua.jobs.backfill.BackfillJobMain.localLogging();
        System.exit(io.flinkllmlingua.jobs.cli.EntryPoint.commandLine(new BackfillBenchmark(), "backfill-bench", System.err).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        for (String file : List.of("docs-en.jsonl", "docs-multilingual.jsonl")) {
            if (!Files.isRegularFile(corpora.resolve(file))) {
                System.err.println("backfill-bench: " + corpora.resolve(file) + " not found (--corpora " + corpora
                        + "; the default is relative to the repository root)");
                return 2;
            }
        }
        Path modelDir = model != null ? model : UntrainedMiniLmModel.ensure(System.out);
        Files.createDirectories(work);
        Path input = work.resolve("input.jsonl");
        List<String> texts = derive(corpora, chunks, minChars, input);
        long chars = texts.stream().mapToLong(String::length).sum();
        System.out.printf(Locale.ROOT, "%d chunks derived into %s, mean %.0f characters%n", texts.size(), input,
                (double) chars / texts.size());

        BackfillSettings s = new BackfillSettings();
        s.source = BackfillSettings.SourceKind.JSONL;
        s.inputPath = input.toAbsolutePath().toString();
        s.sink = BackfillSettings.SinkKind.JSONL;
        delete(work.resolve("out"));
        delete(work.resolve("failures"));
        s.outputPath = work.resolve("out").toAbsolutePath().toString();
        s.failuresPath = work.resolve("failures").toAbsolutePath().toString();
        s.parallelism = parallelism;
        s.progressInterval = progressInterval;
        s.llmlingua.put("llmlingua.model.path", modelDir.toString());
        if (model == null) {
            s.llmlingua.put("llmlingua.model.id", UntrainedMiniLmModel.MODEL_ID);
        }
        s.llmlingua.putAll(overrides);
        s.reportFile = work.resolve("report.json");
        BackfillReport report = BackfillJob.run(io.flinkllmlingua.jobs.cli.LocalFlink.environment(), s);
        System.out.println(report.summary());

        LlmLinguaConfig config = LlmLinguaConfig.fromMap(s.llmlingua);
        int callers = Math.max(1, parallelism) * config.capacity();
        EngineBenchmark.Row engine;
        try (PromptCompressor compressor = PromptCompressor.open(config.engine())) {
            EngineBenchmark.run("warm-up", compressor, texts.subList(0, Math.min(texts.size(), 32)), config.defaults(), 2);
            engine = EngineBenchmark.run("engine only", compressor, texts, config.defaults(), Math.min(callers, texts.size()));
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "%-34s %8s %10s %10s %12s %8s%n", "run", "chunks", "tokens", "rows/s", "tokens/s", "seconds");
        System.out.printf(Locale.ROOT, "%-34s %8d %10d %10.1f %12.0f %8.1f%n",
                "backfill JSONL->JSONL, p=" + parallelism, report.read(), report.tokensIn, report.rowsPerSecond(),
                report.tokensPerSecond(), report.wallSeconds);
        System.out.printf(Locale.ROOT, "%-34s %8d %10d %10.1f %12.0f %8.1f%n",
                "engine only, " + engine.callers() + " callers", engine.records(), engine.originTokens(),
                engine.recordsPerSecond(), engine.tokensPerSecond(), engine.seconds());
        System.out.printf(Locale.ROOT, "mean chunk: %.0f characters, %.1f tokens (cl100k); backfill / engine-only: %.2f%n",
                (double) chars / texts.size(), (double) engine.originTokens() / engine.records(),
                report.tokensPerSecond() / engine.tokensPerSecond());
        return report.failed == 0 && report.compressed == texts.size() ? 0 : 1;
    }

    /** Writes the derived chunks (see the class comment) and returns their texts. */
    static List<String> derive(Path corpora, int count, int minChars, Path out) throws IOException {
        List<String[]> pieces = new ArrayList<>(); // doc_id, chunk_id, text, lang
        for (String file : List.of("docs-en.jsonl", "docs-multilingual.jsonl")) {
            for (String line : Files.readAllLines(corpora.resolve(file), StandardCharsets.UTF_8)) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode n = JSON.readTree(line);
                List<String> parts = split(n.path("text").asText(), minChars);
                for (int i = 0; i < parts.size(); i++) {
                    pieces.add(new String[] {n.path("doc_id").asText(), n.path("chunk_id").asText() + "/" + i, parts.get(i),
                            n.path("metadata").path("lang").asText("")});
                }
            }
        }
        List<String> texts = new ArrayList<>();
        try (BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            for (int i = 0; i < count; i++) {
                String[] p = pieces.get(i % pieces.size());
                int cycle = i / pieces.size();
                ObjectNode r = JSON.createObjectNode();
                r.put("doc_id", cycle + "/" + p[0]);
                r.put("chunk_id", cycle + "/" + p[1]);
                r.put("text", p[2]);
                r.putObject("metadata").put("lang", p[3]).put("derived", true);
                w.write(JSON.writeValueAsString(r));
                w.write('\n');
                texts.add(p[2]);
            }
        }
        return texts;
    }

    static List<String> split(String text, int minChars) {
        List<String> out = new ArrayList<>();
        StringBuilder piece = new StringBuilder();
        for (String sentence : text.split("(?<=[.!?])\\s+|\\n+")) {
            if (sentence.isBlank()) {
                continue;
            }
            if (piece.length() > 0) {
                piece.append(' ');
            }
            piece.append(sentence.strip());
            if (piece.length() >= minChars) {
                out.add(piece.toString());
                piece.setLength(0);
            }
        }
        if (piece.length() > 0) {
            if (!out.isEmpty() && piece.length() < minChars / 2) {
                out.set(out.size() - 1, out.get(out.size() - 1) + " " + piece);
            } else {
                out.add(piece.toString());
            }
        }
        return out;
    }

    private static void delete(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
