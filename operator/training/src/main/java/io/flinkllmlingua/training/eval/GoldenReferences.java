package io.flinkllmlingua.training.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flinkllmlingua.training.LabeledText;
import io.flinkllmlingua.training.PairAligner;
import io.flinkllmlingua.training.TextUnits;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The reference labels of the real LLMLingua-2 model: the golden cases of microsoft/LLMLingua's tests (XLM-R large,
 * MIT licence; provenance in {@code golden-llmlingua2.json} next to this class), each aligned to its original with
 * {@link PairAligner}.
 *
 * <p>A case with several contexts ran the reference's context-level filter, which dropped whole contexts before
 * the token-level compression; the compressed prompt is the kept contexts' compressions joined. The kept contexts
 * are found by {@link #keptContexts}: a context is kept iff some {@value #DISTINCT_RUN} consecutive units of the
 * compressed text occur consecutively in it and in no other context. The evaluated text is the kept contexts
 * joined with a blank line (as the reference joins them), so dropped contexts neither count as dropped words (the
 * token classifier under test makes no context decision) nor attract the alignment of common words.
 *
 * <p>Cases marked {@code "use": false} in the resource are left out, each with its reason there: case 2 is the text
 * of case 1 split in two, case 5 repeats the text of case 3.
 */
public final class GoldenReferences {
    static final String RESOURCE = "golden-llmlingua2.json";
    /** Units in a row that identify a kept context (4: long enough to be specific, short enough for case 2's runs). */
    static final int DISTINCT_RUN = 4;

    /** One used case: its labels and the alignment that produced them. */
    public record Case(String id, String language, List<Integer> keptContexts, int contexts,
                       PairAligner.Result alignment) {
        public LabeledText labels() {
            return alignment.labels();
        }
    }

    private GoldenReferences() {}

    /** The labelled texts of the used cases, in the file's order. */
    public static List<LabeledText> load() {
        List<LabeledText> out = new ArrayList<>();
        for (Case c : cases()) {
            out.add(c.labels());
        }
        return out;
    }

    /** The used cases with their alignment figures. */
    public static List<Case> cases() {
        JsonNode root = read();
        List<Case> out = new ArrayList<>();
        for (JsonNode c : root.get("cases")) {
            if (!c.get("use").asBoolean()) {
                continue;
            }
            List<String> contexts = new ArrayList<>();
            c.get("contexts").forEach(x -> contexts.add(x.asText()));
            String compressed = c.get("compressed_prompt").asText();
            List<Integer> kept = keptContexts(contexts, compressed);
            if (kept.isEmpty()) {
                throw new IllegalStateException(c.get("id").asText() + ": no context matches its compressed prompt");
            }
            StringBuilder original = new StringBuilder();
            for (int i : kept) {
                original.append(original.isEmpty() ? "" : "\n\n").append(contexts.get(i));
            }
            String id = c.get("id").asText();
            out.add(new Case(id, c.get("language").asText(), kept, contexts.size(),
                    PairAligner.align(id, c.get("language").asText(), original.toString(), compressed)));
        }
        return out;
    }

    /** The contexts the reference's context filter kept (all of them when there is one). */
    static List<Integer> keptContexts(List<String> contexts, String compressed) {
        if (contexts.size() == 1) {
            return List.of(0);
        }
        List<Set<List<String>>> runs = new ArrayList<>();
        for (String c : contexts) {
            runs.add(runs(TextUnits.keys(c)));
        }
        Set<List<String>> compressedRuns = runs(TextUnits.keys(compressed));
        List<Integer> kept = new ArrayList<>();
        for (int i = 0; i < contexts.size(); i++) {
            for (List<String> run : compressedRuns) {
                if (runs.get(i).contains(run) && onlyIn(runs, i, run)) {
                    kept.add(i);
                    break;
                }
            }
        }
        return kept;
    }

    private static boolean onlyIn(List<Set<List<String>>> runs, int context, List<String> run) {
        for (int j = 0; j < runs.size(); j++) {
            if (j != context && runs.get(j).contains(run)) {
                return false;
            }
        }
        return true;
    }

    private static Set<List<String>> runs(List<String> keys) {
        Set<List<String>> out = new HashSet<>();
        for (int i = 0; i + DISTINCT_RUN <= keys.size(); i++) {
            out.add(List.copyOf(keys.subList(i, i + DISTINCT_RUN)));
        }
        return out;
    }

    private static JsonNode read() {
        try (InputStream in = GoldenReferences.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("resource " + RESOURCE + " missing from the training module");
            }
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }
}
