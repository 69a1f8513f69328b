package io.flinkllmlingua.bench;

import io.flinkllmlingua.engine.EngineConfig;
import io.flinkllmlingua.engine.ExecutionProvider;
import io.flinkllmlingua.engine.ModelBatch;
import io.flinkllmlingua.engine.ModelSession;
import io.flinkllmlingua.engine.PromptCompressor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The CPU plan's two concurrent model calls of one thread each on one shared ONNX Runtime session (what the engine
 * does, and what the engines of one TaskManager's subtasks do together) against the same two calls on two sessions
 * with a copy of the weights each (what it did before), side by side in one process. The second session is opened on
 * a hard-linked copy of the model directory: sessions are shared per model file.
 * Per model: the engine compresses {@code --chunks} corpus chunks once to record its sequences; both layouts then
 * run them in the best CPU plan (one sequence per call at its exact length, {@link ModelOnlyCeiling}), in
 * alternating rounds, each reporting its fastest. Memory is each layout's peak resident set in a fresh JVM of its
 * own (this command started again with {@code --probe}), after opening its sessions and running two calls of each
 * of the lengths 64 to 512 concurrently: in one process, memory that an earlier session freed is reused by the
 * next, so increments there mislead. The peaks include the JVM's own, the same in both; their difference is what
 * sharing saves (ONNX Runtime's pre-packed weights and its arenas included).
 */
@Command(name = "session-sharing-bench", mixinStandardHelpOptions = true,
        description = "Two concurrent CPU model calls on one shared session against two sessions: tokens/s and the "
                + "memory each layout adds.")
public final class SessionSharingBenchmark implements Callable<Integer> {

    @Option(names = "--models", split = ",", defaultValue = "minilm,minilm-int8,xlmr-large-shape",
            description = "Bench models (default: ${DEFAULT-VALUE}).")
    List<String> models;

    @Option(names = "--corpus", defaultValue = "src/test-data/corpora/docs-en.jsonl",
            description = "JSON lines with a 'text' field (default: ${DEFAULT-VALUE}).")
    Path corpus;

    @Option(names = "--chunks", defaultValue = "24", description = "Chunks per model (default: ${DEFAULT-VALUE}).")
    int chunks;

    @Option(names = "--rounds", defaultValue = "3",
            description = "Alternating rounds per layout (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--cache", description = "Model cache root (default: ~/.cache/flink-llmlingua).")
    Path cache;

    @Option(names = "--probe", hidden = true, description = "Internal: open one layout (shared or two) of the model "
            + "directory --probe-model, run it, print its peak RSS in kB and exit.")
    String probe;

    @Option(names = "--probe-model", hidden = true)
    Path probeModel;

    /** Lengths of the memory probe's calls: the engine's range, up to the model's 512 positions. */
    private static final int[] PROBE_LENGTHS = {64, 128, 256, 384, 512};

    public static void main(String[] args) {
        io.flinkllmlingua.jobs.backfill.BackfillJobMain.localLogging();
        System.exit(io.flinkllmlingua.jobs.cli.EntryPoint.commandLine(new SessionSharingBenchmark(),
                "session-sharing-bench", System.err).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (probe != null) {
            System.out.println("peak-kb " + probeLayout(probe, probeModel));
            return 0;
        }
        List<String> texts = BenchCorpus.load(corpus, chunks).texts();
        System.out.printf(Locale.ROOT, "%d chunks of %s, %d rounds, %d cores%n", texts.size(), corpus, rounds,
                Runtime.getRuntime().availableProcessors());
        System.out.println("| model | shared session tokens/s | two sessions tokens/s | shared / two | peak RSS, "
                + "shared MB | peak RSS, two sessions MB | saved MB |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|");
        for (String id : models) {
            BenchModel model = BenchModel.parse(id);
            Path dir = model.ensure(cache != null ? cache : BenchModel.defaultCacheRoot(), System.err);
            System.out.println(measure(model.id(), dir, texts));
        }
        return 0;
    }

    private String measure(String id, Path dir, List<String> texts) throws Exception {
        EngineConfig shared = sharedConfig(dir);
        EngineConfig single = single(dir);
        EngineConfig other = single(linkedCopy(dir));
        List<ModelBatch> recorded = Collections.synchronizedList(new ArrayList<>());
        try (PromptCompressor engine = PromptCompressor.open(shared)) {
            engine.modelBatchListener(recorded::add);
            for (String t : texts) {
                engine.compress(t);
            }
        }
        List<ModelBatch> calls = ModelOnlyCeiling.sortedCalls(ModelOnlyCeiling.sequences(recorded), 1);
        long tokens = calls.stream().mapToLong(ModelBatch::realTokens).sum();
        double sharedBest = 0;
        double twoBest = 0;
        try (ModelSession one = ModelSession.open(shared);
             ModelSession a = ModelSession.open(single); ModelSession b = ModelSession.open(other)) {
            List<Consumer<ModelBatch>> oneSession = lanes(one);
            List<Consumer<ModelBatch>> twoSessions = List.of(a::run, b::run);
            ModelOnlyCeiling.runConcurrently(calls, oneSession, new double[0]); // warm-up
            ModelOnlyCeiling.runConcurrently(calls, twoSessions, new double[0]);
            for (int r = 0; r < rounds; r++) {
                sharedBest = Math.max(sharedBest, tokensPerSecond(calls, oneSession, tokens));
                twoBest = Math.max(twoBest, tokensPerSecond(calls, twoSessions, tokens));
            }
        }
        long sharedKb = probeInFreshJvm("shared", dir);
        long twoKb = probeInFreshJvm("two", dir);
        return String.format(Locale.ROOT, "| %s | %.0f | %.0f | %.2f | %d | %d | %d |", id, sharedBest, twoBest,
                sharedBest / twoBest, sharedKb / 1024, twoKb / 1024, (twoKb - sharedKb) / 1024);
    }

    /** The two concurrent calls of {@code session}, which must have two. */
    private static List<Consumer<ModelBatch>> lanes(ModelSession session) {
        if (session.sessions() != 2) {
            throw new IllegalStateException("expected 2 concurrent calls, got " + session.sessions());
        }
        return List.of(b -> session.run(0, b), b -> session.run(1, b));
    }

    private static EngineConfig sharedConfig(Path dir) {
        // Two threads: the CPU plan's two calls of one thread each, whatever this machine's core count.
        return EngineConfig.builder(dir).executionProvider(ExecutionProvider.CPU).intraOpThreads(2).build();
    }

    private static EngineConfig single(Path dir) {
        return sharedConfig(dir).toBuilder().intraOpThreads(1).sessions(1).build();
    }

    /** {@code dir}'s files hard-linked into a sibling directory (once): another path, so another session. */
    private static Path linkedCopy(Path dir) throws IOException {
        Path copy = dir.resolveSibling(dir.getFileName() + "-unshared");
        if (Files.isDirectory(copy)) {
            return copy;
        }
        Path tmp = Files.createTempDirectory(dir.getParent(), dir.getFileName() + "-unshared-");
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (Files.isRegularFile(f)) {
                    Files.createLink(tmp.resolve(f.getFileName()), f);
                }
            }
        }
        Files.move(tmp, copy, StandardCopyOption.ATOMIC_MOVE);
        return copy;
    }

    /** Peak RSS (kB) of a fresh JVM that opens {@code layout}'s sessions of {@code dir} and runs them. */
    private static long probeInFreshJvm(String layout, Path dir) throws Exception {
        String javaCommand = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(javaCommand, "-cp", System.getProperty("java.class.path"),
                SessionSharingBenchmark.class.getName(), "--probe", layout, "--probe-model", dir.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0 || !out.contains("peak-kb ")) {
            throw new IllegalStateException("the memory probe of " + layout + " failed: " + out);
        }
        return Long.parseLong(out.substring(out.indexOf("peak-kb ") + 8).trim());
    }

    private static long probeLayout(String layout, Path dir) throws IOException {
        EngineConfig shared = sharedConfig(dir);
        List<ModelBatch> calls = new ArrayList<>();
        for (int length : PROBE_LENGTHS) {
            long[] ids = new long[length];
            long[] mask = new long[length];
            for (int i = 0; i < length; i++) {
                ids[i] = 1000 + (i * 7919L) % 5000;
                mask[i] = 1;
            }
            calls.add(new ModelBatch(ids, mask, 1, length, length, 0));
            calls.add(new ModelBatch(ids, mask, 1, length, length, 0));
        }
        PeakRss.reset();
        if (layout.equals("shared")) {
            try (ModelSession one = ModelSession.open(shared)) {
                ModelOnlyCeiling.runConcurrently(calls, lanes(one), new double[0]);
            }
        } else {
            try (ModelSession a = ModelSession.open(single(dir));
                 ModelSession b = ModelSession.open(single(linkedCopy(dir)))) {
                ModelOnlyCeiling.runConcurrently(calls, List.of(a::run, b::run), new double[0]);
            }
        }
        return PeakRss.peakBytes() / 1024;
    }

    private static double tokensPerSecond(List<ModelBatch> calls, List<Consumer<ModelBatch>> lanes, long tokens) {
        long t0 = System.nanoTime();
        ModelOnlyCeiling.runConcurrently(calls, lanes, new double[0]);
        return tokens / ((System.nanoTime() - t0) / 1e9);
    }
}
