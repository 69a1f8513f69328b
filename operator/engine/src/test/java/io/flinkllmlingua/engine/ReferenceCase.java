package io.flinkllmlingua.engine;

import io.flinkllmlingua.testkit.TestData;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One case of src/test-data/reference-vectors: input, reference parameters, and the reference's output. */
public record ReferenceCase(String id, String model, List<String> contexts, JsonNode params, boolean compressPromptEntry,
                            JsonNode expected) {
    static final ObjectMapper JSON = new ObjectMapper();

    public static List<ReferenceCase> load(String model) {
        Path dir = TestData.referenceVectors();
        try {
            Map<String, JsonNode> expected = new LinkedHashMap<>();
            for (String line : Files.readAllLines(dir.resolve(model).resolve("expected.jsonl"))) {
                if (!line.isBlank()) {
                    JsonNode n = JSON.readTree(line);
                    expected.put(n.get("id").asText(), n);
                }
            }
            List<ReferenceCase> out = new ArrayList<>();
            for (String line : Files.readAllLines(dir.resolve("cases.jsonl"))) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode c = JSON.readTree(line);
                String id = c.get("id").asText();
                List<String> contexts = new ArrayList<>();
                if (c.has("contexts")) {
                    c.get("contexts").forEach(x -> contexts.add(x.asText()));
                } else {
                    contexts.add(c.get("text").asText());
                }
                boolean generic = "compress_prompt".equals(c.path("entry").asText());
                out.add(new ReferenceCase(id, model, contexts, c.get("params"), generic, expected.get(id)));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path modelDir() {
        return TestData.referenceVectors().resolve(model);
    }

    public boolean expectsError() {
        return expected.has("error");
    }

    /** The reference's parameters as engine options (word labels always on, as the fixtures record them). */
    public CompressionOptions options() {
        CompressionOptions.Builder b = compressPromptEntry ? CompressionOptions.compressPromptDefaults()
                : CompressionOptions.referenceBuilder();
        b.returnWordLabel(true);
        for (Iterator<Map.Entry<String, JsonNode>> it = params.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue();
            switch (e.getKey()) {
                case "rate": b.rate(v.asDouble()); break;
                case "target_token": b.targetToken(v.asDouble()); break;
                case "force_tokens": b.forceTokens(strings(v)); break;
                case "force_reserve_digit": b.forceReserveDigit(v.asBoolean()); break;
                case "drop_consecutive": b.dropConsecutive(v.asBoolean()); break;
                case "chunk_end_tokens": b.chunkEndTokens(strings(v)); break;
                case "token_to_word": b.tokenToWord(TokenToWord.valueOf(v.asText().toUpperCase())); break;
                case "use_context_level_filter": b.useContextLevelFilter(v.asBoolean()); break;
                case "use_token_level_filter": b.useTokenLevelFilter(v.asBoolean()); break;
                case "target_context": b.targetContext(v.asInt()); break;
                case "context_level_rate": b.contextLevelRate(v.asDouble()); break;
                case "context_level_target_token": b.contextLevelTargetToken(v.asDouble()); break;
                case "force_context_ids": {
                    List<Integer> ids = new ArrayList<>();
                    if (!v.isNull()) {
                        v.forEach(x -> ids.add(x.asInt()));
                    }
                    b.forceContextIds(ids);
                    break;
                }
                case "return_word_label": break;
                default: throw new IllegalArgumentException("unknown reference parameter " + e.getKey());
            }
        }
        return b.build();
    }

    static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(x -> out.add(x.asText()));
        return out;
    }

    @Override
    public String toString() {
        return model + "/" + id;
    }
}
