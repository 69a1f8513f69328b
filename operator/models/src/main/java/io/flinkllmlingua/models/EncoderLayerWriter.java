package io.flinkllmlingua.models;

import java.io.IOException;
import java.util.List;

/**
 * One post-LayerNorm BERT encoder layer (self-attention with the additive mask, exact-erf GELU feed-forward, two
 * residual LayerNorms) as ONNX nodes, the same for every graph this project writes; only where the weights come
 * from differs ({@link Weights}: random for {@link TinyModelGenerator}, a checkpoint's for {@link CheckpointGraph}).
 */
final class EncoderLayerWriter {
    private EncoderLayerWriter() {}

    /** The weights of one layer, by role ({@code attention.self.query}, ..., {@code output.LayerNorm}). */
    interface Weights {
        /** {@code x @ W + b} with {@code W} of {@code [in, out]}. */
        String dense(String role, String x, int in, int out) throws IOException;

        String layerNorm(String role, String x) throws IOException;
    }

    /**
     * The graph's shared constants: head split {@code [0, 0, heads, headDim]} and merge {@code [0, 0, hidden]}
     * shapes, {@code 1/sqrt(headDim)}, the additive attention bias {@code [B, 1, 1, S]}, and 1, 0.5, sqrt(2).
     */
    record Constants(String splitShape, String mergeShape, String scoreScale, String attentionBias, String one,
                     String half, String sqrt2) {}

    /** Writes layer nodes named {@code prefix + ...} on input {@code x}; returns the layer's output. */
    static String write(OnnxGraphWriter w, String prefix, String x, int hidden, int ffn, Constants c, Weights weights)
            throws IOException {
        String p = prefix;
        String q = weights.dense("attention.self.query", x, hidden, hidden);
        String k = weights.dense("attention.self.key", x, hidden, hidden);
        String v = weights.dense("attention.self.value", x, hidden, hidden);
        String qh = w.node("Transpose", p + "q_heads",
                List.of(w.node("Reshape", p + "q_split", List.of(q, c.splitShape()))),
                OnnxGraphWriter.intsAttr("perm", 0, 2, 1, 3));
        String kt = w.node("Transpose", p + "k_heads_t",
                List.of(w.node("Reshape", p + "k_split", List.of(k, c.splitShape()))),
                OnnxGraphWriter.intsAttr("perm", 0, 2, 3, 1));
        String vh = w.node("Transpose", p + "v_heads",
                List.of(w.node("Reshape", p + "v_split", List.of(v, c.splitShape()))),
                OnnxGraphWriter.intsAttr("perm", 0, 2, 1, 3));
        String scores = w.node("MatMul", p + "scores_raw", List.of(qh, kt));
        scores = w.node("Mul", p + "scores_scaled", List.of(scores, c.scoreScale()));
        scores = w.node("Add", p + "scores_masked", List.of(scores, c.attentionBias()));
        String probs = w.node("Softmax", p + "attention_probs", List.of(scores), OnnxGraphWriter.intAttr("axis", -1));
        String ctx = w.node("MatMul", p + "context_heads", List.of(probs, vh));
        ctx = w.node("Transpose", p + "context_t", List.of(ctx), OnnxGraphWriter.intsAttr("perm", 0, 2, 1, 3));
        ctx = w.node("Reshape", p + "context", List.of(ctx, c.mergeShape()));
        String att = weights.dense("attention.output.dense", ctx, hidden, hidden);
        x = w.node("Add", p + "attention.residual", List.of(att, x));
        x = weights.layerNorm("attention.output.LayerNorm", x);

        String inter = weights.dense("intermediate.dense", x, hidden, ffn);
        // Exact GELU as HF exports it: x * 0.5 * (1 + erf(x / sqrt(2))); ONNX Runtime fuses it into Gelu.
        String erf = w.node("Erf", p + "gelu.erf", List.of(w.node("Div", p + "gelu.div", List.of(inter, c.sqrt2()))));
        String gate = w.node("Add", p + "gelu.add", List.of(erf, c.one()));
        String gelu = w.node("Mul", p + "gelu.half", List.of(w.node("Mul", p + "gelu.mul", List.of(inter, gate)), c.half()));
        String out = weights.dense("output.dense", gelu, ffn, hidden);
        x = w.node("Add", p + "output.residual", List.of(out, x));
        return weights.layerNorm("output.LayerNorm", x);
    }
}
