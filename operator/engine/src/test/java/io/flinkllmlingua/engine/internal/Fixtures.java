package io.flinkllmlingua.engine.internal;

import io.flinkllmlingua.testkit.TestData;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** The tiny reference tokenizers of src/test-data/reference-vectors, and their vocabularies read independently. */
final class Fixtures {
    static final String WORDPIECE = "wordpiece-tiny";
    static final String SENTENCEPIECE = "sentencepiece-tiny";

    private Fixtures() {}

    static Path dir(String name) {
        return TestData.referenceVectors().resolve(name);
    }

    static ModelTokenizer tokenizer(String name) {
        return ModelTokenizer.load(dir(name), null);
    }

    /** token → id straight from tokenizer.json (model.vocab plus added_tokens), without the engine's loader. */
    static Map<String, Integer> vocab(String name) {
        try {
            JsonNode root = new ObjectMapper().readTree(dir(name).resolve("tokenizer.json").toFile());
            Map<String, Integer> out = new HashMap<>();
            JsonNode v = root.path("model").path("vocab");
            if (v.isArray()) {
                for (int i = 0; i < v.size(); i++) {
                    out.put(v.get(i).get(0).asText(), i); // a repeated piece: its last index, as HF's Unigram
                }
            } else {
                v.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asInt()));
            }
            for (JsonNode t : root.path("added_tokens")) {
                out.put(t.path("content").asText(), t.path("id").asInt());
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
