package io.flinkllmlingua.models;

import ai.onnx.proto.OnnxMl.ModelProto;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flinkllmlingua.engine.ModelFamily;
import io.flinkllmlingua.models.internal.SafetensorsFile;
import io.flinkllmlingua.models.internal.SafetensorsFile.FloatView;
import io.flinkllmlingua.models.internal.Sha256;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Converts a Hugging Face checkpoint directory ({@code model.safetensors}, {@code config.json}, {@code tokenizer.json})
 * of {@code BertForTokenClassification} or {@code XLMRobertaForTokenClassification} (or the bare {@code BertModel} /
 * {@code XLMRobertaModel} encoder) into the ONNX graph the engine runs, in Java, without Python.
 *
 * <p>The graph is the one transformers computes in eval mode: word + position (+ token type) embeddings and
 * LayerNorm; post-LN encoder layers (multi-head self-attention with the attention mask as an additive bias of the
 * float32 minimum, as transformers' extended attention mask; exact erf GELU feed-forward); then the token classifier,
 * output {@code logits} {@code float32 [batch, sequence, 2]}, or, without a classifier, {@code last_hidden_state}
 * {@code [batch, sequence, hidden]}. BERT positions are {@code 0..S-1} and the graph takes {@code token_type_ids};
 * XLM-R positions follow transformers' {@code create_position_ids_from_input_ids} ({@code padding_idx + 1 + } the
 * running count of non-pad tokens, {@code padding_idx} at pads) and the single token-type row is added as a constant.
 * PyTorch Linear weights ({@code [out, in]}) are written transposed for MatMul. Values are widened to fp32 from F32,
 * F16 or BF16.
 *
 * <p>The word embedding gets exactly {@code base + 100} rows, {@code base} being the first id after the tokenizer's
 * vocabulary and added tokens (where the engine puts {@code [NEW0]..[NEW99]}): the LLMLingua-2 releases carry their
 * own trained rows there (vocab_size 119647 and 250102), a base encoder gets copies of its unknown-token row, as
 * {@code MiniLmModelBuilder} does.
 *
 * <p>Weights are read through memory-mapped tensors and written once; more than 1 GiB of weights (XLM-R large) go to
 * {@code model.onnx_data}. {@code import-manifest.json} (written last) records the source files with their SHA-256.
 */
public final class CheckpointImporter {
    public static final String WEIGHTS_FILE = "model.safetensors";
    public static final String CONFIG_FILE = "config.json";
    public static final String MANIFEST_FILE = "import-manifest.json";
    /** Files copied as they are when the checkpoint has them (tokenizer.json is required). */
    static final List<String> TOKENIZER_FILES = List.of("tokenizer.json", "tokenizer_config.json",
            "special_tokens_map.json", "added_tokens.json", "vocab.txt", "sentencepiece.bpe.model");
    public static final String LOGITS = "logits";
    public static final String LAST_HIDDEN_STATE = "last_hidden_state";

    private static final long AUTO_EXTERNAL_BYTES = 1L << 30;

    private CheckpointImporter() {}

    /** {@link #importCheckpoint(Path, Path, ModelSpec.WeightStorage, String, Consumer)} with automatic weight storage. */
    public static ImportedModel importCheckpoint(Path checkpointDir, Path modelDir, Consumer<String> progress)
            throws IOException {
        return importCheckpoint(checkpointDir, modelDir, ModelSpec.WeightStorage.AUTO, null, progress);
    }

    /**
     * Converts {@code checkpointDir} into {@code modelDir} (created if missing; files of the same names are replaced).
     *
     * @param storage  where the weights go ({@code AUTO}: external data over 1 GiB)
     * @param origin   where the checkpoint came from (e.g. {@code owner/name@revision}), recorded in the manifest, or null
     * @param progress receives one line per step
     * @throws CheckpointImportException for a checkpoint that cannot be converted (one line naming the file)
     */
    public static ImportedModel importCheckpoint(Path checkpointDir, Path modelDir, ModelSpec.WeightStorage storage,
                                                 String origin, Consumer<String> progress) throws IOException {
        long t0 = System.nanoTime();
        Path weights = require(checkpointDir, WEIGHTS_FILE);
        Path configFile = require(checkpointDir, CONFIG_FILE);
        Path tokenizerFile = require(checkpointDir, "tokenizer.json");
        if (Files.exists(modelDir) && Files.isSameFile(checkpointDir, modelDir)) {
            throw new CheckpointImportException("The model directory " + modelDir + " is the checkpoint directory: "
                    + "choose another output directory");
        }
        ObjectNode config = readObject(configFile);
        Architecture arch = Architecture.of(config, configFile);
        TokenizerIds tokenizer = TokenizerIds.read(tokenizerFile, arch.family);

        Files.createDirectories(modelDir);
        Files.deleteIfExists(modelDir.resolve(MANIFEST_FILE));
        try (SafetensorsFile st = SafetensorsFile.open(weights)) {
            progress.accept("reading " + weights + ": " + st.names().size() + " tensors, " + arch.name);
            CheckpointGraph graph = CheckpointGraph.of(st, config, configFile, arch, tokenizer);
            long bytes = graph.parameterCount() * 4;
            boolean external = storage == ModelSpec.WeightStorage.EXTERNAL
                    || (storage == ModelSpec.WeightStorage.AUTO && bytes > AUTO_EXTERNAL_BYTES);
            Path externalFile = modelDir.resolve(TinyModelGenerator.EXTERNAL_DATA_FILE);
            Files.deleteIfExists(externalFile);
            ModelProto model;
            long externalBytes;
            long parameters;
            try (OnnxGraphWriter w = new OnnxGraphWriter("imported_" + arch.modelType.replace('-', '_'),
                    external ? externalFile : null)) {
                graph.write(w, progress);
                parameters = w.parameterCount();
                externalBytes = w.externalBytes();
                model = w.buildModel("flink-llmlingua CheckpointImporter", "Converted from " + arch.name
                        + " safetensors" + (origin != null ? " (" + origin + ")" : ""), List.of(
                        OnnxGraphWriter.entry("architecture", arch.name),
                        OnnxGraphWriter.entry("base_vocab_size", Integer.toString(tokenizer.placeholderBase))));
            }
            progress.accept("writing " + modelDir.resolve(TinyModelGenerator.MODEL_FILE)
                    + (external ? " with external data " + TinyModelGenerator.EXTERNAL_DATA_FILE : ""));
            Path modelFile = modelDir.resolve(TinyModelGenerator.MODEL_FILE);
            Path tmp = modelDir.resolve(TinyModelGenerator.MODEL_FILE + ".tmp");
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
                model.writeTo(out);
            }
            move(tmp, modelFile);
            model = null; // the embedded weights can be collected before the copies and hashing below

            for (String name : TOKENIZER_FILES) {
                Path source = checkpointDir.resolve(name);
                if (Files.isRegularFile(source)) {
                    Files.copy(source, modelDir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            writeConfig(modelDir, config, arch, graph);
            progress.accept("hashing the source files");
            writeManifest(checkpointDir, modelDir, arch, origin, graph);
            long millis = (System.nanoTime() - t0) / 1_000_000;
            return new ImportedModel(modelDir, arch.name, arch.family, graph.layers, graph.hidden, graph.output(),
                    tokenizer.placeholderBase, graph.embeddingRows, graph.copiedPlaceholders, parameters,
                    Files.size(modelFile), externalBytes, millis);
        }
    }

    /** The manifest of a model directory written by this importer, or null when there is none (or not readable). */
    public static JsonNode readManifest(Path modelDir) {
        Path file = modelDir.resolve(MANIFEST_FILE);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            return TokenizerFiles.JSON.readTree(file.toFile());
        } catch (IOException e) {
            return null;
        }
    }

    private static Path require(Path dir, String name) throws CheckpointImportException {
        Path p = dir.resolve(name);
        if (!Files.isRegularFile(p)) {
            throw new CheckpointImportException("No " + name + " in checkpoint directory " + dir);
        }
        return p;
    }

    static ObjectNode readObject(Path file) throws IOException {
        JsonNode n;
        try {
            n = TokenizerFiles.JSON.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new CheckpointImportException(file + ": not valid JSON (" + e.getOriginalMessage() + ")");
        } catch (NoSuchFileException e) {
            throw new CheckpointImportException("No " + file);
        }
        if (n == null || !n.isObject()) {
            throw new CheckpointImportException(file + ": not a JSON object");
        }
        return (ObjectNode) n;
    }

    private static void writeConfig(Path modelDir, ObjectNode source, Architecture arch, CheckpointGraph graph)
            throws IOException {
        ObjectNode c = source.deepCopy();
        c.put("vocab_size", graph.embeddingRows);
        ObjectNode imp = c.putObject("flink_llmlingua_import");
        imp.put("note", "Converted to ONNX by flink-llmlingua CheckpointImporter from " + arch.name
                + " safetensors; weights as published, widened to fp32.");
        imp.put("output", graph.output());
        imp.put("base_vocab_size", graph.tokenizer.placeholderBase);
        imp.put("placeholder_rows", graph.copiedPlaceholders == 0
                ? "ids " + graph.tokenizer.placeholderBase + ".." + (graph.embeddingRows - 1)
                        + " ([NEW0]..[NEW99]) are the checkpoint's own rows"
                : graph.copiedPlaceholders + " of the ids " + graph.tokenizer.placeholderBase + ".."
                        + (graph.embeddingRows - 1) + " ([NEW0]..[NEW99]) are copies of the unknown-token row "
                        + graph.tokenizer.unkId);
        TokenizerFiles.JSON.writeValue(modelDir.resolve(CONFIG_FILE).toFile(), c);
    }

    private static void writeManifest(Path checkpointDir, Path modelDir, Architecture arch, String origin,
                                      CheckpointGraph graph) throws IOException {
        ObjectNode m = TokenizerFiles.JSON.createObjectNode();
        m.put("schemaVersion", 1);
        m.put("tool", "flink-llmlingua CheckpointImporter");
        m.put("importedAt", Instant.now().toString());
        m.put("architecture", arch.name);
        m.put("family", arch.family.name().toLowerCase(Locale.ROOT));
        m.put("output", graph.output());
        if (origin != null) {
            m.put("origin", origin);
        }
        m.put("checkpointDirectory", checkpointDir.toAbsolutePath().toString());
        ArrayNode sources = m.putArray("sources");
        for (String name : sourceFiles()) {
            Path p = checkpointDir.resolve(name);
            if (Files.isRegularFile(p)) {
                ObjectNode s = sources.addObject();
                s.put("file", name);
                s.put("size", Files.size(p));
                s.put("sha256", Sha256.of(p));
            }
        }
        ArrayNode outputs = m.putArray("outputs");
        try (var files = Files.list(modelDir)) {
            for (Path p : (Iterable<Path>) files.sorted()::iterator) {
                String name = p.getFileName().toString();
                if (Files.isRegularFile(p) && !name.equals(MANIFEST_FILE) && !name.startsWith(".")
                        && !name.equals(FetchManifest.FILE_NAME)) {
                    outputs.addObject().put("file", name).put("size", Files.size(p));
                }
            }
        }
        Path tmp = modelDir.resolve(MANIFEST_FILE + ".tmp");
        TokenizerFiles.JSON.writeValue(tmp.toFile(), m);
        move(tmp, modelDir.resolve(MANIFEST_FILE));
    }

    private static List<String> sourceFiles() {
        List<String> names = new java.util.ArrayList<>(List.of(WEIGHTS_FILE, CONFIG_FILE));
        names.addAll(TOKENIZER_FILES);
        return names;
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** The checkpoint's architecture, from config.json's {@code architectures} (or {@code model_type}). */
    static final class Architecture {
        final String name;
        final String modelType;
        final ModelFamily family;
        /** Whether config.json names a token classifier; a bare encoder may still be detected by its tensors. */
        final boolean classifier;

        private Architecture(String name, String modelType, ModelFamily family, boolean classifier) {
            this.name = name;
            this.modelType = modelType;
            this.family = family;
            this.classifier = classifier;
        }

        static Architecture of(ObjectNode config, Path file) throws CheckpointImportException {
            String name = null;
            JsonNode archs = config.get("architectures");
            if (archs != null && archs.isArray() && archs.size() > 0) {
                name = archs.get(0).asText();
            }
            String type = config.path("model_type").asText("");
            if (name == null) {
                name = type.equals("bert") ? "BertModel" : type.equals("xlm-roberta") ? "XLMRobertaModel" : null;
            }
            if (name == null) {
                throw new CheckpointImportException(file + ": no architectures and no model_type bert or xlm-roberta");
            }
            switch (name) {
                case "BertForTokenClassification":
                    return new Architecture(name, "bert", ModelFamily.WORDPIECE, true);
                case "BertModel":
                case "BertForMaskedLM":
                case "BertForPreTraining":
                    return new Architecture(name, "bert", ModelFamily.WORDPIECE, false);
                case "XLMRobertaForTokenClassification":
                    return new Architecture(name, "xlm-roberta", ModelFamily.SENTENCEPIECE, true);
                case "XLMRobertaModel":
                case "XLMRobertaForMaskedLM":
                    return new Architecture(name, "xlm-roberta", ModelFamily.SENTENCEPIECE, false);
                default:
                    throw new CheckpointImportException(file + ": architecture " + name + " is not supported "
                            + "(BertForTokenClassification, XLMRobertaForTokenClassification, BertModel, XLMRobertaModel)");
            }
        }
    }

    /** The ids the engine will use, read from tokenizer.json as the engine's ModelTokenizer reads them. */
    static final class TokenizerIds {
        /** Id of {@code [NEW0]}: the tokenizer's own, or the first id after its vocabulary and added tokens. */
        final int placeholderBase;
        /** Highest id the tokenizer produces outside the placeholders. */
        final int maxId;
        final int unkId;

        private TokenizerIds(int placeholderBase, int maxId, int unkId) {
            this.placeholderBase = placeholderBase;
            this.maxId = maxId;
            this.unkId = unkId;
        }

        static TokenizerIds read(Path file, ModelFamily family) throws IOException {
            ObjectNode root = readObject(file);
            JsonNode model = root.path("model");
            JsonNode vocab = model.get("vocab");
            int max = -1;
            Integer newZero = null;
            Integer unk = null;
            String unkToken = model.path("unk_token").asText(family == ModelFamily.WORDPIECE ? "[UNK]" : "<unk>");
            if (vocab != null && vocab.isObject()) {
                for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    max = Math.max(max, e.getValue().asInt());
                    if (e.getKey().equals(unkToken)) {
                        unk = e.getValue().asInt();
                    }
                }
            } else if (vocab != null && vocab.isArray()) {
                max = vocab.size() - 1;
                if (model.has("unk_id") && model.get("unk_id").canConvertToInt()) {
                    unk = model.get("unk_id").asInt();
                }
            } else {
                throw new CheckpointImportException(file + ": no model.vocab");
            }
            for (JsonNode t : root.path("added_tokens")) {
                int id = t.path("id").asInt();
                String content = t.path("content").asText();
                if (content.equals("[NEW0]")) {
                    newZero = id;
                } else if (!content.matches("\\[NEW\\d+]")) {
                    max = Math.max(max, id);
                }
                if (content.equals(unkToken) && unk == null) {
                    unk = id;
                }
            }
            if (unk == null) {
                throw new CheckpointImportException(file + ": the unknown token '" + unkToken + "' has no id");
            }
            int base = newZero != null ? newZero : max + 1;
            return new TokenizerIds(base, max, unk);
        }
    }
}
