package io.flinkllmlingua.engine.internal;

import io.flinkllmlingua.engine.BatchPlan;
import io.flinkllmlingua.engine.BatchingStats;
import io.flinkllmlingua.engine.EngineClosedException;
import io.flinkllmlingua.engine.EngineConfig;
import io.flinkllmlingua.engine.EngineException;
import io.flinkllmlingua.engine.ModelBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Shares the model sessions of the batch plan between concurrent callers: requests are collected until the batch is
 * full (sequences or padded positions) or the oldest has waited {@code maxBatchWait}, sorted by length so that
 * similar lengths share a model call, and padded only to the longest member rounded up to the length bucket
 * (or to 512 for bit-parity with the reference). One worker thread per session runs the model; the workers form
 * their batches in turn from one list of pending sequences, so a long document's chunks spread over all sessions
 * and leftovers still run before anything queued later.
 *
 * <p>Close contract: the batcher owns the models it is given. {@link #close()} refuses new requests, completes every
 * request whose model call has not run with {@link EngineClosedException}, closes the models (which cancels the
 * running calls through ONNX Runtime's terminate flag, so their requests fail with {@link EngineClosedException} too,
 * and frees each session only once no call runs on it), and waits for the worker threads to end. Every future it handed out
 * is then complete.
 */
public final class MicroBatcher implements TokenScorer {
    private static final Logger LOG = LoggerFactory.getLogger(MicroBatcher.class);
    private static final int FULL_LENGTH = ModelInputEncoder.MAX_SEQUENCE;

    private final List<OnnxTokenClassifier> models;
    private final BatchPlan plan;
    private final int padId;
    private final int maxTokens;
    private final long maxWaitNanos;
    private final boolean padToFull;
    private final double minPaddingEfficiency;
    private final LinkedBlockingQueue<Request> queue = new LinkedBlockingQueue<>();
    /** Sequences taken from the queue and not yet in a model call; guarded by itself (one worker forms a batch at a time). */
    private final List<Item> pending = new ArrayList<>();
    private final List<Thread> workers = new ArrayList<>();
    /** Written under {@link #queue}'s monitor, so that no request is queued after the worker's last look. */
    private volatile boolean closed;

    private final AtomicLong batches = new AtomicLong();
    private final AtomicLong sequences = new AtomicLong();
    private final AtomicLong realTokens = new AtomicLong();
    private final AtomicLong paddedTokens = new AtomicLong();
    private final AtomicLong inferenceNanos = new AtomicLong();
    private final AtomicInteger queued = new AtomicInteger();
    private volatile Consumer<ModelBatch> batchListener;

    private static final class Request {
        final List<ModelInput> inputs;
        final float[][] results;
        final CompletableFuture<List<float[]>> done = new CompletableFuture<>();
        int remaining;

        Request(List<ModelInput> inputs) {
            this.inputs = inputs;
            this.results = new float[inputs.size()][];
            this.remaining = inputs.size();
        }
    }

    private static final class Item {
        final Request request;
        final int index;

        Item(Request request, int index) {
            this.request = request;
            this.index = index;
        }

        ModelInput input() {
            return request.inputs.get(index);
        }
    }

    /** A batcher over one session (the plan's session count does not apply). */
    public MicroBatcher(OnnxTokenClassifier model, int padId, EngineConfig config) {
        this(List.of(model), padId, config);
    }

    /** A batcher over {@code models}, one worker each ({@link OnnxTokenClassifier#openSessions}). */
    public MicroBatcher(List<OnnxTokenClassifier> models, int padId, EngineConfig config) {
        if (models.isEmpty()) {
            throw new IllegalArgumentException("no model session");
        }
        this.models = List.copyOf(models);
        this.padId = padId;
        OnnxTokenClassifier model = models.get(0);
        BatchPlan configured = config.batchPlan(model.provider());
        // The sessions in effect are the ones given (openSessions opens the configured plan's).
        this.plan = new BatchPlan(configured.maxSequences(), configured.lengthBucket(), models.size());
        this.maxTokens = config.maxBatchTokens();
        this.maxWaitNanos = config.maxBatchWait().toNanos();
        this.padToFull = config.padToMaxLength();
        // Padding to 512 is the point of padToFull, so the floor would only split calls for nothing.
        this.minPaddingEfficiency = padToFull ? 0 : config.minPaddingEfficiency();
        LOG.info("Batching on {}: {}{}", model.provider(), plan.describe(),
                config.maxBatchSequences() == 0 && config.lengthBucket() == 0 && config.sessions() == 0
                        ? " (the provider's plan)" : "");
        for (int i = 0; i < this.models.size(); i++) {
            OnnxTokenClassifier m = this.models.get(i);
            String name = this.models.size() == 1 ? "llmlingua-batcher" : "llmlingua-batcher-" + i;
            Thread t = new Thread(() -> run(m), name);
            t.setDaemon(true);
            workers.add(t);
        }
        workers.forEach(Thread::start);
    }

    @Override
    public List<float[]> score(List<ModelInput> inputs) {
        if (inputs.isEmpty()) {
            return List.of();
        }
        try {
            return submit(inputs).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EngineException("Interrupted while waiting for the model", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException) {
                throw (RuntimeException) cause;
            }
            throw new EngineException("Model call failed: " + cause, cause);
        }
    }

    /** Asynchronous variant: completes when every input is scored. */
    public CompletableFuture<List<float[]>> submit(List<ModelInput> inputs) {
        Request r = new Request(inputs);
        if (inputs.isEmpty()) {
            r.done.complete(List.of());
            return r.done;
        }
        synchronized (queue) {
            if (closed) {
                r.done.completeExceptionally(new EngineClosedException("the compressor is closed"));
                return r.done;
            }
            queued.addAndGet(inputs.size());
            queue.add(r);
        }
        return r.done;
    }

    private void run(OnnxTokenClassifier model) {
        while (!closed) {
            try {
                List<Item> batch = nextBatch();
                if (batch != null) {
                    runBatch(model, batch);
                }
            } catch (InterruptedException e) {
                if (closed) {
                    break;
                }
            } catch (Throwable t) {
                LOG.error("Batcher failure", t);
            }
        }
        EngineClosedException gone = notRun();
        synchronized (pending) {
            for (Item it : pending) {
                it.request.done.completeExceptionally(gone);
            }
            pending.clear();
        }
        failQueued();
    }

    /** The next model call's sequences, or null when nothing arrived for 100 ms. */
    private List<Item> nextBatch() throws InterruptedException {
        synchronized (pending) {
            if (closed) {
                return null;
            }
            if (pending.isEmpty()) {
                Request first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    return null;
                }
                addAll(pending, first);
                long deadline = System.nanoTime() + maxWaitNanos;
                while (pending.size() < plan.maxSequences()) {
                    long left = deadline - System.nanoTime();
                    Request next = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : queue.poll();
                    if (next == null) {
                        break;
                    }
                    addAll(pending, next);
                }
            }
            // Leftovers (of a large request, or short sequences cut off by the padding floor) run before anything
            // queued later is taken: topping them up with newer, longer sequences let them starve past the
            // operator's timeout, because every call takes the longest first.
            pending.sort(Comparator.comparingInt((Item it) -> it.input().length()).reversed());
            return takeBatch(pending);
        }
    }

    private static EngineClosedException notRun() {
        return new EngineClosedException("the compressor was closed before this request's model call ran");
    }

    private void failQueued() {
        EngineClosedException gone = notRun();
        Request r;
        while ((r = queue.poll()) != null) {
            r.done.completeExceptionally(gone);
        }
    }

    private void addAll(List<Item> pending, Request r) {
        for (int i = 0; i < r.inputs.size(); i++) {
            pending.add(new Item(r, i));
        }
    }

    /** Takes the longest items that fit the budgets and the padding-efficiency floor (at least one). */
    private List<Item> takeBatch(List<Item> pendingSortedDesc) {
        int[] lengths = new int[Math.min(pendingSortedDesc.size(), plan.maxSequences())];
        for (int i = 0; i < lengths.length; i++) {
            lengths[i] = pendingSortedDesc.get(i).input().length();
        }
        int n = BatchCut.size(lengths, lengths.length, plan.maxSequences(), maxTokens, minPaddingEfficiency, this::paddedLength);
        List<Item> batch = new ArrayList<>(pendingSortedDesc.subList(0, n));
        pendingSortedDesc.subList(0, n).clear();
        return batch;
    }

    private int paddedLength(int longest) {
        if (padToFull) {
            return FULL_LENGTH;
        }
        int bucket = plan.lengthBucket();
        int rounded = ((longest + bucket - 1) / bucket) * bucket;
        return Math.min(Math.max(rounded, longest), Math.max(FULL_LENGTH, longest));
    }

    private void runBatch(OnnxTokenClassifier model, List<Item> batch) {
        int rows = batch.size();
        int length = paddedLength(batch.get(0).input().length());
        long[] ids = new long[rows * length];
        long[] mask = new long[rows * length];
        Arrays.fill(ids, padId);
        long real = 0;
        for (int r = 0; r < rows; r++) {
            ModelInput in = batch.get(r).input();
            int off = r * length;
            for (int i = 0; i < in.length(); i++) {
                ids[off + i] = in.ids()[i];
                mask[off + i] = in.mask()[i] ? 1 : 0;
            }
            real += in.length();
        }
        long t0 = System.nanoTime();
        float[] probs;
        try {
            probs = model.keepProbabilities(ids, mask, rows, length);
        } catch (RuntimeException e) {
            for (Item it : batch) {
                it.request.done.completeExceptionally(e);
            }
            queued.addAndGet(-rows);
            return;
        }
        long nanos = System.nanoTime() - t0;
        inferenceNanos.addAndGet(nanos);
        Consumer<ModelBatch> listener = batchListener;
        if (listener != null) {
            // The output itself: each request gets its own copy of its rows below, after the listener has run.
            listener.accept(new ModelBatch(ids, mask, rows, length, real, nanos, probs));
        }
        batches.incrementAndGet();
        sequences.addAndGet(rows);
        realTokens.addAndGet(real);
        paddedTokens.addAndGet((long) rows * length);
        queued.addAndGet(-rows);
        for (int r = 0; r < rows; r++) {
            Item it = batch.get(r);
            Request req = it.request;
            float[] own = Arrays.copyOfRange(probs, r * length, r * length + it.input().length());
            // A request's chunks may finish on several workers: its result array and count under its own lock, the
            // completion (which runs the caller's continuation on this thread) outside it.
            List<float[]> all = null;
            synchronized (req) {
                if (req.done.isDone()) {
                    continue; // an earlier part of this request failed
                }
                req.results[it.index] = own;
                if (--req.remaining == 0) {
                    all = Arrays.asList(req.results);
                }
            }
            if (all != null) {
                req.done.complete(all);
            }
        }
    }

    /** Sees every model call after it ran (on its worker thread, so concurrently with several sessions); null to stop. For benchmarks. */
    public void batchListener(Consumer<ModelBatch> listener) {
        this.batchListener = listener;
    }

    /** The batching in effect (the provider's plan with the config's overrides). */
    public BatchPlan plan() {
        return plan;
    }

    public BatchingStats stats() {
        return new BatchingStats(batches.get(), sequences.get(), realTokens.get(), paddedTokens.get(),
                inferenceNanos.get(), Math.max(0, queued.get()));
    }

    /**
     * Refuses new requests, fails those not yet run, cancels the running model call and frees the model once it has
     * stopped, then waits for the worker. Idempotent.
     */
    @Override
    public void close() {
        synchronized (queue) {
            if (closed) {
                return;
            }
            closed = true;
        }
        failQueued();
        models.forEach(OnnxTokenClassifier::close);
        if (workers.contains(Thread.currentThread())) {
            return; // closed from a completion callback on a worker: the workers end when their calls return
        }
        boolean interrupted = false;
        for (Thread worker : workers) {
            while (worker.isAlive()) {
                try {
                    worker.join(10_000);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
                if (worker.isAlive()) {
                    LOG.warn("Closing the batcher: its worker {} has not stopped yet", worker.getName());
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

}
