package io.flinkllmlingua.engine;

import io.flinkllmlingua.engine.internal.ChunkSelection;
import io.flinkllmlingua.engine.internal.ChunkSelector;
import io.flinkllmlingua.engine.internal.ChunkWords;
import io.flinkllmlingua.engine.internal.ContextChunker;
import io.flinkllmlingua.engine.internal.CompressionTrace;
import io.flinkllmlingua.engine.internal.ContextSelector;
import io.flinkllmlingua.engine.internal.ForceTokenMap;
import io.flinkllmlingua.engine.internal.MicroBatcher;
import io.flinkllmlingua.engine.internal.ModelInput;
import io.flinkllmlingua.engine.internal.ModelInputEncoder;
import io.flinkllmlingua.engine.internal.ModelTokenizer;
import io.flinkllmlingua.engine.internal.OnnxTokenClassifier;
import io.flinkllmlingua.engine.internal.Percentile;
import io.flinkllmlingua.engine.internal.PlainWordSplitter;
import io.flinkllmlingua.engine.internal.ProbabilityOverride;
import io.flinkllmlingua.engine.internal.ReferenceFormat;
import io.flinkllmlingua.engine.internal.SpanRenderer;
import io.flinkllmlingua.engine.internal.SubstitutedText;
import io.flinkllmlingua.engine.internal.TokenCounter;
import io.flinkllmlingua.engine.internal.TokenScorer;
import io.flinkllmlingua.engine.internal.TokenizedText;
import io.flinkllmlingua.engine.internal.WordMerger;
import io.flinkllmlingua.engine.internal.WordProbability;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;
import java.util.function.Consumer;

/**
 * LLMLingua-2 prompt compression: the reference algorithm (microsoft/LLMLingua {@code compress_prompt_llmlingua2})
 * on ONNX Runtime and the HF tokenizer, stage by stage. Thread-safe: concurrent callers share the model sessions
 * through a micro-batcher. Close it to free native memory.
 *
 * <p>Close contract: {@link #close()} may be called from any thread at any time, also while requests run (a Flink
 * task that is cancelled or fails). It never frees native memory under a running call: it refuses new requests,
 * completes those whose model call has not run with {@link EngineClosedException}, cancels the running model calls
 * (ONNX Runtime's terminate flag; their requests fail with {@link EngineClosedException}) and frees each session once
 * its call has stopped, then waits for the stages that use the tokenizer (tokenization, selection) to finish before freeing
 * it. Every future of {@link #compressAsync} completes, normally or with {@link EngineClosedException}, provided
 * its executor still runs the tasks given to it (shut it down after closing the engine, not before, and not with
 * {@code shutdownNow}). Do not call it from inside one of those stages (it would wait for itself).
 */
public final class PromptCompressor implements AutoCloseable {
    private final ModelTokenizer tokenizer;
    private final TokenScorer scorer;
    private final List<OnnxTokenClassifier> models;
    private final MicroBatcher batcher;
    private final TokenCounter counter;
    private final ModelInputEncoder encoder;
    private final WordMerger merger;
    private final ChunkSelector selector;
    private final EngineConfig config;
    private volatile boolean closed;
    private final AtomicBoolean closing = new AtomicBoolean();
    /** Read-held by every stage that uses the tokenizer; {@link #close()} takes it to free the tokenizer. */
    private final ReentrantReadWriteLock tokenizerUse = new ReentrantReadWriteLock();

    private PromptCompressor(EngineConfig config, ModelTokenizer tokenizer, List<OnnxTokenClassifier> models,
                             MicroBatcher batcher, TokenScorer scorer, TokenCounter counter) {
        this.config = config;
        this.tokenizer = tokenizer;
        this.models = models;
        this.batcher = batcher;
        this.scorer = scorer;
        this.counter = counter;
        this.encoder = new ModelInputEncoder(tokenizer);
        this.merger = new WordMerger(tokenizer.rules(), tokenizer.specialTokens());
        this.selector = new ChunkSelector(counter);
    }

    /** Loads the model directory's tokenizer and the batch plan's ONNX Runtime sessions and starts the batcher. */
    public static PromptCompressor open(EngineConfig config) {
        ModelTokenizer tokenizer = ModelTokenizer.load(config.modelDir(), config.family());
        List<OnnxTokenClassifier> models;
        try {
            models = OnnxTokenClassifier.openSessions(config);
        } catch (RuntimeException e) {
            tokenizer.close();
            throw e;
        }
        int padId = tokenizer.idOf(tokenizer.inputPadToken());
        MicroBatcher batcher = new MicroBatcher(models, padId, config);
        return new PromptCompressor(config, tokenizer, models, batcher, batcher, new TokenCounter());
    }

    /** An engine over any scorer (used by tests that replay recorded probabilities). */
    static PromptCompressor withScorer(EngineConfig config, ModelTokenizer tokenizer, TokenScorer scorer) {
        return new PromptCompressor(config, tokenizer, List.of(), null, scorer, new TokenCounter());
    }

    public ModelFamily family() {
        return tokenizer.family();
    }

    public EngineConfig config() {
        return config;
    }

    /** The execution provider the model actually runs on. */
    public ExecutionProvider provider() {
        return models.isEmpty() ? ExecutionProvider.CPU : models.get(0).provider();
    }

    /** The batching in effect: the provider's {@link BatchPlan} with the config's overrides. */
    public BatchPlan batchPlan() {
        return batcher == null ? config.batchPlan(provider()) : batcher.plan();
    }

    public BatchingStats batchingStats() {
        return batcher == null ? new BatchingStats(0, 0, 0, 0, 0, 0) : batcher.stats();
    }

    /**
     * Hands every model call of the micro-batcher (the exact padded tensors) to {@code listener}, on the worker
     * thread of its session (concurrently where the plan has several: the listener must be thread-safe), until
     * called again with null. Meant for benchmarks that replay the engine's batches on the model
     * alone, and evaluations that compare two models' outputs; the listener must not modify the arrays it is
     * given. It copies nothing, so it costs nothing when unset.
     */
    public void modelBatchListener(Consumer<ModelBatch> listener) {
        if (batcher != null) {
            batcher.batchListener(listener);
        }
    }

    /** Compresses one text with default options. */
    public CompressionResult compress(String text) {
        return compress(List.of(text), CompressionOptions.defaults());
    }

    public CompressionResult compress(String text, CompressionOptions options) {
        return compress(List.of(text), options);
    }

    /** Compresses a list of contexts (the reference's list input). */
    public CompressionResult compress(List<String> contexts, CompressionOptions options) {
        return compress(contexts, options, null, null);
    }

    /** As {@link #compress(List, CompressionOptions)}, recording each stage's decisions into {@code trace}. */
    public CompressionResult compress(List<String> contexts, CompressionOptions options, CompressionTrace trace) {
        return compress(contexts, options, trace, null);
    }

    CompressionResult compress(List<String> contexts, CompressionOptions options, CompressionTrace trace,
                               ProbabilityOverride override) {
        Request r = new Request(contexts, options, trace, override);
        usingTokenizer(() -> {
            r.prepare();
            return r;
        });
        List<float[]> probs = r.modelNeeded ? scorer.score(r.modelInputs()) : List.of();
        return usingTokenizer(() -> {
            r.applyScores(probs);
            return r.result();
        });
    }

    /** Runs a stage that uses the tokenizer, unless the engine is closed; close() waits for running stages. */
    private <T> T usingTokenizer(Supplier<T> stage) {
        tokenizerUse.readLock().lock();
        try {
            if (closed) {
                throw new EngineClosedException("the compressor is closed");
            }
            return stage.get();
        } finally {
            tokenizerUse.readLock().unlock();
        }
    }

    /**
     * Asynchronous compression: tokenization and selection run on {@code executor}, the model call joins the shared
     * micro-batch without holding a thread while it waits. Failures complete the future exceptionally with
     * {@link InvalidRequestException} (bad input) or {@link EngineException}.
     */
    public CompletableFuture<CompressionResult> compressAsync(List<String> contexts, CompressionOptions options,
                                                              Executor executor) {
        return CompletableFuture.supplyAsync(() -> usingTokenizer(() -> {
            Request r = new Request(contexts, options, null, null);
            r.prepare();
            return r;
        }), executor).thenCompose(r -> {
            if (!r.modelNeeded) {
                return CompletableFuture.completedFuture(usingTokenizer(() -> {
                    r.applyScores(List.of());
                    return r.result();
                }));
            }
            CompletableFuture<List<float[]>> scores = batcher != null ? batcher.submit(r.modelInputs())
                    : CompletableFuture.supplyAsync(() -> scorer.score(r.modelInputs()), executor);
            return scores.thenApplyAsync(p -> usingTokenizer(() -> {
                r.applyScores(p);
                return r.result();
            }), executor);
        });
    }

    private static void validate(List<String> contexts) {
        if (contexts == null || contexts.isEmpty()) {
            throw new InvalidRequestException("at least one context is required");
        }
        for (int i = 0; i < contexts.size(); i++) {
            String c = contexts.get(i);
            if (c == null) {
                throw new InvalidRequestException("context " + i + " is null");
            }
            int bad = loneSurrogateIndex(c);
            if (bad >= 0) {
                throw new InvalidRequestException("context " + i + " contains a lone UTF-16 surrogate at index " + bad);
            }
        }
    }

    private static int loneSurrogateIndex(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                    continue;
                }
                return i;
            }
            if (Character.isLowSurrogate(c)) {
                return i;
            }
        }
        return -1;
    }

    /** One context after substitution and chunking. */
    private static final class PreparedContext {
        final String original;
        final SubstitutedText substituted;
        final TokenizedText tokens;
        final List<PreparedChunk> chunks = new ArrayList<>();

        PreparedContext(String original, SubstitutedText substituted, TokenizedText tokens) {
            this.original = original;
            this.substituted = substituted;
            this.tokens = tokens;
        }
    }

    private static final class PreparedChunk {
        final int firstToken;
        final int lastToken;
        final String text;
        final String[] pieces;
        final ModelInput input;
        ChunkWords words;
        int[] activePositions;

        PreparedChunk(int firstToken, int lastToken, String text, String[] pieces, ModelInput input) {
            this.firstToken = firstToken;
            this.lastToken = lastToken;
            this.text = text;
            this.pieces = pieces;
            this.input = input;
        }
    }

    /** The state of one call, stage by stage. */
    private final class Request {
        final List<String> contexts;
        final CompressionOptions options;
        final boolean spans;
        final CompressionTrace trace;
        final ProbabilityOverride override;
        int chunkSequence;
        final long started = System.nanoTime();
        long preparedAt;
        long scoredAt;
        List<PreparedChunk> scoredChunks;
        ForceTokenMap force;
        final List<PreparedContext> prepared = new ArrayList<>();
        int originTokens;
        boolean contextStage;
        double tokenRate;
        boolean[] contextKept;
        boolean modelNeeded;

        Request(List<String> contexts, CompressionOptions options, CompressionTrace trace,
                ProbabilityOverride override) {
            this.contexts = contexts;
            this.options = options;
            this.trace = trace;
            this.override = override;
            this.spans = options.renderMode() == RenderMode.ORIGINAL_SPANS;
        }

        void prepare() {
            validate(contexts);
            force = ForceTokenMap.build(options.forceTokens(), options.chunkEndTokens(), tokenizer::pieceCount);
            for (String c : contexts) {
                originTokens += counter.count(c, options.specialTokenPolicy());
            }
            for (String c : contexts) {
                SubstitutedText sub = spans ? SubstitutedText.tracked(c, force) : SubstitutedText.plain(c, force);
                TokenizedText toks = spans ? tokenizer.tokenizeWithSpans(sub.text())
                        : new TokenizedText(tokenizer.tokenize(sub.text()), null, null);
                PreparedContext pc = new PreparedContext(c, sub, toks);
                List<int[]> ranges = ContextChunker.chunk(toks.tokens(), force.chunkEndTokens());
                List<String> texts = new ArrayList<>(ranges.size());
                for (int[] range : ranges) {
                    texts.add(tokenizer.decode(Arrays.asList(toks.tokens()).subList(range[0], range[1] + 1)));
                }
                List<String[]> pieces = tokenizer.tokenizeAll(texts);
                for (int k = 0; k < ranges.size(); k++) {
                    pc.chunks.add(new PreparedChunk(ranges.get(k)[0], ranges.get(k)[1], texts.get(k), pieces.get(k),
                            encoder.encode(pieces.get(k))));
                }
                prepared.add(pc);
                if (trace != null) {
                    List<int[]> spansOfContext = new ArrayList<>();
                    for (PreparedChunk ch : pc.chunks) {
                        spansOfContext.add(new int[] {ch.firstToken, ch.lastToken + 1});
                    }
                    trace.chunkTokenSpans.add(spansOfContext);
                }
            }
            if (trace != null) {
                trace.tokenMap = force.mapping();
                trace.chunkEndTokens = new ArrayList<>(force.chunkEndTokens());
            }
            contextStage = options.useContextLevelFilter() && contexts.size() > 1;
            if (contextStage) {
                modelNeeded = true;
            } else {
                tokenRate = options.rate();
                if (options.targetToken() > 0) {
                    // The reference divides by zero here when the input has no tokens; nothing to compress then.
                    tokenRate = originTokens == 0 ? 1.0 : Math.min(options.targetToken() / originTokens, 1.0);
                }
                modelNeeded = reduceRate() > 0;
            }
            if (trace != null) {
                trace.tokenRate = tokenRate;
                trace.reduceRate = reduceRate();
            }
        }

        double reduceRate() {
            return options.useTokenLevelFilter() ? Math.max(0, 1 - tokenRate) : 0;
        }

        List<ModelInput> modelInputs() {
            preparedAt = System.nanoTime();
            List<ModelInput> inputs = new ArrayList<>();
            scoredChunks = new ArrayList<>();
            for (PreparedContext pc : prepared) {
                for (PreparedChunk ch : pc.chunks) {
                    inputs.add(ch.input);
                    scoredChunks.add(ch);
                }
            }
            return inputs;
        }

        void applyScores(List<float[]> probs) {
            if (scoredChunks == null) {
                preparedAt = System.nanoTime();
                scoredAt = preparedAt;
                return;
            }
            scoredAt = System.nanoTime();
            for (int i = 0; i < scoredChunks.size(); i++) {
                PreparedChunk ch = scoredChunks.get(i);
                ModelInput in = ch.input;
                float[] p = probs.get(i);
                int active = 0;
                for (boolean m : in.mask()) {
                    if (m) active++;
                }
                String[] tokens = new String[active];
                float[] activeProbs = new float[active];
                int[] positions = new int[active];
                int k = 0;
                for (int pos = 0; pos < in.length(); pos++) {
                    if (in.mask()[pos]) {
                        tokens[k] = tokenizer.tokenOf(in.ids()[pos]);
                        activeProbs[k] = p[pos];
                        positions[k] = pos;
                        k++;
                    }
                }
                ch.words = merger.merge(tokens, activeProbs, force, options.forceReserveDigit());
                ch.activePositions = positions;
            }
        }

        CompressionResult result() {
            CompressionResult partial = finish();
            long done = System.nanoTime();
            CompressionTimings timings = new CompressionTimings(preparedAt - started, scoredAt - preparedAt,
                    done - scoredAt, done - started);
            return new CompressionResult(partial.compressedPrompt(), partial.compressedPromptList(),
                    partial.originTokens(), partial.compressedTokens(), partial.ratio(), partial.ratePercent(),
                    partial.ratioText(), partial.rateText(), partial.savingText(), partial.wordLabels(),
                    partial.labeledOriginalPrompt(), partial.chunks(), timings);
        }

        CompressionResult finish() {
            if (contextStage) {
                selectContexts();
            }
            double reduce = reduceRate();
            if (trace != null) {
                trace.noModelPath = reduce <= 0;
            }
            if (modelNeeded && reduce > 0 && Percentile.tokenStageIndex(reduce) > 100 && anyChunkToSelect()) {
                // The reference's percentile 101 raises, but only once a chunk reaches it: an input without
                // tokens (or whose contexts are all dropped) gets its ordinary, empty result.
                throw new InvalidOptionsException("rate must be > 0 for an input that has tokens (rate 0, or "
                        + "target_token 0, leaves nothing to keep), got " + tokenRate);
            }
            List<String> outputs = new ArrayList<>();
            List<List<WordLabel>> labels = new ArrayList<>();
            Set<String> forceTokens = new HashSet<>(options.forceTokens());
            int compressedTokens = 0;
            int chunkCount = 0;
            for (int ci = 0; ci < prepared.size(); ci++) {
                PreparedContext pc = prepared.get(ci);
                chunkCount += pc.chunks.size();
                List<WordLabel> contextLabels = new ArrayList<>();
                if (contextStage && !contextKept[ci]) {
                    for (PreparedChunk ch : pc.chunks) {
                        for (String w : ch.words.words()) {
                            contextLabels.add(new WordLabel(tokenizer.rules().labelText(w), false));
                        }
                    }
                    labels.add(contextLabels);
                    continue;
                }
                String out;
                if (reduce <= 0) {
                    out = noModelOutput(pc, contextLabels);
                } else {
                    out = selectAndRender(pc, reduce, forceTokens, contextLabels);
                }
                outputs.add(out);
                labels.add(contextLabels);
                compressedTokens += counter.count(out, SpecialTokenPolicy.COUNT_AS_TEXT);
            }
            double ratio = ReferenceFormat.ratio(originTokens, compressedTokens);
            String labeled = null;
            if (options.returnWordLabel()) {
                StringBuilder sb = new StringBuilder();
                boolean first = true;
                for (List<WordLabel> ctx : labels) {
                    for (WordLabel wl : ctx) {
                        if (!first) {
                            sb.append(options.wordSep());
                        }
                        sb.append(wl.word()).append(options.labelSep()).append(wl.kept() ? '1' : '0');
                        first = false;
                    }
                }
                labeled = sb.toString();
            }
            return new CompressionResult(String.join("\n\n", outputs), List.copyOf(outputs), originTokens,
                    compressedTokens, ratio, ReferenceFormat.ratePercent(ratio), ReferenceFormat.ratioText(ratio),
                    ReferenceFormat.rateText(ratio), ReferenceFormat.savingText(originTokens, compressedTokens),
                    options.returnWordLabel() ? labels : null, labeled, chunkCount, CompressionTimings.ZERO);
        }

        /** True when a kept context has a chunk, i.e. the token stage computes at least one threshold. */
        private boolean anyChunkToSelect() {
            for (int ci = 0; ci < prepared.size(); ci++) {
                if ((!contextStage || contextKept[ci]) && !prepared.get(ci).chunks.isEmpty()) {
                    return true;
                }
            }
            return false;
        }

        private void selectContexts() {
            double[] scores = new double[prepared.size()];
            for (int ci = 0; ci < prepared.size(); ci++) {
                double sum = 0;
                int n = 0;
                for (PreparedChunk ch : prepared.get(ci).chunks) {
                    for (double p : ch.words.unforcedProbabilities()) {
                        sum += p;
                        n++;
                    }
                }
                // The reference divides by zero for a context without words; it ranks lowest here.
                scores[ci] = n == 0 ? 0.0 : sum / n;
            }
            if (override != null) {
                scores = override.contextScores(scores);
            }
            ContextSelector.Decision d = ContextSelector.select(scores, originTokens, options);
            contextKept = d.kept();
            int reserved = 0;
            for (int ci = 0; ci < prepared.size(); ci++) {
                if (contextKept[ci]) {
                    for (PreparedChunk ch : prepared.get(ci).chunks) {
                        reserved += counter.count(ch.text, SpecialTokenPolicy.COUNT_AS_TEXT);
                    }
                }
            }
            tokenRate = options.rate();
            if (options.targetToken() >= 0) {
                tokenRate = reserved == 0 ? 1.0 : Math.min(options.targetToken() / reserved, 1.0);
            }
            if (trace != null) {
                CompressionTrace.ContextStage cs = new CompressionTrace.ContextStage();
                cs.contextLevelRate = d.contextLevelRate();
                cs.percentileIndex = d.percentileIndex();
                cs.threshold = d.threshold();
                cs.scores = scores;
                cs.kept = contextKept;
                cs.reservedTokens = reserved;
                trace.contextStage = cs;
                trace.tokenRate = tokenRate;
                trace.reduceRate = reduceRate();
            }
        }

        private String noModelOutput(PreparedContext pc, List<WordLabel> labelsOut) {
            StringBuilder sb = new StringBuilder();
            for (PreparedChunk ch : pc.chunks) {
                String restored = force.restore(ch.text);
                sb.append(restored);
                for (String w : PlainWordSplitter.split(restored)) {
                    labelsOut.add(new WordLabel(w, true));
                }
            }
            if (spans) {
                return pc.original;
            }
            return sb.toString();
        }

        private String selectAndRender(PreparedContext pc, double reduce, Set<String> forceTokens,
                                       List<WordLabel> labelsOut) {
            StringBuilder out = new StringBuilder();
            SpanRenderer spanRenderer = spans ? new SpanRenderer(pc.original) : null;
            for (int chi = 0; chi < pc.chunks.size(); chi++) {
                PreparedChunk ch = pc.chunks.get(chi);
                ChunkWords words = ch.words;
                double[] wordProbs = WordProbability.of(words.pieceProbabilities(), options.tokenToWord());
                if (override != null) {
                    wordProbs = override.wordProbabilities(chunkSequence, words.words(), wordProbs);
                }
                chunkSequence++;
                ChunkSelection sel = selector.select(words.words(), wordProbs, reduce, forceTokens,
                        options.dropConsecutive());
                if (trace != null) {
                    traceChunk(pc, chi, ch, sel);
                }
                List<String> kept = new ArrayList<>();
                for (int i = 0; i < words.size(); i++) {
                    labelsOut.add(new WordLabel(tokenizer.rules().labelText(words.words().get(i)), sel.kept()[i]));
                    if (sel.kept()[i]) {
                        kept.add(words.words().get(i));
                    }
                }
                if (spans) {
                    spanRenderer.addChunk(pc.substituted, pc.tokens, ch.firstToken, ch.lastToken, ch.pieces,
                            ch.activePositions, words, sel.kept(), tokenizer.rules());
                } else {
                    out.append(tokenizer.decode(kept));
                }
            }
            return spans ? spanRenderer.render() : out.toString();
        }

        private void traceChunk(PreparedContext pc, int chunkIndex, PreparedChunk ch, ChunkSelection sel) {
            CompressionTrace.Chunk tc = new CompressionTrace.Chunk();
            tc.context = prepared.indexOf(pc);
            tc.chunk = chunkIndex;
            tc.text = ch.text;
            tc.pieces = ch.pieces.length;
            tc.percentileIndex = sel.percentileIndex();
            tc.threshold = sel.threshold();
            if (options.dropConsecutive()) {
                tc.dropConsecutiveIndex = Percentile.dropConsecutiveIndex(reduceRate());
                tc.dropConsecutiveThreshold = sel.dropConsecutiveThreshold();
            }
            for (int i = 0; i < ch.words.size(); i++) {
                String w = ch.words.words().get(i);
                int count = counter.countWord(w);
                tc.words.add(tokenizer.rules().labelText(w));
                tc.probabilities.add(sel.probabilities()[i]);
                tc.labels.add(sel.kept()[i]);
                tc.counts.add(count);
                tc.weighted += count;
            }
            trace.chunks.add(tc);
        }
    }

    /** Frees the model sessions and the tokenizer; see the class comment for what it waits for. Idempotent. */
    @Override
    public void close() {
        if (tokenizerUse.getReadHoldCount() > 0) {
            throw new IllegalStateException("PromptCompressor.close() called from one of its own stages");
        }
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        closed = true;
        try {
            scorer.close(); // the batcher: fails what has not run, cancels the running call, frees the model
        } finally {
            try {
                models.forEach(OnnxTokenClassifier::close); // already closed by the batcher; idempotent
            } finally {
                tokenizerUse.writeLock().lock(); // waits for the stages running now; later ones see closed
                try {
                    tokenizer.close();
                } finally {
                    tokenizerUse.writeLock().unlock();
                }
            }
        }
    }
}
