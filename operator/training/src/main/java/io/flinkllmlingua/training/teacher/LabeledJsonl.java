package io.flinkllmlingua.training.teacher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flinkllmlingua.training.LabeledText;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Word-labelled JSONL, one {@link LabeledText} a line: {@code {"id", "language", "text", "labels": [1, 0, ...]}},
 * one 0/1 per unit of {@code text} as {@link io.flinkllmlingua.training.TextUnits#split} finds them. A stand-in
 * until the training package's own JSON form of LabeledText lands; then this class goes and its callers use that.
 */
public final class LabeledJsonl {
    private static final ObjectMapper JSON = new ObjectMapper();

    private LabeledJsonl() {}

    public static String toLine(LabeledText labeled) {
        ObjectNode node = JSON.createObjectNode();
        node.put("id", labeled.id());
        node.put("language", labeled.language());
        node.put("text", labeled.text());
        ArrayNode labels = node.putArray("labels");
        for (LabeledText.Unit u : labeled.units()) {
            labels.add(u.keep() ? 1 : 0);
        }
        return node.toString();
    }

    public static LabeledText fromLine(String line) throws IOException {
        JsonNode node = JSON.readTree(line);
        JsonNode labels = node.path("labels");
        if (!node.path("text").isTextual() || !labels.isArray()) {
            throw new IOException("not a labelled text (needs \"text\" and \"labels\"): " + abbreviate(line));
        }
        boolean[] keep = new boolean[labels.size()];
        for (int i = 0; i < keep.length; i++) {
            keep[i] = labels.get(i).asInt() == 1;
        }
        return LabeledText.of(node.path("id").asText(""), node.path("language").asText("und"),
                node.get("text").asText(), keep);
    }

    public static void write(Writer out, LabeledText labeled) throws IOException {
        out.write(toLine(labeled));
        out.write('\n');
    }

    public static List<LabeledText> read(Path file) throws IOException {
        List<LabeledText> out = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int number = 0;
            while ((line = in.readLine()) != null) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                try {
                    out.add(fromLine(line));
                } catch (IOException | IllegalArgumentException e) {
                    throw new IOException(file + ":" + number + ": " + e.getMessage(), e);
                }
            }
        }
        return out;
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }
}
