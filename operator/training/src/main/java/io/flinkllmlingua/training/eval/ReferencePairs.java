package io.flinkllmlingua.training.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flinkllmlingua.training.LabeledText;
import io.flinkllmlingua.training.PairAligner;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reference labels from a JSONL file of original/compressed pairs, one object per line: {@code original} or
 * {@code prompt}, {@code compressed} or {@code compressed_prompt} (strings), optional {@code language} (default
 * {@code und}) and {@code id} (default {@code FILE:LINE}); each aligned with {@link PairAligner}. Blank lines are
 * skipped. A bad line is an {@link IllegalArgumentException} naming the file and line: evaluation needs every
 * reference, so none is dropped silently.
 */
public final class ReferencePairs {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ReferencePairs() {}

    public static List<LabeledText> read(Path file) throws IOException {
        List<LabeledText> out = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            int lineNo = 0;
            for (String line; (line = r.readLine()) != null; ) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                String where = file + ":" + lineNo;
                JsonNode node;
                try {
                    node = JSON.readTree(line);
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    throw new IllegalArgumentException(where + ": not a JSON object: "
                            + e.getOriginalMessage());
                }
                if (node == null || !node.isObject()) {
                    throw new IllegalArgumentException(where + ": not a JSON object");
                }
                String original = text(node, where, "original", "prompt");
                String compressed = text(node, where, "compressed", "compressed_prompt");
                String id = node.hasNonNull("id") ? node.get("id").asText() : where;
                String language = node.hasNonNull("language") ? node.get("language").asText() : "und";
                out.add(PairAligner.align(id, language, original, compressed).labels());
            }
        }
        return out;
    }

    private static String text(JsonNode node, String where, String name, String alternative) {
        JsonNode v = node.hasNonNull(name) ? node.get(name) : node.get(alternative);
        if (v == null || !v.isTextual()) {
            throw new IllegalArgumentException(where + ": needs a string '" + name + "' or '" + alternative + "'");
        }
        return v.asText();
    }
}
