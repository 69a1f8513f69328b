package io.flinkllmlingua.bench;

import io.flinkllmlingua.engine.ExecutionProvider;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the suite runs. Two presets: {@link #defaults()} (all four models, every path, every sweep; about 15 min
 * on a 2-core CPU) and {@link #quick()} (the tiny and MiniLM models, small counts, a couple of minutes).
 */
public final class SuiteSettings {
    /** The default run's models and chunks per model, in run order ({@code --models} syntax). */
    public static final String DEFAULT_MODELS = "tiny=200,minilm=64,minilm-int8=64,mbert-base-shape=8,"
            + "mbert-base-shape-int8=8,xlmr-large-shape=3,xlmr-large-shape-int8=3";
    public static final int DEFAULT_ROUNDS = 2;
    public static final int DEFAULT_SWEEP_RECORDS = 32;

    /** JSONL corpus ({@code text} field), e.g. {@code src/test-data/corpora/docs-en.jsonl} of the repository. */
    public Path corpus;
    /** Folder under which {@code <timestamp>/} is created. */
    public Path resultsRoot = Path.of("results");
    /** Cache of generated models ({@code models/}) and the installed Node peer ({@code bench-peer/}). */
    public Path cacheRoot = BenchModel.defaultCacheRoot();
    /** Where the Node peer is installed ({@code bench-peer/}); the user cache by default, so every run reuses it. */
    public Path peerCacheRoot = BenchModel.defaultCacheRoot();
    /** Chunks per model for the five paths, in run order. */
    public Map<BenchModel, Integer> records = new LinkedHashMap<>();
    /** Concurrent callers of the engine (path 2) and in-flight records per subtask of the job (path 3). */
    public int callers = 16;
    /** Max sequences per model call of paths 2 and 3; 0: the execution provider's plan (the product default). */
    public int maxBatch = 0;
    public int parallelism = 2;
    public double rate = 0.5;
    /** Force tokens of every path. Not "\n": the peer refuses force tokens its BERT tokenizer encodes to nothing. */
    public List<String> forceTokens = List.of(".", "?", "!");
    public ExecutionProvider provider = ExecutionProvider.AUTO;
    /** ONNX Runtime intra-op threads (0 = ORT's default, one per core). */
    public int threads = 0;
    /** ONNX Runtime sessions per engine (0 = the provider's plan: 2 on CPU, at most one per thread). */
    public int sessions = 0;
    /**
     * Chunks (paths 1 and 6: model calls) each path warms up on, repeated for at least two seconds
     * ({@link EngineThroughput#WARM_UP_NANOS}).
     */
    public int warmup = 1;
    /** Alternating rounds of paths 2 and 6 per model; each path reports its fastest round ({@link Rounds}). */
    public int rounds = DEFAULT_ROUNDS;
    public boolean flink = true;
    public boolean peer = true;
    public boolean naive = true;

    /** Model of the batch-size, sequence-length and parallelism sweeps; null skips them. */
    public BenchModel sweepModel = BenchModel.MINILM;
    public int sweepRecords = DEFAULT_SWEEP_RECORDS;
    public List<Integer> batchSizes = List.of(1, 4, 16, 64);
    /** Words per chunk of the sequence-length sweep. */
    public List<Integer> chunkWords = List.of(16, 64, 128, 256);
    public List<Integer> parallelisms = List.of(1, 2);
    /** Model of the input-size sweep; null skips it. */
    public BenchModel growthModel = BenchModel.TINY;
    public List<Long> documentBytes = List.of(1_000L, 10_000L, 100_000L, 1_000_000L, 5_000_000L, 10_000_000L);
    /** Sizes of {@link #documentBytes} also measured in the reference's render mode (REFERENCE against the product's). */
    public List<Long> referenceDocumentBytes = List.of(10_000L, 1_000_000L, 5_000_000L);

    /** Chunks of an int8 model's keep-agreement check against its fp32 model (the first of its chunks). */
    public int agreementTexts = 16;

    public static SuiteSettings defaults() {
        SuiteSettings s = new SuiteSettings();
        for (String entry : DEFAULT_MODELS.split(",")) {
            String[] kv = entry.split("=", 2);
            s.records.put(BenchModel.parse(kv[0]), Integer.parseInt(kv[1]));
        }
        return s;
    }

    public static SuiteSettings quick() {
        SuiteSettings s = new SuiteSettings();
        s.records.put(BenchModel.TINY, 64);
        s.records.put(BenchModel.MINILM, 32);
        s.records.put(BenchModel.MINILM_INT8, 32);
        s.agreementTexts = 8;
        s.batchSizes = List.of(1, 8, 32);
        s.chunkWords = List.of(32, 128, 256);
        s.documentBytes = List.of(1_000L, 10_000L, 100_000L);
        s.referenceDocumentBytes = List.of(10_000L, 100_000L);
        return s;
    }
}
