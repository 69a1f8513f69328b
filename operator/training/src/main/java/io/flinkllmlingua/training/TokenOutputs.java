package io.flinkllmlingua.training;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs a model directory's {@code model.onnx} on one {@link TokenWindows.Window} at a time (batch 1, exact length:
 * no padding, so a token's output never depends on other texts) and returns one named output per token: the
 * encoder's hidden states for training, the classifier's logits for evaluation. CPU only; training and evaluation
 * are offline work.
 */
public final class TokenOutputs implements AutoCloseable {
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;
    private final String output;
    private final boolean typeIds;

    /**
     * @param output the graph output to return, e.g. {@code last_hidden_state} or {@code logits}
     * @param threads intra-op threads, 0 for ONNX Runtime's default
     */
    public TokenOutputs(Path modelDir, String output, int threads) {
        this(modelDir, List.of(output), threads);
    }

    /**
     * @param outputs the graph outputs to look for, in order of preference: the first one the graph has is returned
     */
    public TokenOutputs(Path modelDir, List<String> outputs, int threads) {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            if (threads > 0) {
                options.setIntraOpNumThreads(threads);
            }
            this.session = env.createSession(modelDir.resolve("model.onnx").toString(), options);
        } catch (OrtException e) {
            throw new IllegalArgumentException("cannot load " + modelDir.resolve("model.onnx") + ": "
                    + e.getMessage(), e);
        }
        String found = outputs.stream().filter(session.getOutputNames()::contains).findFirst().orElse(null);
        if (found == null) {
            String names = session.getOutputNames().toString();
            try {
                session.close();
            } catch (OrtException e) {
                // reporting the missing output matters more
            }
            throw new IllegalArgumentException(modelDir.resolve("model.onnx") + " has no output "
                    + String.join(" or ", outputs.stream().map(o -> "'" + o + "'").toList()) + " (outputs: " + names + ")");
        }
        this.output = found;
        this.typeIds = session.getInputNames().contains("token_type_ids");
    }

    /** The output this runs. */
    public String output() {
        return output;
    }

    /** The output's last dimension, when the graph declares it. */
    public Optional<Long> width() {
        try {
            NodeInfo info = session.getOutputInfo().get(output);
            long[] shape = ((ai.onnxruntime.TensorInfo) info.getInfo()).getShape();
            long last = shape[shape.length - 1];
            return last > 0 ? Optional.of(last) : Optional.empty();
        } catch (OrtException e) {
            return Optional.empty();
        }
    }

    /**
     * The output for the window's text tokens (the start and end tokens' rows are left out): {@code [count][width]}.
     */
    public float[][] run(TokenWindows.Window window) {
        int n = window.ids().length;
        long[][] ids = {window.ids()};
        long[][] mask = new long[1][n];
        java.util.Arrays.fill(mask[0], 1L);
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try {
            inputs.put("input_ids", OnnxTensor.createTensor(env, ids));
            inputs.put("attention_mask", OnnxTensor.createTensor(env, mask));
            if (typeIds) {
                inputs.put("token_type_ids", OnnxTensor.createTensor(env, new long[1][n]));
            }
            try (OrtSession.Result result = session.run(inputs, java.util.Set.of(output))) {
                OnnxValue value = result.get(0);
                float[][][] all = (float[][][]) value.getValue();
                float[][] rows = new float[window.count()][];
                System.arraycopy(all[0], 1, rows, 0, window.count());
                return rows;
            }
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed on a window of " + n + " tokens: "
                    + e.getMessage(), e);
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException(e);
        }
    }
}
