package io.flinkllmlingua.engine.internal;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.flinkllmlingua.engine.BatchPlan;
import io.flinkllmlingua.engine.EngineClosedException;
import io.flinkllmlingua.engine.EngineConfig;
import io.flinkllmlingua.engine.EngineException;
import io.flinkllmlingua.engine.ExecutionProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An ONNX Runtime session of a token-classification model. Input and output names are read from the graph:
 * {@code input_ids}, {@code attention_mask}, {@code token_type_ids} only where the graph has it (all zeros, as the
 * reference never passes it), and the first output as logits {@code [batch, sequence, 2]} (float32 or float16).
 * Runs one padded batch per call; calls may run concurrently ({@link OrtSession#run} is thread-safe), each on its
 * caller's thread where the session has one intra-op thread.
 *
 * <p>Close contract: freeing the session while {@code run} executes crashes the JVM (SIGSEGV in ONNX Runtime), so
 * every call runs with its own {@link OrtSession.RunOptions}, registered while it runs. {@link #close()} refuses new
 * calls ({@link EngineClosedException}), sets the terminate flag of each running call (ONNX Runtime stops it between
 * graph nodes and the call fails with {@link EngineClosedException}), waits until no call is running, and only then
 * frees the session, or gives up its claim on a shared one ({@link SharedSessions}: the last claim frees it; the calls
 * of the other holders are not touched). Nothing else frees native memory.
 */
public final class OnnxTokenClassifier implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OnnxTokenClassifier.class);

    private final OrtEnvironment env;
    private final OrtSession session;
    /** The claim on a shared session ({@link SharedSessions}), or null for a session of this classifier alone. */
    private final SharedSessions.Lease lease;
    private final ExecutionProvider provider;
    private final String idsName;
    private final String maskName;
    private final String typeIdsName;
    private final boolean int32Inputs;
    private final String logitsName;
    /** The run options of the calls running now; guarded by itself. */
    private final Set<OrtSession.RunOptions> running = Collections.newSetFromMap(new IdentityHashMap<>());
    private boolean closed;

    public OnnxTokenClassifier(EngineConfig config) {
        Path modelFile = config.modelDir().resolve(config.modelFile());
        if (!Files.isRegularFile(modelFile)) {
            throw new EngineException("No " + config.modelFile() + " in model directory " + config.modelDir());
        }
        this.env = OrtEnvironment.getEnvironment();
        ExecutionProvider wanted = expectedProvider(config);
        OrtSession s;
        ExecutionProvider got;
        SharedSessions.Lease lease = null;
        try {
            if (SharedSessions.shareable(wanted, config.intraOpThreads())) {
                lease = SharedSessions.acquire(SharedSessions.Key.of(modelFile, config),
                        () -> open(config, modelFile, wanted));
                s = lease.session();
            } else {
                s = open(config, modelFile, wanted);
            }
            got = wanted;
        } catch (java.io.IOException e) {
            throw new EngineException("Cannot read model " + modelFile + ": " + e.getMessage(), e);
        } catch (OrtException | RuntimeException e) {
            if (config.executionProvider() == ExecutionProvider.AUTO && wanted != ExecutionProvider.CPU) {
                LOG.warn("Could not start ONNX Runtime with {} on device {} ({}); falling back to CPU",
                        wanted, config.deviceId(), e.getMessage());
                try {
                    s = open(config, modelFile, ExecutionProvider.CPU);
                } catch (OrtException e2) {
                    throw new EngineException("Cannot load model " + modelFile + ": " + e2.getMessage(), e2);
                }
                got = ExecutionProvider.CPU;
            } else {
                throw new EngineException("Cannot load model " + modelFile + " with " + wanted + ": " + e.getMessage(), e);
            }
        }
        this.session = s;
        this.lease = lease;
        this.provider = got;
        try {
            Map<String, NodeInfo> inputs = session.getInputInfo();
            this.idsName = requireInput(inputs.keySet(), "input_ids");
            this.maskName = requireInput(inputs.keySet(), "attention_mask");
            this.typeIdsName = inputs.containsKey("token_type_ids") ? "token_type_ids" : null;
            for (String name : inputs.keySet()) {
                if (!name.equals(idsName) && !name.equals(maskName) && !name.equals(typeIdsName)) {
                    throw new EngineException("Model input '" + name + "' is not supported (expected input_ids, "
                            + "attention_mask and optionally token_type_ids)");
                }
            }
            TensorInfo idsInfo = (TensorInfo) inputs.get(idsName).getInfo();
            this.int32Inputs = idsInfo.type == OnnxJavaType.INT32;
            this.logitsName = session.getOutputNames().contains("logits")
                    ? "logits" : session.getOutputNames().iterator().next();
        } catch (OrtException | RuntimeException e) {
            freeQuietly();
            if (e instanceof RuntimeException) {
                throw (RuntimeException) e;
            }
            throw new EngineException("Cannot inspect model " + modelFile + ": " + e.getMessage(), e);
        }
        if (lease != null && lease.holdersAtAcquire() > 1) {
            LOG.info("Sharing the CPU session of {} (one copy of the weights) with {} other one-thread session(s)",
                    modelFile, lease.holdersAtAcquire() - 1);
        } else {
            LOG.info("Loaded {} on {} (inputs {}, {}{}, output {}{})", modelFile, provider, idsName, maskName,
                    typeIdsName != null ? ", " + typeIdsName : "", logitsName,
                    lease != null ? "; shared with later one-thread sessions of the same file" : "");
        }
    }

    /** The provider a session of {@code config} tries first: AUTO is CUDA where an NVIDIA GPU is present. */
    static ExecutionProvider expectedProvider(EngineConfig config) {
        ExecutionProvider wanted = config.executionProvider();
        if (wanted == ExecutionProvider.AUTO) {
            return GpuDetector.nvidiaGpuPresent() ? ExecutionProvider.CUDA : ExecutionProvider.CPU;
        }
        return wanted;
    }

    /**
     * The sessions of {@code config}'s batch plan ({@link EngineConfig#batchPlan}), each with its share of the
     * threads ({@link EngineConfig#threadsPerSession}), all on the provider the first one got; on CPU, sessions of one
     * thread are classifiers of one shared ONNX Runtime session ({@link SharedSessions}). Where AUTO fell back to
     * CPU, the sessions are reopened with the CPU plan.
     */
    public static List<OnnxTokenClassifier> openSessions(EngineConfig config) {
        ExecutionProvider expected = expectedProvider(config);
        BatchPlan plan = config.batchPlan(expected);
        EngineConfig each = config.toBuilder().intraOpThreads(config.threadsPerSession(plan)).build();
        OnnxTokenClassifier first = new OnnxTokenClassifier(each);
        if (first.provider() != expected) {
            EngineConfig cpu = config.toBuilder().executionProvider(first.provider()).build();
            BatchPlan cpuPlan = cpu.batchPlan(first.provider());
            if (cpuPlan.sessions() != plan.sessions() || cpu.threadsPerSession(cpuPlan) != each.intraOpThreads()) {
                first.close();
                return openSessions(cpu);
            }
        }
        List<OnnxTokenClassifier> sessions = new ArrayList<>(List.of(first));
        EngineConfig rest = each.toBuilder().executionProvider(first.provider()).build();
        try {
            while (sessions.size() < plan.sessions()) {
                sessions.add(new OnnxTokenClassifier(rest));
            }
        } catch (RuntimeException e) {
            sessions.forEach(OnnxTokenClassifier::close);
            throw e;
        }
        if (sessions.size() > 1) {
            LOG.info("{} sessions of {} on {}, {} intra-op thread(s) each", sessions.size(), config.modelFile(),
                    first.provider(), each.intraOpThreads());
        }
        return List.copyOf(sessions);
    }

    private void freeQuietly() {
        try {
            free();
        } catch (OrtException ignored) {
            // already failing
        }
    }

    /** Frees this classifier's session, or its claim on a shared one. */
    private void free() throws OrtException {
        if (lease != null) {
            lease.release();
        } else {
            session.close();
        }
    }

    /** Whether this classifier and {@code other} run their calls on the same ONNX Runtime session. */
    public boolean sharesSessionWith(OnnxTokenClassifier other) {
        return session == other.session;
    }

    private static String requireInput(Set<String> names, String name) {
        if (!names.contains(name)) {
            throw new EngineException("Model has no '" + name + "' input (inputs: " + names + ")");
        }
        return name;
    }

    private OrtSession open(EngineConfig config, Path modelFile, ExecutionProvider p) throws OrtException {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            if (config.intraOpThreads() > 0) {
                options.setIntraOpNumThreads(config.intraOpThreads());
            }
            if (config.interOpThreads() > 0) {
                options.setInterOpNumThreads(config.interOpThreads());
            }
            options.setOptimizationLevel(toOrt(config.optimizationLevel()));
            switch (p) {
                case CUDA:
                    options.addCUDA(config.deviceId());
                    break;
                case TENSORRT:
                    options.addTensorrt(config.deviceId());
                    options.addCUDA(config.deviceId());
                    break;
                default:
                    break;
            }
            // Loading by path lets ORT find external data (model.onnx_data) next to the graph.
            return env.createSession(modelFile.toString(), options);
        }
    }

    private static OrtSession.SessionOptions.OptLevel toOrt(EngineConfig.OptimizationLevel level) {
        switch (level) {
            case NONE:
                return OrtSession.SessionOptions.OptLevel.NO_OPT;
            case BASIC:
                return OrtSession.SessionOptions.OptLevel.BASIC_OPT;
            case EXTENDED:
                return OrtSession.SessionOptions.OptLevel.EXTENDED_OPT;
            default:
                return OrtSession.SessionOptions.OptLevel.ALL_OPT;
        }
    }

    /** The provider the session actually runs on. */
    public ExecutionProvider provider() {
        return provider;
    }

    /**
     * Runs one batch.
     *
     * @param ids row-major {@code [rows, length]} token ids (padding included)
     * @param mask row-major attention mask (1 real, 0 padding)
     * @return row-major keep probabilities {@code [rows, length]}
     */
    public float[] keepProbabilities(long[] ids, long[] mask, int rows, int length) {
        OrtSession.RunOptions runOptions = startRun();
        try {
            return run(ids, mask, rows, length, runOptions);
        } finally {
            endRun(runOptions);
        }
    }

    /** Registers a call, or refuses it once closing has begun. */
    private OrtSession.RunOptions startRun() {
        synchronized (running) {
            if (closed) {
                throw new EngineClosedException("the model session is closed");
            }
            try {
                OrtSession.RunOptions o = new OrtSession.RunOptions();
                running.add(o);
                return o;
            } catch (OrtException e) {
                throw new EngineException("Cannot create ONNX Runtime run options: " + e.getMessage(), e);
            }
        }
    }

    private void endRun(OrtSession.RunOptions runOptions) {
        synchronized (running) {
            running.remove(runOptions);
            // Closed under the lock: close() may be setting its terminate flag right now.
            runOptions.close();
            running.notifyAll();
        }
    }

    private float[] run(long[] ids, long[] mask, int rows, int length, OrtSession.RunOptions runOptions) {
        long[] shape = {rows, length};
        Map<String, OnnxTensor> feed = new HashMap<>();
        try {
            feed.put(idsName, tensor(ids, shape));
            feed.put(maskName, tensor(mask, shape));
            if (typeIdsName != null) {
                feed.put(typeIdsName, tensor(new long[ids.length], shape));
            }
            try (OrtSession.Result result = session.run(feed, Set.of(logitsName), runOptions)) {
                OnnxTensor logits = (OnnxTensor) result.get(0);
                long[] outShape = ((TensorInfo) logits.getInfo()).getShape();
                if (outShape.length != 3 || outShape[0] != rows || outShape[1] != length || outShape[2] != 2) {
                    throw new EngineException("Model output '" + logitsName + "' has shape "
                            + java.util.Arrays.toString(outShape) + ", expected [" + rows + ", " + length + ", 2]");
                }
                FloatBuffer fb = logits.getFloatBuffer();
                float[] out = new float[rows * length];
                for (int i = 0; i < out.length; i++) {
                    double l0 = fb.get(2 * i);
                    double l1 = fb.get(2 * i + 1);
                    // softmax(...)[1] for two classes, rounded to float32 like the reference's tensor.
                    out[i] = (float) (1.0 / (1.0 + Math.exp(l0 - l1)));
                }
                return out;
            }
        } catch (OrtException e) {
            if (isClosed()) {
                throw new EngineClosedException("the model call was cancelled (" + e.getMessage() + ")");
            }
            throw new EngineException("ONNX Runtime inference failed: " + e.getMessage(), e);
        } finally {
            for (OnnxTensor t : feed.values()) {
                t.close();
            }
        }
    }

    private OnnxTensor tensor(long[] values, long[] shape) throws OrtException {
        if (int32Inputs) {
            int[] ints = new int[values.length];
            for (int i = 0; i < ints.length; i++) {
                ints[i] = (int) values[i];
            }
            return OnnxTensor.createTensor(env, IntBuffer.wrap(ints), shape);
        }
        return OnnxTensor.createTensor(env, LongBuffer.wrap(values), shape);
    }

    private boolean isClosed() {
        synchronized (running) {
            return closed;
        }
    }

    /**
     * Refuses new calls, cancels the running ones through their run options, waits until none runs, then frees the
     * session. Idempotent; safe from any thread but one running a call.
     */
    @Override
    public void close() {
        synchronized (running) {
            if (closed) {
                return;
            }
            closed = true;
            for (OrtSession.RunOptions o : running) {
                try {
                    o.setTerminate(true);
                } catch (OrtException e) {
                    LOG.warn("Could not cancel a running model call: {}", e.getMessage());
                }
            }
            boolean interrupted = false;
            long waitingSince = System.nanoTime();
            while (!running.isEmpty()) {
                try {
                    running.wait(1000);
                } catch (InterruptedException e) {
                    interrupted = true; // the session must not be freed under a running call: keep waiting
                }
                if (!running.isEmpty() && System.nanoTime() - waitingSince > 10_000_000_000L) {
                    LOG.warn("Closing the model session: still waiting for {} model call(s) to stop", running.size());
                    waitingSince = System.nanoTime();
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            free();
        } catch (OrtException e) {
            LOG.warn("Closing the ONNX Runtime session failed: {}", e.getMessage());
        }
    }
}
