package io.flinkllmlingua.training;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;

/**
 * The JSON form of a {@link LabeledText}, one object per JSONL line, written and read here only:
 * {@code {"id": ..., "language": ..., "text": ..., "units": [{"start": 0, "end": 3, "keep": true}, ...]}} with
 * UTF-16 offsets into {@code text}, end exclusive. {@code id} and {@code language} are optional when reading.
 */
public final class LabeledTextJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private LabeledTextJson() {}

    public static ObjectNode toJson(LabeledText t) {
        ObjectNode o = JSON.createObjectNode();
        o.put("id", t.id());
        o.put("language", t.language());
        o.put("text", t.text());
        ArrayNode units = o.putArray("units");
        for (LabeledText.Unit u : t.units()) {
            units.addObject().put("start", u.start()).put("end", u.end()).put("keep", u.keep());
        }
        return o;
    }

    /** One JSONL line (no line break). */
    public static String toLine(LabeledText t) {
        try {
            return JSON.writeValueAsString(toJson(t));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e); // a tree of strings, numbers and booleans always serialises
        }
    }

    /** Whether {@code node} has this form's fields ({@code text} and {@code units}). */
    public static boolean matches(JsonNode node) {
        return node.has("text") && node.has("units");
    }

    /**
     * @param defaultId used when the object has no {@code id}
     * @throws IllegalArgumentException when a field is missing or of the wrong type, or a span is out of order
     */
    public static LabeledText fromJson(JsonNode node, String defaultId) {
        String text = requireText(node, "text");
        String id = node.hasNonNull("id") ? node.get("id").asText() : defaultId;
        String language = node.hasNonNull("language") ? node.get("language").asText() : "und";
        JsonNode units = node.get("units");
        if (!units.isArray()) {
            throw new IllegalArgumentException("'units' must be an array");
        }
        List<LabeledText.Unit> out = new ArrayList<>(units.size());
        for (JsonNode u : units) {
            if (!u.path("start").isInt() || !u.path("end").isInt() || !u.path("keep").isBoolean()) {
                throw new IllegalArgumentException("each unit needs integer 'start', 'end' and boolean 'keep': " + u);
            }
            out.add(new LabeledText.Unit(u.get("start").asInt(), u.get("end").asInt(), u.get("keep").asBoolean()));
        }
        return new LabeledText(id, language, text, out);
    }

    static String requireText(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || !v.isTextual()) {
            throw new IllegalArgumentException("'" + field + "' must be a string");
        }
        return v.asText();
    }
}
