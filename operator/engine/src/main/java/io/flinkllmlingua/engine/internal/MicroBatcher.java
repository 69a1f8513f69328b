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
 * Shares one model session between concurrent callers: requests are collected until the batch is full
 * (sequences or padded positions) or the oldest has waited {@code maxBatchWait}, sorted by length so that
 * similar lengths share a model call, and padded only to the longest member rounded up to the length bucket
 * (or to 512 for bit-parity with the reference). One worker thread runs the model.
 *
 * <p>Close contract: the batcher owns the model it is given. {@link #close()} refuses new requests, completes every
 * request whose model call has not run with {@link EngineClosedException}, closes the model (which cancels the
 * running call through ONNX Runtime's terminate flag, so its requests fail with {@link EngineClosedException} too,
 * and frees the session only once no call runs), and waits for the worker thread to end. Every future it handed out
 * is then complete.
 */
public final class MicroBatcher implements TokenScorer {
    private static final Logger LOG = LoggerFactory.getLogger(MicroBatcher.class);
    private static final int FULL_LENGTH = ModelInputEncoder.MAX_SEQUENCE;

    private final OnnxTokenClassifier model;
    private final BatchPlan plan;
    private final int padId;
    private final int maxSequences;
    private final int maxTokens;
    private final long maxWaitNanos;
    private final int bucket;
    private final boolean padToFull;
    private final double minPaddingEfficiency;
    private final LinkedBlockingQueue<Request> queue = new LinkedBlockingQueue<>();
    private final Thread worker;
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

    public MicroBatcher(OnnxTokenClassifier model, int padId, EngineConfig config) {
        this.model = model;
        this.padId = padId;
        BatchPlan plan = config.batchPlan(model.provider());
        this.plan = plan;
        this.maxSequences = plan.maxSequences();
        this.maxTokens = config.maxBatchTokens();
        this.maxWaitNanos = config.maxBatchWait().toNanos();
        this.bucket = plan.lengthBucket();
        this.padToFull = config.padToMaxLength();
        // Padding to 512 is the point of padToFull, so the floor would only split calls for nothing.
        this.minPaddingEfficiency = padToFull ? 0 : config.minPaddingEfficiency();
        LOG.info("Batching on {}: {}{}", model.provider(), plan.describe(),
                config.maxBatchSequences() == 0 && config.lengthBucket() == 0 ? " (the provider's plan)" : "");
        this.worker = new Thread(this::run, "llmlingua-batcher");
        this.worker.setDaemon(true);
        this.worker.start();
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

    private void run() {
        List<Item> pending = new ArrayList<>();
        while (!closed) {
            try {
                if (pending.isEmpty()) {
                    Request first = queue.poll(100, TimeUnit.MILLISECONDS);
                    if (first == null) {
                        continue;
                    }
                    addAll(pending, first);
                    long deadline = System.nanoTime() + maxWaitNanos;
                    while (pending.size() < maxSequences) {
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
                List<Item> batch = takeBatch(pending);
                runBatch(batch);
            } catch (InterruptedException e) {
                if (closed) {
                    break;
                }
            } catch (Throwable t) {
                LOG.error("Batcher failure", t);
            }
        }
        EngineClosedException gone = notRun();
        for (Item it : pending) {
            it.request.done.completeExceptionally(gone);
        }
        failQueued();
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
        int[] lengths = new int[Math.min(pendingSortedDesc.size(), maxSequences)];
        for (int i = 0; i < lengths.length; i++) {
            lengths[i] = pendingSortedDesc.get(i).input().length();
        }
        int n = BatchCut.size(lengths, lengths.length, maxSequences, maxTokens, minPaddingEfficiency, this::paddedLength);
        List<Item> batch = new ArrayList<>(pendingSortedDesc.subList(0, n));
        pendingSortedDesc.subList(0, n).clear();
        return batch;
    }

    private int paddedLength(int longest) {
        if (padToFull) {
            return FULL_LENGTH;
        }
        int rounded = ((longest + bucket - 1) / bucket) * bucket;
        return Math.min(Math.max(rounded, longest), Math.max(FULL_LENGTH, longest));
    }

    private void runBatch(List<Item> batch) {
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
            if (req.done.isDone()) {
                continue; // an earlier part of this request failed
            }
            req.results[it.index] = Arrays.copyOfRange(probs, r * length, r * length + it.input().length());
            if (--req.remaining == 0) {
                req.done.complete(Arrays.asList(req.results));
            }
        }
    }

    /** Sees every model call after it ran (on the batcher thread); null to stop. For benchmarks. */
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
        model.close();
        if (Thread.currentThread() == worker) {
            return; // closed from a completion callback on the worker: it ends when the callback returns
        }
        boolean interrupted = false;
        while (worker.isAlive()) {
            try {
                worker.join(10_000);
            } catch (InterruptedException e) {
                interrupted = true;
            }
            if (worker.isAlive()) {
                LOG.warn("Closing the batcher: its worker has not stopped yet");
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

}
