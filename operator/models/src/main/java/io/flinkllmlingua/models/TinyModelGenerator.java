package io.flinkllmlingua.models;

import ai.onnx.proto.OnnxMl.ModelProto;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Generates small deterministic BERT-shaped token-classification models (random weights, meaningless keep
 * decisions) with a matching Hugging Face {@code tokenizer.json}, for both LLMLingua-2 model families.
 *
 * <p>The graph: word embedding Gather + position embedding (positions {@code 0..S-1}, at most 512)
 * (+ token-type embedding for {@link GeneratedFamily#WORDPIECE}) -> LayerNormalization -> N post-LN encoder layers
 * (multi-head self-attention with the attention mask turned into an additive -10000 bias, residual, LayerNorm,
 * feed-forward with the exact (erf) GELU, residual, LayerNorm) -> MatMul(hidden x 2) + Add named {@code logits}
 * ({@code float32 [batch, sequence, 2]}). Batch and sequence axes are dynamic. The word embedding has
 * {@code base + 100} rows so the engine's placeholder ids {@code [NEW0]..[NEW99]} = {@code base + i} are valid.
 *
 * <p>Every weight tensor draws from its own {@link SplittableRandom} seeded from the spec's seed and the tensor's
 * name, so the same spec always gives a byte-identical {@code model.onnx}. Weights are uniform with
 * variance-preserving scales; the classifier is scaled so logits land around +-3 and keep probabilities spread over
 * (0, 1).
 */
public final class TinyModelGenerator {
    public static final String MODEL_FILE = "model.onnx";
    public static final String EXTERNAL_DATA_FILE = "model.onnx_data";
    public static final String TOKENIZER_FILE = "tokenizer.json";
    public static final String NOTE = "Generated test model (flink-llmlingua TinyModelGenerator): random weights, "
            + "the keep decisions are meaningless; for tests and benchmarks only, not LLMLingua-2.";

    private static final long AUTO_EXTERNAL_BYTES = 1L << 30;
    private static final float LN_EPSILON = 1e-12f;

    private TinyModelGenerator() {}

    /** {@code generate(dir, ModelSpec.tiny(family))}. */
    public static GeneratedModel generateTiny(Path dir, GeneratedFamily family) throws IOException {
        return generate(dir, ModelSpec.tiny(family));
    }

    /**
     * Writes {@code model.onnx} (and {@code model.onnx_data} with external weights), {@code tokenizer.json},
     * {@code tokenizer_config.json} and {@code config.json} into {@code dir} (created if missing; existing files
     * of those names are replaced).
     */
    public static GeneratedModel generate(Path dir, ModelSpec spec) throws IOException {
        long t0 = System.nanoTime();
        Files.createDirectories(dir);
        GeneratedVocabulary vocab = GeneratedVocabulary.of(spec.family(), spec.vocabSize());
        int base = vocab.size();
        int rows = base + ModelSpec.PLACEHOLDER_ROWS;
        boolean external = spec.weightStorage() == ModelSpec.WeightStorage.EXTERNAL
                || (spec.weightStorage() == ModelSpec.WeightStorage.AUTO
                    && spec.parameterCount(base) * 4 > AUTO_EXTERNAL_BYTES);
        Path externalFile = dir.resolve(EXTERNAL_DATA_FILE);
        Files.deleteIfExists(externalFile);

        TokenizerFiles.write(dir, spec.family(), vocab);

        ModelProto model;
        long parameters;
        long externalBytes;
        try (OnnxGraphWriter w = new OnnxGraphWriter("generated_" + spec.family().name().toLowerCase(),
                external ? externalFile : null)) {
            buildGraph(w, spec, rows);
            parameters = w.parameterCount();
            externalBytes = w.externalBytes();
            model = w.buildModel("flink-llmlingua TinyModelGenerator", NOTE, List.of(
                    OnnxGraphWriter.entry("family", spec.family().name()),
                    OnnxGraphWriter.entry("seed", Long.toString(spec.seed())),
                    OnnxGraphWriter.entry("base_vocab_size", Integer.toString(base))));
        }
        Path modelFile = dir.resolve(MODEL_FILE);
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(modelFile), 1 << 16)) {
            model.writeTo(out);
        }
        writeConfig(dir, spec, vocab, rows);
        long millis = (System.nanoTime() - t0) / 1_000_000;
        return new GeneratedModel(dir, spec, base, rows, parameters, Files.size(modelFile),
                external ? externalFile : null, externalBytes, millis);
    }

    private static void buildGraph(OnnxGraphWriter w, ModelSpec spec, int rows) throws IOException {
        boolean wordPiece = spec.family() == GeneratedFamily.WORDPIECE;
        int h = spec.hidden();
        int heads = spec.heads();
        int headDim = h / heads;
        long seed = spec.seed();
        Object[] bs = {"batch", "sequence"};
        String ids = "input_ids";
        String mask = "attention_mask";
        w.input(ids, OnnxGraphWriter.INT64, bs);
        w.input(mask, OnnxGraphWriter.INT64, bs);
        String typeIds = null;
        if (wordPiece) {
            typeIds = "token_type_ids";
            w.input(typeIds, OnnxGraphWriter.INT64, bs);
        }

        // Shared constants.
        String scalar0 = w.longConstant("const_zero_i64", new long[0], 0);
        String scalar1 = w.longConstant("const_one_i64", new long[0], 1);
        String one = w.floatConstant("const_one_f", new long[0], 1f);
        String half = w.floatConstant("const_half_f", new long[0], 0.5f);
        String sqrt2 = w.floatConstant("const_sqrt2_f", new long[0], (float) Math.sqrt(2.0));
        String maskFill = w.floatConstant("const_mask_fill_f", new long[0], -10000f);
        String scoreScale = w.floatConstant("const_score_scale_f", new long[0], (float) (1.0 / Math.sqrt(headDim)));
        String splitShape = w.longConstant("const_split_heads_shape", new long[] {4}, 0, 0, heads, headDim);
        String mergeShape = w.longConstant("const_merge_heads_shape", new long[] {3}, 0, 0, h);
        String maskAxes = w.longConstant("const_mask_axes", new long[] {2}, 1, 2);

        // Embeddings.
        String wordEmb = w.weights("embeddings.word_embeddings.weight", new long[] {rows, h}, uniform(seed,
                "embeddings.word_embeddings.weight", 1.0));
        String posEmb = w.weights("embeddings.position_embeddings.weight", new long[] {ModelSpec.MAX_POSITIONS, h},
                uniform(seed, "embeddings.position_embeddings.weight", 0.5));
        String x = w.node("Gather", "embeddings.words", List.of(wordEmb, ids), OnnxGraphWriter.intAttr("axis", 0));
        String shape = w.node("Shape", "embeddings.input_shape", List.of(ids));
        String seqLen = w.node("Gather", "embeddings.seq_len", List.of(shape, scalar1), OnnxGraphWriter.intAttr("axis", 0));
        String positions = w.node("Range", "embeddings.position_ids", List.of(scalar0, seqLen, scalar1));
        String pos = w.node("Gather", "embeddings.positions", List.of(posEmb, positions), OnnxGraphWriter.intAttr("axis", 0));
        x = w.node("Add", "embeddings.sum_pos", List.of(x, pos));
        if (wordPiece) {
            String typeEmb = w.weights("embeddings.token_type_embeddings.weight", new long[] {2, h},
                    uniform(seed, "embeddings.token_type_embeddings.weight", 0.5));
            String tt = w.node("Gather", "embeddings.token_types", List.of(typeEmb, typeIds),
                    OnnxGraphWriter.intAttr("axis", 0));
            x = w.node("Add", "embeddings.sum_types", List.of(x, tt));
        }
        x = layerNorm(w, "embeddings.LayerNorm", x, h);

        // Attention mask [B, S] (1 real, 0 padding) -> additive bias [B, 1, 1, S] (0 or -10000).
        String maskF = w.node("Cast", "attention.mask_float", List.of(mask),
                OnnxGraphWriter.intAttr("to", OnnxGraphWriter.FLOAT));
        String inverted = w.node("Sub", "attention.mask_inverted", List.of(one, maskF));
        String bias2 = w.node("Mul", "attention.mask_bias_2d", List.of(inverted, maskFill));
        String bias = w.node("Unsqueeze", "attention.mask_bias", List.of(bias2, maskAxes));

        // Random post-LN stacks collapse to one vector for all tokens (near-uniform attention averages the sequence
        // into every residual stream). Sharper attention (scores with std ~2) and residual branches scaled by
        // 1/sqrt(layers) keep the token-specific part alive, so logits still spread at 12 and 24 layers.
        double qk = 1.5 / Math.sqrt(h);
        double branch = 1.0 / Math.sqrt(Math.max(1, spec.layers()));
        EncoderLayerWriter.Constants constants = new EncoderLayerWriter.Constants(splitShape, mergeShape, scoreScale,
                bias, one, half, sqrt2);
        for (int l = 0; l < spec.layers(); l++) {
            String p = "encoder.layer." + l + ".";
            x = EncoderLayerWriter.write(w, p, x, h, spec.ffn(), constants, new EncoderLayerWriter.Weights() {
                @Override
                public String dense(String role, String input, int in, int out) throws IOException {
                    double std = switch (role) {
                        case "attention.self.query", "attention.self.key" -> qk;
                        case "attention.output.dense" -> branch / Math.sqrt(h);
                        case "output.dense" -> branch / Math.sqrt(spec.ffn());
                        default -> 1.0 / Math.sqrt(h); // value, intermediate
                    };
                    return TinyModelGenerator.dense(w, seed, p + role, input, in, out, std);
                }

                @Override
                public String layerNorm(String role, String input) throws IOException {
                    return TinyModelGenerator.layerNorm(w, p + role, input, h);
                }
            });
        }

        // Classifier: hidden states have unit variance per token, so std(logit) ~ sqrt(h) * std(weight) = 1.4.
        String cw = w.weights("classifier.weight", new long[] {h, 2}, uniform(seed, "classifier.weight", 1.4 / Math.sqrt(h)));
        String cb = w.weights("classifier.bias", new long[] {2}, uniform(seed, "classifier.bias", 0.1));
        String mm = w.node("MatMul", "classifier.matmul", List.of(x, cw));
        w.node("Add", "logits", List.of(mm, cb));
        w.output("logits", OnnxGraphWriter.FLOAT, "batch", "sequence", 2);
    }

    /** MatMul by an {@code [in, out]} weight plus a bias (biases std 0.02). */
    private static String dense(OnnxGraphWriter w, long seed, String name, String x, int in, int out, double std)
            throws IOException {
        String weight = w.weights(name + ".weight", new long[] {in, out}, uniform(seed, name + ".weight", std));
        String b = w.weights(name + ".bias", new long[] {out}, uniform(seed, name + ".bias", 0.02));
        String mm = w.node("MatMul", name + ".matmul", List.of(x, weight));
        return w.node("Add", name + ".out", List.of(mm, b));
    }

    private static String layerNorm(OnnxGraphWriter w, String name, String x, int h) throws IOException {
        String gamma = w.weights(name + ".weight", new long[] {h}, () -> 1f);
        String beta = w.weights(name + ".bias", new long[] {h}, () -> 0f);
        return w.node("LayerNormalization", name + ".out", List.of(x, gamma, beta),
                OnnxGraphWriter.intAttr("axis", -1), OnnxGraphWriter.floatAttr("epsilon", LN_EPSILON));
    }

    /**
     * Uniform values with the given standard deviation, from a generator seeded by the spec's seed and the
     * tensor's name. Only {@link SplittableRandom#nextLong()} (a specified algorithm) and exact float arithmetic
     * are used, so the values are the same on every JVM.
     */
    static OnnxGraphWriter.FloatSource uniform(long seed, String tensorName, double std) {
        SplittableRandom random = new SplittableRandom(mix(seed) ^ fnv1a(tensorName));
        float amplitude = (float) (std * Math.sqrt(3.0));
        return () -> {
            float u = (random.nextLong() >>> 40) * 0x1.0p-24f; // exact: 24 random bits in [0, 1)
            return (2f * u - 1f) * amplitude;
        };
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static long fnv1a(String s) {
        long hash = 0xCBF29CE484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            hash ^= b & 0xFF;
            hash *= 0x100000001B3L;
        }
        return hash;
    }

    private static void writeConfig(Path dir, ModelSpec spec, GeneratedVocabulary vocab, int rows) throws IOException {
        int base = vocab.size();
        boolean wordPiece = spec.family() == GeneratedFamily.WORDPIECE;
        ObjectNode c = TokenizerFiles.JSON.createObjectNode();
        c.putArray("architectures").add(wordPiece ? "BertForTokenClassification" : "XLMRobertaForTokenClassification");
        c.put("model_type", wordPiece ? "bert" : "xlm-roberta");
        c.put("vocab_size", rows);
        c.put("base_vocab_size", base);
        c.put("pad_token_id", wordPiece ? GeneratedVocabulary.WP_PAD : GeneratedVocabulary.SP_PAD);
        if (!wordPiece) {
            c.put("bos_token_id", GeneratedVocabulary.SP_BOS);
            c.put("eos_token_id", GeneratedVocabulary.SP_EOS);
        }
        c.put("type_vocab_size", wordPiece ? 2 : 1);
        c.put("max_position_embeddings", ModelSpec.MAX_POSITIONS);
        c.put("num_labels", 2);
        c.put("hidden_size", spec.hidden());
        c.put("num_hidden_layers", spec.layers());
        c.put("num_attention_heads", spec.heads());
        c.put("intermediate_size", spec.ffn());
        c.put("hidden_act", "gelu");
        c.put("layer_norm_eps", LN_EPSILON);
        c.put("note", NOTE + " [NEWi] = " + base + "+i.");
        ObjectNode g = c.putObject("generator");
        g.put("name", "io.flinkllmlingua.models.TinyModelGenerator");
        g.put("family", spec.family().name());
        g.put("seed", spec.seed());
        g.put("natural_vocab_size", vocab.naturalSize());
        TokenizerFiles.JSON.writeValue(dir.resolve("config.json").toFile(), c);
    }
}
