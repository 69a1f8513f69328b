package io.flinkllmlingua.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flinkllmlingua.engine.ModelFamily;
import io.flinkllmlingua.models.internal.SafetensorsFile;
import io.flinkllmlingua.models.internal.SafetensorsFile.FloatView;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The tensors of one checkpoint, checked against its config.json and tokenizer, and the graph they make (see
 * {@link CheckpointImporter}). Every tensor is located and shape-checked before anything is written.
 */
final class CheckpointGraph {
    final CheckpointImporter.TokenizerIds tokenizer;
    final int layers;
    final int hidden;
    final int embeddingRows;
    final int copiedPlaceholders;
    private final CheckpointImporter.Architecture arch;
    private final int heads;
    private final int ffn;
    private final int sourceRows;
    private final int positions;
    private final int typeRows;
    private final float epsilon;
    private final long padId;
    private final String prefix;
    private final boolean classifier;
    private final Map<String, FloatView> tensors = new HashMap<>();
    private long parameterCount;

    private CheckpointGraph(CheckpointImporter.Architecture arch, CheckpointImporter.TokenizerIds tokenizer,
                            ObjectNode config, Path configFile, SafetensorsFile st) throws IOException {
        this.arch = arch;
        this.tokenizer = tokenizer;
        boolean bert = arch.family == ModelFamily.WORDPIECE;
        hidden = intOf(config, "hidden_size", configFile);
        layers = intOf(config, "num_hidden_layers", configFile);
        heads = intOf(config, "num_attention_heads", configFile);
        ffn = intOf(config, "intermediate_size", configFile);
        sourceRows = intOf(config, "vocab_size", configFile);
        positions = intOf(config, "max_position_embeddings", configFile);
        typeRows = config.path("type_vocab_size").asInt(bert ? 2 : 1);
        epsilon = (float) config.path("layer_norm_eps").asDouble(1e-12);
        padId = config.path("pad_token_id").asLong(bert ? 0 : 1);
        if (hidden <= 0 || heads <= 0 || hidden % heads != 0) {
            throw new CheckpointImportException(configFile + ": hidden_size " + hidden
                    + " is not a positive multiple of num_attention_heads " + heads);
        }
        String act = config.path("hidden_act").asText("gelu");
        if (!act.equals("gelu")) {
            throw new CheckpointImportException(configFile + ": hidden_act " + act + " is not supported (only the exact"
                    + " erf gelu of BERT and XLM-R)");
        }
        String posType = config.path("position_embedding_type").asText("absolute");
        if (!posType.equals("absolute")) {
            throw new CheckpointImportException(configFile + ": position_embedding_type " + posType
                    + " is not supported (only absolute)");
        }
        if (typeRows < 1) {
            throw new CheckpointImportException(configFile + ": type_vocab_size " + typeRows + " must be at least 1");
        }
        String own = bert ? "bert." : "roberta.";
        prefix = st.has(own + "embeddings.word_embeddings.weight") || !st.has("embeddings.word_embeddings.weight")
                ? own : "";
        classifier = arch.classifier;
        if (tokenizer.placeholderBase > sourceRows || tokenizer.maxId >= sourceRows) {
            throw new CheckpointImportException(configFile + ": vocab_size " + sourceRows + " is smaller than the"
                    + " tokenizer's ids (up to " + Math.max(tokenizer.maxId, tokenizer.placeholderBase - 1) + ")");
        }
        embeddingRows = tokenizer.placeholderBase + ModelSpec.PLACEHOLDER_ROWS;
        copiedPlaceholders = Math.max(0, embeddingRows - sourceRows);
        if (!bert && positions < padId + 2) {
            throw new CheckpointImportException(configFile + ": max_position_embeddings " + positions
                    + " leaves no position after padding_idx " + padId);
        }

        String e = prefix + "embeddings.";
        take(st, e + "word_embeddings.weight", sourceRows, hidden);
        take(st, e + "position_embeddings.weight", positions, hidden);
        take(st, e + "token_type_embeddings.weight", typeRows, hidden);
        take(st, e + "LayerNorm.weight", hidden);
        take(st, e + "LayerNorm.bias", hidden);
        for (int l = 0; l < layers; l++) {
            String p = prefix + "encoder.layer." + l + ".";
            for (String proj : new String[] {"attention.self.query", "attention.self.key", "attention.self.value",
                    "attention.output.dense"}) {
                take(st, p + proj + ".weight", hidden, hidden);
                take(st, p + proj + ".bias", hidden);
            }
            take(st, p + "attention.output.LayerNorm.weight", hidden);
            take(st, p + "attention.output.LayerNorm.bias", hidden);
            take(st, p + "intermediate.dense.weight", ffn, hidden);
            take(st, p + "intermediate.dense.bias", ffn);
            take(st, p + "output.dense.weight", hidden, ffn);
            take(st, p + "output.dense.bias", hidden);
            take(st, p + "output.LayerNorm.weight", hidden);
            take(st, p + "output.LayerNorm.bias", hidden);
        }
        if (classifier) {
            int labels = labels(config);
            if (labels != 2) {
                throw new CheckpointImportException(configFile + ": " + labels + " labels; the engine needs a"
                        + " 2-label (drop, keep) token classifier");
            }
            take(st, "classifier.weight", labels, hidden);
            take(st, "classifier.bias", labels);
        }
        long h = hidden;
        parameterCount = (long) embeddingRows * h + (long) positions * h + (bert ? (long) typeRows * h : h) + 2 * h
                + layers * (4 * (h * h + h) + 2 * h + (h * ffn + ffn) + ((long) ffn * h + h) + 2 * h)
                + (classifier ? 2 * h + 2 : 0);
    }

    static CheckpointGraph of(SafetensorsFile st, ObjectNode config, Path configFile,
                              CheckpointImporter.Architecture arch, CheckpointImporter.TokenizerIds tokenizer)
            throws IOException {
        return new CheckpointGraph(arch, tokenizer, config, configFile, st);
    }

    long parameterCount() {
        return parameterCount;
    }

    String output() {
        return classifier ? CheckpointImporter.LOGITS : CheckpointImporter.LAST_HIDDEN_STATE;
    }

    private static int labels(ObjectNode config) {
        JsonNode id2label = config.get("id2label");
        if (id2label != null && id2label.isObject() && id2label.size() > 0) {
            return id2label.size();
        }
        return config.path("num_labels").asInt(2);
    }

    private static int intOf(ObjectNode config, String key, Path file) throws CheckpointImportException {
        JsonNode n = config.get(key);
        if (n == null || !n.canConvertToInt()) {
            throw new CheckpointImportException(file + ": " + key + " is missing or not an integer");
        }
        return n.asInt();
    }

    private void take(SafetensorsFile st, String name, long... shape) throws IOException {
        tensors.put(name, st.floats(name, shape));
    }

    void write(OnnxGraphWriter w, Consumer<String> progress) throws IOException {
        boolean bert = arch.family == ModelFamily.WORDPIECE;
        int headDim = hidden / heads;
        Object[] bs = {"batch", "sequence"};
        String ids = "input_ids";
        w.input(ids, OnnxGraphWriter.INT64, bs);
        w.input("attention_mask", OnnxGraphWriter.INT64, bs);
        if (bert) {
            w.input("token_type_ids", OnnxGraphWriter.INT64, bs);
        }
        String scalar1 = w.longConstant("const_one_i64", new long[0], 1);
        String one = w.floatConstant("const_one_f", new long[0], 1f);
        String half = w.floatConstant("const_half_f", new long[0], 0.5f);
        String sqrt2 = w.floatConstant("const_sqrt2_f", new long[0], (float) Math.sqrt(2.0));
        // transformers' extended attention mask: (1 - mask) * finfo(float32).min.
        String maskFill = w.floatConstant("const_mask_fill_f", new long[0], -Float.MAX_VALUE);
        String scoreScale = w.floatConstant("const_score_scale_f", new long[0], (float) (1.0 / Math.sqrt(headDim)));
        String splitShape = w.longConstant("const_split_heads_shape", new long[] {4}, 0, 0, heads, headDim);
        String mergeShape = w.longConstant("const_merge_heads_shape", new long[] {3}, 0, 0, hidden);
        String maskAxes = w.longConstant("const_mask_axes", new long[] {2}, 1, 2);

        progress.accept("embeddings: " + embeddingRows + " x " + hidden
                + (copiedPlaceholders > 0 ? " (" + copiedPlaceholders + " placeholder rows copied from the unknown token)" : ""));
        String e = prefix + "embeddings.";
        FloatView word = tensors.get(e + "word_embeddings.weight");
        long unkOffset = (long) tokenizer.unkId * hidden;
        String wordEmb = w.weights("embeddings.word_embeddings.weight", new long[] {embeddingRows, hidden},
                sequential(embeddingRows * (long) hidden, i -> {
                    long row = i / hidden;
                    return word.get(row < sourceRows ? i : unkOffset + i % hidden);
                }));
        String x = w.node("Gather", "embeddings.words", List.of(wordEmb, ids), OnnxGraphWriter.intAttr("axis", 0));
        String posEmb = w.weights("embeddings.position_embeddings.weight", new long[] {positions, hidden},
                copy(tensors.get(e + "position_embeddings.weight")));
        String positionIds;
        if (bert) {
            String scalar0 = w.longConstant("const_zero_i64", new long[0], 0);
            String shape = w.node("Shape", "embeddings.input_shape", List.of(ids));
            String seqLen = w.node("Gather", "embeddings.seq_len", List.of(shape, scalar1), OnnxGraphWriter.intAttr("axis", 0));
            positionIds = w.node("Range", "embeddings.position_ids", List.of(scalar0, seqLen, scalar1));
        } else {
            // create_position_ids_from_input_ids: cumsum(ids != pad) * (ids != pad) + pad.
            String pad = w.longConstant("const_padding_idx", new long[0], padId);
            String isPad = w.node("Equal", "embeddings.is_pad", List.of(ids, pad));
            String notPad = w.node("Cast", "embeddings.not_pad", List.of(w.node("Not", "embeddings.not_pad_bool", List.of(isPad))),
                    OnnxGraphWriter.intAttr("to", OnnxGraphWriter.INT64));
            String count = w.node("CumSum", "embeddings.non_pad_count", List.of(notPad, scalar1));
            String masked = w.node("Mul", "embeddings.non_pad_positions", List.of(count, notPad));
            positionIds = w.node("Add", "embeddings.position_ids", List.of(masked, pad));
        }
        String pos = w.node("Gather", "embeddings.positions", List.of(posEmb, positionIds), OnnxGraphWriter.intAttr("axis", 0));
        x = w.node("Add", "embeddings.sum_pos", List.of(x, pos));
        FloatView types = tensors.get(e + "token_type_embeddings.weight");
        if (bert) {
            String typeEmb = w.weights("embeddings.token_type_embeddings.weight", new long[] {typeRows, hidden}, copy(types));
            String tt = w.node("Gather", "embeddings.token_types", List.of(typeEmb, "token_type_ids"),
                    OnnxGraphWriter.intAttr("axis", 0));
            x = w.node("Add", "embeddings.sum_types", List.of(x, tt));
        } else {
            // XLM-R is run without token_type_ids: transformers then uses type 0 everywhere.
            String row0 = w.weights("embeddings.token_type_embeddings.row0", new long[] {hidden},
                    sequential(hidden, types::get));
            x = w.node("Add", "embeddings.sum_types", List.of(x, row0));
        }
        x = layerNorm(w, e + "LayerNorm", "embeddings.LayerNorm", x);

        String maskF = w.node("Cast", "attention.mask_float", List.of("attention_mask"),
                OnnxGraphWriter.intAttr("to", OnnxGraphWriter.FLOAT));
        String inverted = w.node("Sub", "attention.mask_inverted", List.of(one, maskF));
        String bias2 = w.node("Mul", "attention.mask_bias_2d", List.of(inverted, maskFill));
        String bias = w.node("Unsqueeze", "attention.mask_bias", List.of(bias2, maskAxes));

        EncoderLayerWriter.Constants constants = new EncoderLayerWriter.Constants(splitShape, mergeShape, scoreScale,
                bias, one, half, sqrt2);
        for (int l = 0; l < layers; l++) {
            progress.accept("encoder layer " + (l + 1) + "/" + layers);
            String src = prefix + "encoder.layer." + l + ".";
            String p = "encoder.layer." + l + ".";
            x = EncoderLayerWriter.write(w, p, x, hidden, ffn, constants, new EncoderLayerWriter.Weights() {
                @Override
                public String dense(String role, String input, int in, int out) throws IOException {
                    return CheckpointGraph.this.dense(w, src + role, p + role, input, in, out);
                }

                @Override
                public String layerNorm(String role, String input) throws IOException {
                    return CheckpointGraph.this.layerNorm(w, src + role, p + role, input);
                }
            });
        }

        if (classifier) {
            String cw = w.weights("classifier.weight", new long[] {hidden, 2},
                    transposed(tensors.get("classifier.weight"), 2, hidden));
            String cb = w.weights("classifier.bias", new long[] {2}, copy(tensors.get("classifier.bias")));
            String mm = w.node("MatMul", "classifier.matmul", List.of(x, cw));
            w.node("Add", CheckpointImporter.LOGITS, List.of(mm, cb));
            w.output(CheckpointImporter.LOGITS, OnnxGraphWriter.FLOAT, "batch", "sequence", 2);
        } else {
            w.node("Identity", CheckpointImporter.LAST_HIDDEN_STATE, List.of(x));
            w.output(CheckpointImporter.LAST_HIDDEN_STATE, OnnxGraphWriter.FLOAT, "batch", "sequence", hidden);
        }
    }

    /** {@code x @ W^T + b} for a PyTorch Linear of {@code [out, in]} (written as {@code [in, out]}). */
    private String dense(OnnxGraphWriter w, String source, String name, String x, int in, int out) throws IOException {
        String weight = w.weights(name + ".weight", new long[] {in, out}, transposed(tensors.get(source + ".weight"), out, in));
        String b = w.weights(name + ".bias", new long[] {out}, copy(tensors.get(source + ".bias")));
        String mm = w.node("MatMul", name + ".matmul", List.of(x, weight));
        return w.node("Add", name + ".out", List.of(mm, b));
    }

    private String layerNorm(OnnxGraphWriter w, String source, String name, String x) throws IOException {
        String gamma = w.weights(name + ".weight", new long[] {hidden}, copy(tensors.get(source + ".weight")));
        String beta = w.weights(name + ".bias", new long[] {hidden}, copy(tensors.get(source + ".bias")));
        return w.node("LayerNormalization", name + ".out", List.of(x, gamma, beta),
                OnnxGraphWriter.intAttr("axis", -1), OnnxGraphWriter.floatAttr("epsilon", epsilon));
    }

    private interface Indexed {
        float at(long index);
    }

    private static OnnxGraphWriter.FloatSource sequential(long n, Indexed values) {
        long[] next = {0};
        return () -> values.at(next[0]++);
    }

    private static OnnxGraphWriter.FloatSource copy(FloatView v) {
        return sequential(v.size(), v::get);
    }

    /** Row-major {@code [cols, rows]} values of a row-major {@code [rows, cols]} tensor. */
    private static OnnxGraphWriter.FloatSource transposed(FloatView v, int rows, int cols) {
        return sequential((long) rows * cols, i -> {
            long c = i / rows;
            long r = i % rows;
            return v.get(r * cols + c);
        });
    }
}
