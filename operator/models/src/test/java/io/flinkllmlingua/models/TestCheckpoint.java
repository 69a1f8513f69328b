package io.flinkllmlingua.models;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A small random Hugging Face checkpoint in the layout transformers writes ({@code model.safetensors} with its tensor
 * names, {@code config.json}, the tokenizer of a generated model), for the importer tests. Every value is
 * {@code k * 2^e} with {@code |k| <= 255}, so it is exact in F32, F16 and BF16 alike: the reference forward pass sees
 * the same weights whatever the stored dtype.
 */
final class TestCheckpoint {
    private static final ObjectMapper JSON = new ObjectMapper();

    enum DType { F32, F16, BF16 }

    /** One tensor: PyTorch layout, row-major values. */
    record Tensor(long[] shape, float[] values) {
        float at(int... index) {
            int flat = 0;
            for (int i = 0; i < index.length; i++) {
                flat = flat * (int) shape[i] + index[i];
            }
            return values[flat];
        }
    }

    final GeneratedFamily family;
    final int layers;
    final int hidden;
    final int heads;
    final int ffn;
    final int vocabRows;
    final int baseVocab;
    final int positions;
    final int padId;
    final float epsilon;
    final boolean classifier;
    final Map<String, Tensor> tensors = new LinkedHashMap<>();
    private final String prefix;

    /**
     * @param ownPlaceholders true: the embedding has base + 100 rows, like the LLMLingua-2 releases; false: base rows,
     *                        like a base encoder (the importer appends copies of the unknown-token row)
     * @param prefixed        true: tensor names start with {@code bert.}/{@code roberta.}
     */
    TestCheckpoint(GeneratedFamily family, int layers, int hidden, int heads, int ffn, boolean classifier,
                   boolean ownPlaceholders, boolean prefixed, int baseVocab, long seed) {
        this.family = family;
        this.layers = layers;
        this.hidden = hidden;
        this.heads = heads;
        this.ffn = ffn;
        this.classifier = classifier;
        this.baseVocab = baseVocab;
        this.vocabRows = baseVocab + (ownPlaceholders ? ModelSpec.PLACEHOLDER_ROWS : 0);
        boolean bert = family == GeneratedFamily.WORDPIECE;
        this.positions = bert ? 64 : 66;
        this.padId = bert ? 0 : 1;
        this.epsilon = bert ? 1e-12f : 1e-5f;
        this.prefix = prefixed ? (bert ? "bert." : "roberta.") : "";
        SplittableRandom r = new SplittableRandom(seed);
        String e = prefix + "embeddings.";
        put(e + "word_embeddings.weight", r, -8, vocabRows, hidden);
        put(e + "position_embeddings.weight", r, -9, positions, hidden);
        put(e + "token_type_embeddings.weight", r, -9, bert ? 2 : 1, hidden);
        gamma(e + "LayerNorm", r);
        for (int l = 0; l < layers; l++) {
            String p = prefix + "encoder.layer." + l + ".";
            for (String proj : new String[] {"attention.self.query", "attention.self.key", "attention.self.value",
                    "attention.output.dense"}) {
                put(p + proj + ".weight", r, -10, hidden, hidden);
                put(p + proj + ".bias", r, -12, hidden);
            }
            gamma(p + "attention.output.LayerNorm", r);
            put(p + "intermediate.dense.weight", r, -10, ffn, hidden);
            put(p + "intermediate.dense.bias", r, -12, ffn);
            put(p + "output.dense.weight", r, -11, hidden, ffn);
            put(p + "output.dense.bias", r, -12, hidden);
            gamma(p + "output.LayerNorm", r);
        }
        if (bert && prefixed) {
            // A pooler, as BertModel checkpoints have: not part of the token classifier, the importer ignores it.
            put(prefix + "pooler.dense.weight", r, -10, hidden, hidden);
            put(prefix + "pooler.dense.bias", r, -12, hidden);
        }
        if (classifier) {
            put("classifier.weight", r, -8, 2, hidden);
            put("classifier.bias", r, -8, 2);
        }
    }

    Tensor tensor(String nameWithoutPrefix) {
        Tensor t = tensors.get(nameWithoutPrefix.equals("classifier.weight") || nameWithoutPrefix.equals("classifier.bias")
                ? nameWithoutPrefix : prefix + nameWithoutPrefix);
        if (t == null) {
            throw new IllegalArgumentException(nameWithoutPrefix);
        }
        return t;
    }

    private void put(String name, SplittableRandom r, int exponent, long... shape) {
        int n = 1;
        for (long d : shape) {
            n *= (int) d;
        }
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = Math.scalb((float) (r.nextInt(511) - 255), exponent);
        }
        tensors.put(name, new Tensor(shape, v));
    }

    /** LayerNorm weight in [0.5, 1.5) and bias around 0. */
    private void gamma(String name, SplittableRandom r) {
        float[] g = new float[hidden];
        for (int i = 0; i < hidden; i++) {
            g[i] = Math.scalb((float) (64 + r.nextInt(128)), -7);
        }
        tensors.put(name + ".weight", new Tensor(new long[] {hidden}, g));
        put(name + ".bias", r, -9, hidden);
    }

    /** Writes model.safetensors (tensors in {@code dtype}), config.json and the tokenizer files of {@code tokenizerDir}. */
    void write(Path dir, Path tokenizerDir, DType dtype) throws IOException {
        Files.createDirectories(dir);
        writeSafetensors(dir.resolve("model.safetensors"), tensors, dtype, Map.of("format", "pt"));
        Files.copy(tokenizerDir.resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
        Files.copy(tokenizerDir.resolve("tokenizer_config.json"), dir.resolve("tokenizer_config.json"));
        boolean bert = family == GeneratedFamily.WORDPIECE;
        ObjectNode c = JSON.createObjectNode();
        c.putArray("architectures").add(bert
                ? (classifier ? "BertForTokenClassification" : "BertModel")
                : (classifier ? "XLMRobertaForTokenClassification" : "XLMRobertaModel"));
        c.put("model_type", bert ? "bert" : "xlm-roberta");
        c.put("hidden_size", hidden);
        c.put("num_hidden_layers", layers);
        c.put("num_attention_heads", heads);
        c.put("intermediate_size", ffn);
        c.put("hidden_act", "gelu");
        c.put("vocab_size", vocabRows);
        c.put("max_position_embeddings", positions);
        c.put("type_vocab_size", bert ? 2 : 1);
        c.put("layer_norm_eps", epsilon);
        c.put("pad_token_id", padId);
        c.put("position_embedding_type", "absolute");
        if (classifier) {
            c.putObject("id2label").put("0", "LABEL_0").put("1", "LABEL_1");
        }
        JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("config.json").toFile(), c);
    }

    /** The safetensors layout: u64 LE header length, JSON header, tensor bytes in header order. */
    static void writeSafetensors(Path file, Map<String, Tensor> tensors, DType dtype, Map<String, String> metadata)
            throws IOException {
        ObjectNode header = JSON.createObjectNode();
        ObjectNode meta = header.putObject("__metadata__");
        metadata.forEach(meta::put);
        int width = dtype == DType.F32 ? 4 : 2;
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            ObjectNode t = header.putObject(e.getKey());
            t.put("dtype", dtype.name());
            var shape = t.putArray("shape");
            for (long d : e.getValue().shape()) {
                shape.add(d);
            }
            long bytes = (long) e.getValue().values().length * width;
            t.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] json = JSON.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length).array());
            out.write(json);
            for (Tensor t : tensors.values()) {
                ByteBuffer b = ByteBuffer.allocate(t.values().length * width).order(ByteOrder.LITTLE_ENDIAN);
                for (float v : t.values()) {
                    switch (dtype) {
                        case F32 -> b.putFloat(v);
                        case BF16 -> b.putShort(toBf16(v));
                        case F16 -> b.putShort(toF16(v));
                    }
                }
                out.write(b.array());
            }
        }
    }

    private static short toBf16(float v) {
        int bits = Float.floatToIntBits(v);
        if ((bits & 0xFFFF) != 0) {
            throw new IllegalArgumentException(v + " is not exact in bfloat16");
        }
        return (short) (bits >>> 16);
    }

    /** For values exact in binary16 (as this class makes them): sign, 5-bit exponent, 10-bit fraction. */
    static short toF16(float v) {
        int sign = v < 0 || (v == 0 && 1 / v < 0) ? 0x8000 : 0;
        double a = Math.abs((double) v);
        if (a == 0) {
            return (short) sign;
        }
        int e = Math.getExponent(a);
        int bits;
        if (e < -14) {
            double m = a * 0x1p24; // subnormal: multiples of 2^-24
            if (m != Math.rint(m)) {
                throw new IllegalArgumentException(v + " is not exact in float16");
            }
            bits = (int) m;
        } else {
            double fraction = (a / Math.scalb(1.0, e) - 1) * 1024;
            if (fraction != Math.rint(fraction) || e > 15) {
                throw new IllegalArgumentException(v + " is not exact in float16");
            }
            bits = ((e + 15) << 10) | (int) fraction;
        }
        return (short) (sign | bits);
    }
}
