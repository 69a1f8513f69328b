package io.flinkllmlingua.training;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads training data: JSONL files whose lines are each one of
 * <ul>
 *   <li>a pair, {@code prompt}/{@code compressed_prompt} (MeetingBank-LLMCompressed), their list forms
 *       {@code prompt_list}/{@code compressed_prompt_list} (aligned element by element), or
 *       {@code original}/{@code compressed}: labelled by {@link PairAligner}; a pair its quality checks reject is
 *       counted and listed in {@link Loaded#rejected}, not used;</li>
 *   <li>word labels, {@code {"words": [...], "labels": [true|false|0|1, ...], "text"?: ...}}: each word's label goes
 *       to the {@link TextUnits units} inside it; without {@code text} the text is the words joined by spaces, with
 *       it each word is found in the text in order;</li>
 *   <li>a {@link LabeledText} in {@link LabeledTextJson its JSON form}.</li>
 * </ul>
 * Optional {@code id} (default {@code file:line}) and {@code language} (default {@code und}) on every form. A line
 * that is none of these, or malformed, fails the whole read with its file and line number.
 */
public final class TrainingData {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The pair quality limits of {@link PairAligner.Result#acceptable}. */
    public record PairLimits(double maxVariationRate, double maxAlignmentGap) {
        public static final PairLimits DEFAULTS = new PairLimits(PairAligner.DEFAULT_MAX_VARIATION_RATE,
                PairAligner.DEFAULT_MAX_ALIGNMENT_GAP);
    }

    /** A pair the aligner's quality checks refused. */
    public record Rejected(String id, double variationRate, double alignmentGap) {}

    /**
     * @param texts    the labelled texts, in file and line order
     * @param pairs    pairs read (accepted and rejected)
     * @param rejected the pairs refused by the quality checks
     * @param labelled texts read already labelled (word labels or LabeledText JSON)
     */
    public record Loaded(List<LabeledText> texts, int pairs, List<Rejected> rejected, int labelled) {}

    private TrainingData() {}

    public static Loaded read(List<Path> files, PairLimits limits) throws IOException {
        List<LabeledText> texts = new ArrayList<>();
        List<Rejected> rejected = new ArrayList<>();
        int[] counts = new int[2]; // pairs, labelled
        for (Path file : files) {
            try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                String line;
                int number = 0;
                while ((line = r.readLine()) != null) {
                    number++;
                    if (line.isBlank()) {
                        continue;
                    }
                    String where = file + ":" + number;
                    try {
                        readLine(line, where, limits, texts, rejected, counts);
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
                    }
                }
            }
        }
        return new Loaded(List.copyOf(texts), counts[0], List.copyOf(rejected), counts[1]);
    }

    private static void readLine(String line, String where, PairLimits limits, List<LabeledText> texts,
                                 List<Rejected> rejected, int[] counts) {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage());
        }
        if (!node.isObject()) {
            throw new IllegalArgumentException("expected a JSON object");
        }
        String id = node.hasNonNull("id") ? node.get("id").asText() : where;
        String language = node.hasNonNull("language") ? node.get("language").asText() : "und";
        if (node.has("prompt_list") || node.has("compressed_prompt_list")) {
            List<String> originals = stringList(node, "prompt_list");
            List<String> compressed = stringList(node, "compressed_prompt_list");
            if (originals.size() != compressed.size()) {
                throw new IllegalArgumentException("'prompt_list' has " + originals.size()
                        + " elements, 'compressed_prompt_list' " + compressed.size());
            }
            for (int i = 0; i < originals.size(); i++) {
                pair(id + "#" + i, language, originals.get(i), compressed.get(i), limits, texts, rejected);
                counts[0]++;
            }
        } else if (node.has("prompt") || node.has("compressed_prompt")) {
            pair(id, language, LabeledTextJson.requireText(node, "prompt"),
                    LabeledTextJson.requireText(node, "compressed_prompt"), limits, texts, rejected);
            counts[0]++;
        } else if (node.has("original") || node.has("compressed")) {
            pair(id, language, LabeledTextJson.requireText(node, "original"),
                    LabeledTextJson.requireText(node, "compressed"), limits, texts, rejected);
            counts[0]++;
        } else if (node.has("words")) {
            texts.add(fromWords(node, id, language));
            counts[1]++;
        } else if (LabeledTextJson.matches(node)) {
            texts.add(LabeledTextJson.fromJson(node, where));
            counts[1]++;
        } else {
            throw new IllegalArgumentException("not a training record: expected prompt/compressed_prompt, "
                    + "prompt_list/compressed_prompt_list, original/compressed, words/labels or text/units");
        }
    }

    private static void pair(String id, String language, String original, String compressed, PairLimits limits,
                             List<LabeledText> texts, List<Rejected> rejected) {
        PairAligner.Result r = PairAligner.align(id, language, original, compressed);
        if (r.acceptable(limits.maxVariationRate(), limits.maxAlignmentGap())) {
            texts.add(r.labels());
        } else {
            rejected.add(new Rejected(id, r.variationRate(), r.alignmentGap()));
        }
    }

    /** Word labels to unit labels: every unit inside a word gets the word's label. */
    static LabeledText fromWords(JsonNode node, String id, String language) {
        List<String> words = stringList(node, "words");
        JsonNode labels = node.get("labels");
        if (labels == null || !labels.isArray()) {
            throw new IllegalArgumentException("'labels' must be an array");
        }
        if (labels.size() != words.size()) {
            throw new IllegalArgumentException(words.size() + " words but " + labels.size() + " labels");
        }
        String text = node.hasNonNull("text") ? LabeledTextJson.requireText(node, "text") : String.join(" ", words);
        List<LabeledText.Unit> units = new ArrayList<>();
        int cursor = 0;
        for (int i = 0; i < words.size(); i++) {
            String word = words.get(i);
            boolean keep = label(labels.get(i), i);
            int at = text.indexOf(word, cursor);
            if (at < 0) {
                throw new IllegalArgumentException("word " + i + " '" + word + "' is not in the text after offset "
                        + cursor);
            }
            for (TextUnits.Span s : TextUnits.split(word)) {
                units.add(new LabeledText.Unit(at + s.start(), at + s.end(), keep));
            }
            cursor = at + word.length();
        }
        return new LabeledText(id, language, text, units);
    }

    private static boolean label(JsonNode v, int i) {
        if (v.isBoolean()) {
            return v.asBoolean();
        }
        if (v.isInt() && (v.asInt() == 0 || v.asInt() == 1)) {
            return v.asInt() == 1;
        }
        throw new IllegalArgumentException("label " + i + " is " + v + "; expected true, false, 0 or 1");
    }

    private static List<String> stringList(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || !v.isArray()) {
            throw new IllegalArgumentException("'" + field + "' must be an array of strings");
        }
        List<String> out = new ArrayList<>(v.size());
        for (JsonNode e : v) {
            if (!e.isTextual()) {
                throw new IllegalArgumentException("'" + field + "' must be an array of strings, has " + e);
            }
            out.add(e.asText());
        }
        return out;
    }
}
