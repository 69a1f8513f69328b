package io.flinkllmlingua.bench;

import io.flinkllmlingua.engine.CompressionOptions;
import io.flinkllmlingua.engine.EngineConfig;
import io.flinkllmlingua.engine.EngineVersion;
import io.flinkllmlingua.engine.ExecutionProvider;
import io.flinkllmlingua.engine.ModelBatch;
import io.flinkllmlingua.engine.RenderMode;
import io.flinkllmlingua.models.GeneratedFamily;
import io.flinkllmlingua.training.eval.KeepAgreement;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The benchmark suite: on one corpus, for each model, the five paths side by side (model-only ceiling, engine,
 * Flink job through Kafka, naive baseline, Node peer), then the scaling sweeps; writes
 * {@code <resultsRoot>/<timestamp>/results.md}, {@code results.json} and PNG plots.
 */
public final class BenchmarkSuite {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
            .withZone(ZoneOffset.UTC);

    private final SuiteSettings s;
    private final PrintStream log;
    private final String command;
    private final long start = System.nanoTime();
    private final Instant startedAt = Instant.now();
    private ExecutionProvider resolvedProvider;
    /** Keep agreement of each int8 model with its fp32 model. */
    private final Map<String, KeepAgreement.Result> agreements = new LinkedHashMap<>();

    public BenchmarkSuite(SuiteSettings settings, String command, PrintStream log) {
        if (settings.rounds < 1) {
            throw new IllegalArgumentException("rounds must be at least 1, got " + settings.rounds);
        }
        this.s = settings;
        this.command = command;
        this.log = log;
    }

    /** Runs everything and writes the results; returns the results folder. */
    public Path run() throws Exception {
        Instant started = startedAt;
        int maxRecords = s.records.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        BenchCorpus corpus = BenchCorpus.load(s.corpus, Math.max(Math.max(maxRecords, s.sweepRecords), 1));
        List<PathResult> results = new ArrayList<>();
        Map<String, EngineThroughput.StageTimes> stages = new LinkedHashMap<>();
        Map<String, StageProfile> profiles = new LinkedHashMap<>();
        List<SweepPoint> sweeps = new ArrayList<>();
        FlinkJobThroughput flink = null;
        // The millisecond documents first, in a quiet process: in four default runs of 2026-12-03 that measured them
        // last, after seven models had been loaded and freed, the 1 KB document took 9-14 ms/KiB against 6.9-7.8 in
        // runs that measured it early, while 10 KB and larger were unchanged. The sweep is the engine's per-record
        // cost, not the suite's history.
        if (s.growthModel != null) {
            sweepInputSize(s.growthModel, s.growthModel.ensure(s.cacheRoot, log), corpus, sweeps, true);
        }
        try {
            for (Map.Entry<BenchModel, Integer> e : s.records.entrySet()) {
                BenchModel model = e.getKey();
                Path dir = model.ensure(s.cacheRoot, log);
                BenchCorpus chunks = corpus.first(e.getValue());
                progress("model %s: %d chunks, paths 2 and 6 (%d rounds), 1 (not on CPU), 3, 4, 5", model.id(), chunks.size(),
                        s.rounds);
                if (s.flink && flink == null) {
                    flink = new FlinkJobThroughput();
                }
                runModel(model, dir, chunks, results, stages, flink);
                profiles.put(model.id(), StageProfile.measure(dir, chunks.texts()));
                writePartial(started, results, stages, profiles, sweeps);
            }
            if (s.sweepModel != null) {
                Path dir = s.sweepModel.ensure(s.cacheRoot, log);
                sweepBatchSize(s.sweepModel, dir, corpus.first(s.sweepRecords), sweeps);
                sweepSequenceLength(s.sweepModel, dir, corpus, sweeps);
                if (s.flink) {
                    if (flink == null) {
                        flink = new FlinkJobThroughput();
                    }
                    for (int p : s.parallelisms) {
                        progress("sweep parallelism %d (%s, Flink job)", p, s.sweepModel.id());
                        sweeps.add(new SweepPoint("parallelism", s.sweepModel.id(), p, print(
                                flink.measure(s.sweepModel.id(), operatorOptions(dir), corpus.first(s.sweepRecords), p))));
                    }
                }
                writePartial(started, results, stages, profiles, sweeps);
            }
        } finally {
            if (flink != null) {
                flink.close();
            }
        }
        // The documents of seconds, after the cluster and the broker are gone (their threads would add jitter).
        if (s.growthModel != null) {
            sweepInputSize(s.growthModel, s.growthModel.ensure(s.cacheRoot, log), corpus, sweeps, false);
        }
        Path md = write(started, results, stages, profiles, sweeps);
        progress("done in %.1f min: %s", (System.nanoTime() - start) / 60e9, md.toAbsolutePath());
        return md.getParent();
    }

    private Path write(Instant started, List<PathResult> results, Map<String, EngineThroughput.StageTimes> stages,
                       Map<String, StageProfile> profiles, List<SweepPoint> sweeps) throws IOException {
        SuiteReport report = new SuiteReport(started.toString(), environment(), command, List.copyOf(results),
                new LinkedHashMap<>(stages), new LinkedHashMap<>(profiles), List.copyOf(sweeps),
                new LinkedHashMap<>(agreements));
        return ResultsWriter.write(s.resultsRoot.resolve(STAMP.format(started)), report);
    }

    /** Writes what has been measured so far, so that a long run stopped early still leaves its tables. */
    private void writePartial(Instant started, List<PathResult> results,
                              Map<String, EngineThroughput.StageTimes> stages, Map<String, StageProfile> profiles,
                              List<SweepPoint> sweeps) throws IOException {
        Path md = write(started, results, stages, profiles, sweeps);
        progress("results so far: %s", md.toAbsolutePath());
    }

    private void runModel(BenchModel model, Path dir, BenchCorpus chunks, List<PathResult> results,
                          Map<String, EngineThroughput.StageTimes> stages, FlinkJobThroughput flink) throws Exception {
        String id = model.id();
        EngineConfig config = engineConfig(dir, s.maxBatch, false);
        CompressionOptions options = options();

        // Paths 2 and 6 alternate, each on a warm engine or session, so that drift of the machine hits both alike;
        // each reports its fastest round (Rounds).
        List<EngineThroughput.Run> engineRounds = new ArrayList<>();
        List<PathResult> bestRounds = new ArrayList<>();
        // With several sessions in the engine's plan, path 6 also times one session of all the threads, so that it is
        // the better of the two session plans, not the engine's own choice.
        List<PathResult> oneSessionRounds = new ArrayList<>();
        try (EngineThroughput.Warm warmEngine = EngineThroughput.open(BenchPath.ENGINE, id, config, chunks.texts(),
                options, s.callers, s.warmup)) {
            ModelOnlyCeiling.Warm best = null;
            ModelOnlyCeiling.Warm oneSession = null;
            try {
                for (int round = 1; round <= s.rounds; round++) {
                    progress("  2. engine end to end (%d callers), round %d of %d", s.callers, round, s.rounds);
                    EngineThroughput.Run run = warmEngine.measure();
                    engineRounds.add(run);
                    print(run.result());
                    if (best == null) {
                        best = ModelOnlyCeiling.open(id, config, run.provider(), s.warmup);
                        if (best.sessions() > 1) {
                            oneSession = ModelOnlyCeiling.open(id, config.toBuilder().sessions(1).build(),
                                    run.provider(), s.warmup);
                        }
                    }
                    progress("  6. model-only, the best plan for %s, round %d of %d", run.provider(), round,
                            s.rounds);
                    bestRounds.add(print(best.bestPlan(run.batches(), chunks.size(), run.result().tokens())));
                    if (oneSession != null) {
                        oneSessionRounds.add(print(oneSession.bestPlan(run.batches(), chunks.size(),
                                run.result().tokens())));
                    }
                }
            } finally {
                if (best != null) {
                    best.close();
                }
                if (oneSession != null) {
                    oneSession.close();
                }
            }
        }
        EngineThroughput.Run engine = Rounds.fastest(engineRounds, r -> r.result().tokensPerSecond());
        List<PathResult> engineResults = engineRounds.stream().map(EngineThroughput.Run::result).toList();
        stages.put(id, engine.stages());
        resolvedProvider = engine.provider();
        writeSequenceLengths(id, engine.batches());
        results.add(betterSessionPlan(withRounds(Rounds.fastest(bestRounds, PathResult::tokensPerSecond), bestRounds),
                oneSessionRounds));
        if (engine.provider() == ExecutionProvider.CPU && oneExactSequencePerCall(engine.batches())) {
            // The CPU plan is one sequence per call at its exact length: the best plan. A replay would time path 6's
            // very calls again.
            results.add(PathResult.skipped(BenchPath.MODEL_ONLY, id, "not run on CPU: the engine's calls are the best "
                    + "plan's (one sequence per call, exact length), which path 6 timed"));
        } else {
            progress("  1. model-only ceiling (replaying the engine's %d model calls)", engine.batches().size());
            results.add(print(ModelOnlyCeiling.replay(id, config, engine.batches(), chunks.size(),
                    engine.result().tokens(), s.warmup)));
        }
        results.add(withRounds(engine.result(), engineResults));

        if (model.fp32() != null) {
            // The int8 rows answer "how much faster, and does it keep the decisions": the engine-side paths and the
            // peer on the same files; the job and the naive loop are the fp32 rows' questions.
            int n = Math.min(chunks.size(), s.agreementTexts);
            if (n > 0) {
                progress("  keep agreement with %s on %d chunks", model.fp32().id(), n);
                KeepAgreement.Result a = KeepAgreement.compare(model.fp32().ensure(s.cacheRoot, log), dir,
                        chunks.texts().subList(0, n), s.rate);
                agreements.put(id, a);
                log.printf(Locale.ROOT, "    %s%n", a.summary());
            }
        }
        if (s.flink && model.fp32() == null) {
            progress("  3. Flink job via Kafka (parallelism %d)", s.parallelism);
            results.add(print(flink.measure(id, operatorOptions(dir), chunks, s.parallelism)));
        }
        if (s.naive && model.fp32() == null) {
            progress("  4. naive baseline (1 caller, batch 1, padded to 512)");
            // One caller, one session: a second session would only sit beside the call.
            EngineConfig naive = engineConfig(dir, 1, true).toBuilder().sessions(1).build();
            results.add(print(EngineThroughput.measure(BenchPath.NAIVE, id, naive, chunks.texts(), options, 1,
                    Math.min(s.warmup, 2)).result()));
        }
        if (s.peer) {
            progress("  5. Node peer @atjsh/llmlingua-2");
            PathResult peer;
            try {
                peer = new NodePeer(s.peerCacheRoot, log).measure(id, dir,
                        model.family() == GeneratedFamily.SENTENCEPIECE, chunks.texts(), engine.result().tokens(),
                        s.rate, s.forceTokens, Math.min(s.warmup, 2));
            } catch (IOException e) {
                peer = PathResult.skipped(BenchPath.NODE_PEER, id, "Node peer not run: " + e.getMessage());
            }
            results.add(print(peer));
        }
    }

    static boolean oneExactSequencePerCall(List<ModelBatch> batches) {
        return batches.stream().allMatch(b -> b.rows() == 1 && b.length() == b.realTokens());
    }

    /** Path 6: the engine's session plan or one session of all threads, whichever was faster, naming the other. */
    private static PathResult betterSessionPlan(PathResult enginesPlan, List<PathResult> oneSessionRounds) {
        if (oneSessionRounds.isEmpty()) {
            return enginesPlan;
        }
        PathResult oneSession = withRounds(Rounds.fastest(oneSessionRounds, PathResult::tokensPerSecond),
                oneSessionRounds);
        boolean oneWins = oneSession.tokensPerSecond() > enginesPlan.tokensPerSecond();
        PathResult winner = oneWins ? oneSession : enginesPlan;
        PathResult other = oneWins ? enginesPlan : oneSession;
        return winner.withNote(winner.note() + String.format(Locale.ROOT, "; %s: %.0f tokens/s",
                oneWins ? "the engine's sessions" : "one session of all threads", other.tokensPerSecond()));
    }

    private static PathResult withRounds(PathResult chosen, List<PathResult> rounds) {
        String rs = Rounds.describe(rounds);
        return rs.isEmpty() ? chosen : chosen.withNote(chosen.note().isEmpty() ? rs : chosen.note() + "; " + rs);
    }

    private void sweepBatchSize(BenchModel model, Path dir, BenchCorpus chunks, List<SweepPoint> out) throws Exception {
        for (int b : s.batchSizes) {
            progress("sweep batch size %d (%s, %d callers)", b, model.id(), Math.max(s.callers, b));
            EngineThroughput.Run r = EngineThroughput.measure(BenchPath.ENGINE, model.id(),
                    engineConfig(dir, b, false), chunks.texts(), options(), Math.max(s.callers, b), s.warmup);
            out.add(new SweepPoint("batch-size", model.id(), b, print(r.result())));
        }
    }

    private void sweepSequenceLength(BenchModel model, Path dir, BenchCorpus corpus, List<SweepPoint> out)
            throws Exception {
        for (int words : s.chunkWords) {
            List<String> texts = corpus.textsOfWords(words, s.sweepRecords);
            progress("sweep sequence length: %d-word chunks (%s)", words, model.id());
            EngineThroughput.Run r = EngineThroughput.measure(BenchPath.ENGINE, model.id(),
                    engineConfig(dir, s.maxBatch, false), texts, options(), s.callers, s.warmup);
            double tokensPerSequence = r.stats().sequences() == 0 ? 0
                    : (double) r.stats().realTokens() / r.stats().sequences();
            out.add(new SweepPoint("sequence-length", model.id(), Math.round(tokensPerSequence),
                    print(r.result().withNote(words + " words per chunk"))));
        }
    }

    /** The sizes timed over repeated warm calls ({@code small}), or the others, of the input-size sweep. */
    private void sweepInputSize(BenchModel model, Path dir, BenchCorpus corpus, List<SweepPoint> out, boolean small)
            throws Exception {
        for (long bytes : s.documentBytes) {
            if ((bytes < REPEAT_BELOW_BYTES) != small) {
                continue;
            }
            Map<String, CompressionOptions> modes = new LinkedHashMap<>();
            modes.put(INPUT_SIZE, options());
            if (s.referenceDocumentBytes.contains(bytes)) {
                modes.put(INPUT_SIZE_REFERENCE, options(RenderMode.REFERENCE));
            }
            String doc = corpus.document(bytes);
            out.addAll(small ? inputSizeWarmCalls(model, dir, doc, bytes, modes) : inputSizeOneRun(model, dir, doc,
                    bytes, modes));
        }
    }

    /** The input-size sweep in the product's render mode, and in {@link RenderMode#REFERENCE} at some sizes. */
    static final String INPUT_SIZE = "input-size";
    static final String INPUT_SIZE_REFERENCE = "input-size-reference";

    /** From 1 MB on, one run per render mode: start-up is lost in the noise and a warm-up doubles the time. */
    private List<SweepPoint> inputSizeOneRun(BenchModel model, Path dir, String doc, long bytes,
                                             Map<String, CompressionOptions> modes) throws Exception {
        List<SweepPoint> points = new ArrayList<>();
        for (Map.Entry<String, CompressionOptions> mode : modes.entrySet()) {
            CompressionOptions options = mode.getValue();
            progress("sweep input size: one %d-byte document (%s, %s)", bytes, model.id(), options.renderMode());
            EngineThroughput.Run r = EngineThroughput.measure(BenchPath.ENGINE, model.id(),
                    engineConfig(dir, s.maxBatch, false), List.of(doc), options, 1, 0);
            points.add(new SweepPoint(mode.getKey(), model.id(), bytes, print(r.result().timedByCall().withNote(
                    options.renderMode() + ", " + r.stats().sequences() + " model sequences"))));
        }
        return points;
    }

    /**
     * A small document takes milliseconds: one timed run would measure the JIT and the machine's jitter, not the
     * per-record cost. One engine warms up on the document (EngineThroughput.WARM_UP_NANOS), then its calls alternate
     * between the render modes, first until they have settled, then for two seconds per mode, and each mode reports
     * the median of those calls, each timed around compress itself (PathResult.timedByCall). Alternating on one
     * engine makes the ratio of the modes a side-by-side one: timed one mode after the other in a fresh process
     * (2026-12-04), the 10 KB document gave ORIGINAL_SPANS / REFERENCE 1.53, the JIT and the machine having changed
     * between the two; and with one engine per mode each call ran beside the other session's spinning ONNX Runtime
     * threads (10 KB: 52 ms a call against 28 ms on one engine).
     */
    private List<SweepPoint> inputSizeWarmCalls(BenchModel model, Path dir, String doc, long bytes,
                                                Map<String, CompressionOptions> modes) throws Exception {
        List<CompressionOptions> options = List.copyOf(modes.values());
        progress("sweep input size: one %d-byte document, warm calls (%s, %s)", bytes, model.id(),
                options.stream().map(o -> o.renderMode().name()).collect(Collectors.joining(" and ")));
        try (EngineThroughput.Warm engine = EngineThroughput.open(BenchPath.ENGINE, model.id(),
                engineConfig(dir, s.maxBatch, false), List.of(doc), options.get(0), 1, 1)) {
            // Warm until the median call stops getting faster: on this 2-core machine the 1 KB call still took 5.3 ms
            // after three seconds of calls and 3.0 ms a few seconds later (the JIT compiling the tokenizer's and the
            // selection's paths), so a fixed warm-up measured the compiler.
            double previous = Double.MAX_VALUE;
            long settleUntil = System.nanoTime() + MAX_SETTLE_NANOS;
            while (System.nanoTime() < settleUntil) {
                double median = latencyMillis(Rounds.median(alternate(engine, options, SETTLE_WINDOW_NANOS).get(0),
                        BenchmarkSuite::latencyMillis));
                if (median > previous * SETTLED) {
                    break;
                }
                previous = median;
            }
            List<List<EngineThroughput.Run>> runs = alternate(engine, options, MEASURE_NANOS * options.size());
            List<SweepPoint> points = new ArrayList<>();
            int i = 0;
            for (Map.Entry<String, CompressionOptions> mode : modes.entrySet()) {
                List<EngineThroughput.Run> calls = runs.get(i++);
                EngineThroughput.Run median = Rounds.median(calls, BenchmarkSuite::latencyMillis);
                points.add(new SweepPoint(mode.getKey(), model.id(), bytes, print(median.result().timedByCall()
                        .withNote(mode.getValue().renderMode() + ", " + median.stats().sequences()
                                + " model sequences, median of " + calls.size() + " warm calls"
                                + (modes.size() > 1 ? ", alternating with the other render mode" : "")))));
            }
            return points;
        }
    }

    /** Calls with each options in turn for {@code nanos} (at least {@link #MIN_RUNS} each); the runs per options. */
    private static List<List<EngineThroughput.Run>> alternate(EngineThroughput.Warm engine,
                                                              List<CompressionOptions> options, long nanos)
            throws Exception {
        List<List<EngineThroughput.Run>> runs = new ArrayList<>();
        options.forEach(o -> runs.add(new ArrayList<>()));
        long until = System.nanoTime() + nanos;
        while (runs.get(0).size() < MIN_RUNS || (System.nanoTime() < until && runs.get(0).size() < MAX_RUNS)) {
            for (int i = 0; i < options.size(); i++) {
                runs.get(i).add(engine.measure(options.get(i)));
            }
        }
        return runs;
    }

    private static double latencyMillis(EngineThroughput.Run run) {
        return run.result().latency().maxMillis();
    }

    /** Documents below this size are timed over repeated warm calls (see {@link #inputSizeWarmCalls}). */
    static final long REPEAT_BELOW_BYTES = 1_000_000;
    private static final long MEASURE_NANOS = 2_000_000_000L;
    /** Settling: one-second windows until one is less than 3 % faster than the one before, at most 15 s. */
    private static final long SETTLE_WINDOW_NANOS = 1_000_000_000L;
    private static final long MAX_SETTLE_NANOS = 15_000_000_000L;
    private static final double SETTLED = 0.97;
    private static final int MIN_RUNS = 3;
    private static final int MAX_RUNS = 1_000;

    /**
     * The real length of every sequence the engine scored, one per line, for jobs/bench/gpu/time_graphs.py (which
     * times the same shapes on a GPU machine that has no JDK).
     */
    private void writeSequenceLengths(String model, List<ModelBatch> batches) throws IOException {
        StringBuilder sb = new StringBuilder("# real lengths of the sequences the engine scored (model ").append(model)
                .append("), in its order\n");
        for (long[][] seq : ModelOnlyCeiling.sequences(batches)) {
            sb.append(seq[0].length).append('\n');
        }
        Path dir = s.resultsRoot.resolve(STAMP.format(startedAt));
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("sequence-lengths-" + model + ".txt"), sb);
    }

    EngineConfig engineConfig(Path dir, int maxBatch, boolean padTo512) {
        return EngineConfig.builder(dir).executionProvider(s.provider).intraOpThreads(s.threads).sessions(s.sessions)
                .maxBatchSequences(maxBatch).padToMaxLength(padTo512).build();
    }

    CompressionOptions options() {
        return options(CompressionOptions.PRODUCT_RENDER_MODE);
    }

    CompressionOptions options(RenderMode mode) {
        return CompressionOptions.builder().rate(s.rate).forceTokens(s.forceTokens).renderMode(mode).build();
    }

    /** The operator options equivalent to {@link #engineConfig} and {@link #options}. */
    Map<String, String> operatorOptions(Path dir) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("llmlingua.model.path", dir.toString());
        m.put("llmlingua.provider", s.provider.name());
        m.put("llmlingua.threads", String.valueOf(s.threads));
        m.put("llmlingua.sessions", String.valueOf(s.sessions));
        m.put("llmlingua.batch.max-sequences", String.valueOf(s.maxBatch));
        m.put("llmlingua.rate", String.valueOf(s.rate));
        m.put("llmlingua.force-tokens", String.join(";", s.forceTokens));
        m.put("llmlingua.async.capacity", String.valueOf(Math.max(1, s.callers / Math.max(1, s.parallelism))));
        return m;
    }

    private Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("host CPU", cpuModel() + ", " + Runtime.getRuntime().availableProcessors() + " cores visible");
        env.put("CPU int8/bf16 instructions", String.join(" ", cpuInt8Flags()));
        env.put("execution provider", s.provider.name() + (resolvedProvider == null ? ""
                : " (ran on " + resolvedProvider.name() + "; the Node peer on CPU)"));
        env.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        env.put("engine", EngineVersion.get());
        env.put("corpus", s.corpus.toString());
        env.put("options", "rate " + s.rate + ", force tokens " + s.forceTokens + ", " + s.callers
                + " callers, " + (s.maxBatch == 0 ? "batching: the provider's plan" : "max batch " + s.maxBatch)
                + ", Flink parallelism " + s.parallelism);
        for (BenchModel m : s.records.keySet()) {
            env.put("model " + m.id(), m.description());
        }
        return env;
    }

    /** The CPU flags (as {@code lscpu} lists them) that int8 and bf16 kernels of ONNX Runtime's MLAS use. */
    static final List<String> INT8_FLAGS = List.of("avx2", "avx512f", "avx512bw", "avx512_vnni", "avx_vnni",
            "avx_vnni_int8", "avx512_bf16", "amx_tile", "amx_int8", "amx_bf16");

    static List<String> cpuInt8Flags() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("flags")) {
                    List<String> flags = List.of(line.substring(line.indexOf(':') + 1).trim().split("\\s+"));
                    List<String> out = new ArrayList<>();
                    for (String f : INT8_FLAGS) {
                        if (flags.contains(f)) {
                            out.add(f);
                        }
                    }
                    return out.isEmpty() ? List.of("none of " + INT8_FLAGS) : out;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return List.of("unknown (no /proc/cpuinfo)");
    }

    static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return System.getProperty("os.arch");
    }

    private PathResult print(PathResult r) {
        if (!r.ran()) {
            log.printf(Locale.ROOT, "    not run: %s%n", r.note());
        } else {
            log.printf(Locale.ROOT, "    %-28s %5d chunks %8.1f s %9.0f tokens/s  p50 %7.1f ms  p99 %7.1f ms  "
                            + "batch %5.2f  padding %4.2f  peak RSS %s%n", r.path().label(), r.chunks(), r.seconds(),
                    r.tokensPerSecond(), r.latency().p50Millis(), r.latency().p99Millis(), r.meanBatch(),
                    r.paddingEfficiency(), r.peakRssBytes() < 0 ? "n/a" : (r.peakRssBytes() >> 20) + " MB");
        }
        log.flush();
        return r;
    }

    private void progress(String format, Object... args) {
        log.printf(Locale.ROOT, "[%6.1f s] " + format + "%n",
                concat((System.nanoTime() - start) / 1e9, args));
        log.flush();
    }

    private static Object[] concat(Object first, Object[] rest) {
        Object[] all = new Object[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }
}
