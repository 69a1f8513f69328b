package io.flinkllmlingua.jobs.cli;

import io.flinkllmlingua.engine.BatchingStats;
import io.flinkllmlingua.engine.CompressionOptions;
import io.flinkllmlingua.engine.CompressionResult;
import io.flinkllmlingua.engine.EngineConfig;
import io.flinkllmlingua.engine.EngineException;
import io.flinkllmlingua.engine.InvalidRequestException;
import io.flinkllmlingua.engine.PromptCompressor;
import io.flinkllmlingua.engine.Cl100kCounter;
import io.flinkllmlingua.flink.ChunkRejectedException;
import io.flinkllmlingua.flink.CompressedChunk;
import io.flinkllmlingua.flink.DeadLetter;
import io.flinkllmlingua.flink.InputChunk;
import io.flinkllmlingua.flink.LlmLinguaOptions;
import io.flinkllmlingua.flink.ChunkPolicy;
import io.flinkllmlingua.flink.RecordCodec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** {@code llmlingua compress}: compresses texts, files or JSONL records, writing one JSON line per input. */
@Command(name = "compress",
        header = "Compress text, files or JSONL records; one JSON line out per input.",
        mixinStandardHelpOptions = true,
        abbreviateSynopsis = true,
        sortOptions = false,
        usageHelpWidth = 110,
        description = {
                "Compresses prompts with LLMLingua-2 and writes one JSON line per input: ids, compressed_text,"
                        + " compressed_list, original_tokens, compressed_tokens, ratio, kept_fraction (0..1),"
                        + " rate_percent, ratio_text,"
                        + " rate_text, saving, model, render_mode, chunks, timings_ms (and word_labels).",
                "Input: standard input or FILEs, each one text (or, with --split-paragraphs, one context per"
                        + " blank-line separated paragraph); with --jsonl, one JSON object per line with 'text' (string)"
                        + " or 'contexts' (array of strings), optional 'id'/'doc_id'/'chunk_id' (copied to the output)"
                        + " and optional per-record 'rate', 'target_token', 'force_tokens'.",
                "A record that cannot be compressed gives an error line {\"error\", \"line\", \"input\"} and the"
                        + " others go on. A summary goes to standard error.",
                ""},
        footerHeading = "%nExit codes:%n",
        footer = {
                "  0  every record was compressed",
                "  1  unreadable input, model or engine failure",
                "  2  a user's mistake (missing --model, bad value, wrong path, unknown flag)",
                "  3  some records failed (see the error lines)",
                "",
                "Example:",
                "  java -jar flink-llmlingua-jobs-<version>-cli.jar compress --model ./model --jsonl --rate 0.33 \\",
                "      --force-token '\\n' --force-token . --concurrency 8 docs.jsonl -o compressed.jsonl"})
final class CompressCommand implements Callable<Integer> {
    @ParentCommand
    LlmLinguaCli cli;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "FILE", arity = "0..*",
            description = "Input files; '-' is standard input (the default when none is given).")
    List<String> files = new ArrayList<>();

    @Option(names = "--jsonl", description = "Inputs are JSON lines, one record per line.")
    boolean jsonl;

    @Option(names = "--chunks",
            description = "With --jsonl: every line is the pipeline's input chunk {doc_id, chunk_id, text, metadata,"
                    + " rate, target_token, force_tokens}, read and written as by the Kafka job and the backfill:"
                    + " one CompressedChunk or DeadLetter JSON line each (README, \"Record schemas\"), the same"
                    + " policy for empty, all-dropped and bad records.")
    boolean chunks;

    @Option(names = "--details",
            description = "With --chunks: add the CLI's extra fields to each compressed chunk (compressed_list,"
                    + " rate_percent, ratio_text, rate_text, saving, chunks, timings_ms, word_labels).")
    boolean details;

    @Option(names = "--split-paragraphs",
            description = "Plain-text inputs: blank-line separated paragraphs become separate contexts.")
    boolean splitParagraphs;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write results to FILE instead of standard output.")
    Path output;

    @Option(names = "--errors", paramLabel = "FILE",
            description = "Write error lines to FILE instead of with the results.")
    Path errors;

    @Option(names = "--word-labels",
            description = "Add word_labels ([word, 0|1] per context) and labeled_original_prompt to each result.")
    boolean wordLabels;

    @Option(names = "--concurrency", paramLabel = "N", defaultValue = "1",
            description = "Compress N records at a time on one shared engine, so that the micro-batcher batches"
                    + " them; output order is input order. Default: ${DEFAULT-VALUE}.")
    int concurrency;

    @Option(names = {"-q", "--quiet"}, description = "No summary on standard error.")
    boolean quiet;

    @Mixin
    CompressionFlags compression = new CompressionFlags();

    @Mixin
    EngineFlags engine = new EngineFlags();

    @Override
    public Integer call() throws IOException {
        Path modelDir = modelDir();
        if (concurrency < 1) {
            throw usage("--concurrency must be at least 1, got " + concurrency);
        }
        if (chunks && !jsonl) {
            throw usage("--chunks applies to --jsonl input");
        }
        if (details && !chunks) {
            throw usage("--details applies to --chunks records (prompt records always have the extra fields)");
        }
        if (jsonl && splitParagraphs) {
            throw usage("--split-paragraphs applies to plain-text input, not to --jsonl");
        }
        List<String> sources = files.isEmpty() ? List.of(RecordReader.STDIN) : files;
        for (String s : sources) {
            if (!RecordReader.STDIN.equals(s) && !Files.isRegularFile(Path.of(s))) {
                throw usage("input file not found: " + s);
            }
            if (!RecordReader.STDIN.equals(s) && !Files.isReadable(Path.of(s))) {
                throw usage("input file not readable: " + s);
            }
        }
        CompressionOptions options;
        EngineConfig config;
        try {
            options = compression.toOptions(wordLabels);
            config = engine.toConfig(modelDir);
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }

        boolean separateErrors = errors != null
                && (output == null || !errors.toAbsolutePath().normalize().equals(output.toAbsolutePath().normalize()));
        Writer out = null;
        Writer err = null;
        try {
            out = output != null ? create(output, "--output")
                    : new BufferedWriter(new OutputStreamWriter(cli.stdout(), StandardCharsets.UTF_8));
            err = separateErrors ? create(errors, "--errors") : out;
            return run(config, options, sources, out, err);
        } finally {
            try {
                closeOrFlush(err, separateErrors);
            } finally {
                closeOrFlush(out, output != null);
            }
        }
    }

    private Writer create(Path file, String option) {
        try {
            return Files.newBufferedWriter(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw usage("cannot write " + option + " file " + file + ": " + e.getClass().getSimpleName()
                    + (e.getMessage() == null || e.getMessage().equals(file.toString()) ? "" : " " + e.getMessage()));
        }
    }

    private int run(EngineConfig config, CompressionOptions options, List<String> sources, Writer out, Writer err)
            throws IOException {
        long loadStart = System.nanoTime();
        PromptCompressor compressor;
        try {
            compressor = PromptCompressor.open(config);
        } catch (EngineException e) {
            throw new EngineException("cannot load the model in " + config.modelDir() + ": " + e.getMessage(), e);
        }
        try (compressor; RecordReader reader = new RecordReader(sources, cli.stdin(), jsonl, splitParagraphs, options)
                .chunks(chunks)) {
            long loadNanos = System.nanoTime() - loadStart;
            Sink sink = new Sink(new OutputFormat(config.modelId()), out, err, details);
            ChunkPolicy policy = new ChunkPolicy(options, LlmLinguaOptions.MAX_TEXT_BYTES.defaultValue(),
                    config.modelId(), "", config.padToMaxLength());
            long start = System.nanoTime();
            if (concurrency == 1) {
                for (InputRecord r; (r = reader.next()) != null; ) {
                    sink.accept(process(compressor, policy, r));
                }
            } else {
                runConcurrently(compressor, policy, reader, sink);
            }
            long elapsed = System.nanoTime() - start;
            if (!quiet) {
                cli.stderr().println(sink.summary(elapsed, loadNanos, compressor, reader.blankLines()));
                cli.stderr().flush();
            }
            return sink.failed > 0 ? LlmLinguaCli.EXIT_RECORD_FAILURES : LlmLinguaCli.EXIT_OK;
        }
    }

    /**
     * N workers share the engine; results are written in input order. At most {@code 4 N} records are read ahead,
     * so memory stays bounded on large inputs.
     */
    private void runConcurrently(PromptCompressor compressor, ChunkPolicy policy, RecordReader reader, Sink sink) throws IOException {
        AtomicInteger threadNo = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(concurrency, r -> {
            Thread t = new Thread(r, "llmlingua-compress-" + threadNo.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        ArrayDeque<Future<Outcome>> window = new ArrayDeque<>();
        try {
            for (InputRecord r; (r = reader.next()) != null; ) {
                InputRecord record = r;
                window.add(pool.submit(() -> process(compressor, policy, record)));
                while (window.size() >= 4 * concurrency || (!window.isEmpty() && window.peek().isDone())) {
                    sink.accept(await(window.poll()));
                }
            }
            while (!window.isEmpty()) {
                sink.accept(await(window.poll()));
            }
        } finally {
            pool.shutdownNow();
            try {
                // On a failure, let the workers leave the engine before it is closed.
                pool.awaitTermination(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static final ThreadLocal<Cl100kCounter> COUNTERS = ThreadLocal.withInitial(Cl100kCounter::new);

    private static Outcome process(PromptCompressor compressor, ChunkPolicy policy, InputRecord r) {
        if (r.isChunkRecord()) {
            return processChunk(compressor, policy, r);
        }
        if (r.error() != null) {
            return new Outcome(r, null, r.error(), null, null);
        }
        try {
            return new Outcome(r, compressor.compress(r.contexts(), r.options()), null, null, null);
        } catch (InvalidRequestException e) {
            return new Outcome(r, null, e.getMessage(), null, null);
        }
    }

    /** A --chunks record under the pipeline's policy (ChunkPolicy), as the Kafka job and the backfill. */
    private static Outcome processChunk(PromptCompressor compressor, ChunkPolicy policy, InputRecord r) {
        InputChunk chunk = r.chunk();
        if (chunk == null) {
            return new Outcome(r, null, r.error(), null,
                    RecordCodec.deadLetter(r.origin(), null, r.errorClass(), r.error(), 1));
        }
        if (ChunkPolicy.isEmpty(chunk)) {
            return new Outcome(r, null, null, policy.passThrough(chunk, COUNTERS.get()), null);
        }
        try {
            CompressionOptions options = policy.checkAndResolve(chunk);
            CompressionResult result = compressor.compress(List.of(chunk.text()), options);
            return new Outcome(r, result, null, policy.compressed(chunk, options, result), null);
        } catch (ChunkRejectedException e) {
            return new Outcome(r, null, e.getMessage(), null,
                    RecordCodec.deadLetter(r.origin(), chunk, e.errorClass(), e.getMessage(), 1));
        } catch (InvalidRequestException e) {
            return new Outcome(r, null, e.getMessage(), null,
                    RecordCodec.deadLetter(r.origin(), chunk, ChunkPolicy.errorClass(e), e.getMessage(), 1));
        }
    }

    private static Outcome await(Future<Outcome> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EngineException("interrupted", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException re) {
                throw re;
            }
            if (c instanceof Error er) {
                throw er;
            }
            throw new EngineException(String.valueOf(c.getMessage()), c);
        }
    }

    private Path modelDir() {
        return cli.modelDirectory(engine.model, spec);
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    private static void closeOrFlush(Writer w, boolean close) throws IOException {
        if (w == null) {
            return;
        }
        if (close) {
            w.close();
        } else {
            w.flush();
        }
    }

    /**
     * The result of one record: {@code result} or {@code error}; for a --chunks record also {@code chunk} (compressed
     * or passed through) or {@code deadLetter}.
     */
    private record Outcome(InputRecord record, CompressionResult result, String error, CompressedChunk chunk,
                           DeadLetter deadLetter) {}

    /** Writes outcomes in order and keeps the totals. Used from the reading thread only. */
    private static final class Sink {
        private final OutputFormat format;
        private final Writer out;
        private final Writer err;
        long records;
        long failed;
        long tokensIn;
        long tokensOut;

        private final boolean details;

        Sink(OutputFormat format, Writer out, Writer err, boolean details) {
            this.details = details;
            this.format = format;
            this.out = out;
            this.err = err;
        }

        void accept(Outcome o) {
            records++;
            try {
                if (o.deadLetter() != null) {
                    failed++;
                    write(err, format.deadLetter(o.deadLetter()));
                } else if (o.chunk() != null) {
                    tokensIn += o.chunk().originalTokens();
                    tokensOut += o.chunk().compressedTokens();
                    write(out, format.chunk(o.chunk(), o.result(), details));
                } else if (o.error() != null) {
                    failed++;
                    write(err, format.error(o.record(), o.error()));
                } else {
                    tokensIn += o.result().originTokens();
                    tokensOut += o.result().compressedTokens();
                    write(out, format.result(o.record(), o.result()));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the output: " + e.getMessage(), e);
            }
        }

        private static void write(Writer w, String line) throws IOException {
            w.write(line);
            w.write('\n');
            w.flush();
        }

        String summary(long elapsedNanos, long loadNanos, PromptCompressor compressor, long blankLines) {
            double seconds = elapsedNanos / 1e9;
            String ratio = tokensOut == 0 ? "-" : String.format(Locale.ROOT, "%.2fx", (double) tokensIn / tokensOut);
            BatchingStats b = compressor.batchingStats();
            return String.format(Locale.ROOT,
                    "llmlingua: %d records, %d failed, %d blank lines skipped; %d -> %d tokens (%s);"
                            + " %.0f tokens/s over %.2f s (model loaded in %.2f s on %s; %d model calls, mean batch %.1f)",
                    records, failed, blankLines, tokensIn, tokensOut, ratio, seconds > 0 ? tokensIn / seconds : 0.0, seconds,
                    loadNanos / 1e9, compressor.provider(), b.batches(), b.meanBatchSize());
        }
    }
}
