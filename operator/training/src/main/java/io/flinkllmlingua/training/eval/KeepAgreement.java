package io.flinkllmlingua.training.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flinkllmlingua.engine.CompressionOptions;
import io.flinkllmlingua.engine.CompressionResult;
import io.flinkllmlingua.engine.EngineConfig;
import io.flinkllmlingua.engine.ModelBatch;
import io.flinkllmlingua.engine.ModelSession;
import io.flinkllmlingua.engine.PromptCompressor;
import io.flinkllmlingua.engine.WordLabel;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How often two models make the same keep decisions (e.g. an int8 copy against its float source, or a third-party
 * int8 export against the float one), measured two ways on the same texts:
 * <ul>
 *   <li>words: the share of words whose keep/drop label from the real engine ({@link PromptCompressor}, the
 *       product's default options at {@link #DEFAULT_RATE}) is the same;</li>
 *   <li>tokens: the share of real (unpadded) tokens on the same side of {@code p(keep) > 0.5}, from the outputs
 *       each engine recorded for its model calls ({@link ModelBatch#keepProbabilities()}); one pass per model. If
 *       the two engines made different calls, the second model is run on the first one's ({@link ModelSession}).</li>
 * </ul>
 * Both models must share a tokenizer (the word lists are compared position by position).
 */
public final class KeepAgreement {
    public static final double DEFAULT_RATE = 0.5;
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param texts      texts compared
     * @param words      words compared (of the first model's labels)
     * @param sameWords  words with the same label
     * @param tokens     real tokens compared
     * @param sameTokens tokens on the same side of 0.5
     * @param maxProbabilityDifference the largest |p_a - p_b| over the tokens
     */
    public record Result(int texts, long words, long sameWords, long tokens, long sameTokens,
                         double maxProbabilityDifference) {
        public double wordAgreement() {
            return words == 0 ? 1.0 : (double) sameWords / words;
        }

        public double tokenAgreement() {
            return tokens == 0 ? 1.0 : (double) sameTokens / tokens;
        }

        public String summary() {
            return String.format(Locale.ROOT, "word keep agreement %.2f%% (%d of %d words), token p>0.5 agreement"
                            + " %.2f%% (%d of %d tokens), max |p diff| %.4f, over %d texts",
                    100 * wordAgreement(), sameWords, words, 100 * tokenAgreement(), sameTokens, tokens,
                    maxProbabilityDifference, texts);
        }
    }

    private KeepAgreement() {}

    /** The {@code text} fields of a JSONL corpus, at most {@code limit} (0: all), blank ones skipped. */
    public static List<String> readCorpus(Path jsonl, int limit) throws IOException {
        List<String> texts = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(jsonl)) {
            String line;
            int n = 0;
            while ((line = r.readLine()) != null && (limit <= 0 || texts.size() < limit)) {
                n++;
                if (line.isBlank()) {
                    continue;
                }
                JsonNode node;
                try {
                    node = JSON.readTree(line);
                } catch (IOException e) {
                    throw new IllegalArgumentException(jsonl + " line " + n + " is not JSON");
                }
                JsonNode text = node.get("text");
                if (text == null || !text.isTextual()) {
                    throw new IllegalArgumentException(jsonl + " line " + n + " has no string field 'text'");
                }
                if (!text.asText().isBlank()) {
                    texts.add(text.asText());
                }
            }
        }
        return texts;
    }

    /** Compares {@code a} and {@code b} on {@code texts} at {@link #DEFAULT_RATE}. */
    public static Result compare(Path a, Path b, List<String> texts) {
        return compare(a, b, texts, DEFAULT_RATE);
    }

    public static Result compare(Path a, Path b, List<String> texts, double rate) {
        CompressionOptions options = CompressionOptions.builder().rate(rate).returnWordLabel(true).build();
        Pass pa = Pass.run(a, texts, options);
        Pass pb = Pass.run(b, texts, options);
        long words = 0;
        long same = 0;
        for (int i = 0; i < texts.size(); i++) {
            List<WordLabel> la = pa.labels.get(i);
            List<WordLabel> lb = pb.labels.get(i);
            words += la.size();
            for (int w = 0; w < Math.min(la.size(), lb.size()); w++) {
                if (la.get(w).kept() == lb.get(w).kept() && la.get(w).word().equals(lb.get(w).word())) {
                    same++;
                }
            }
        }
        // Token decisions: the outputs both engines recorded. With one tokenizer and one sequence per call the two
        // passes made the same calls; otherwise b's model is run on a's calls.
        List<float[]> probsB = sameCalls(pa.batches, pb.batches) ? pb.batches.stream()
                .map(ModelBatch::keepProbabilities).toList() : rerun(b, pa.batches);
        long tokens = 0;
        long sameTokens = 0;
        double maxDiff = 0;
        for (int k = 0; k < pa.batches.size(); k++) {
            float[] x = pa.batches.get(k).keepProbabilities();
            float[] y = probsB.get(k);
            long[] mask = pa.batches.get(k).attentionMask();
            for (int i = 0; i < x.length; i++) {
                if (mask[i] == 0) {
                    continue;
                }
                tokens++;
                if ((x[i] > 0.5f) == (y[i] > 0.5f)) {
                    sameTokens++;
                }
                maxDiff = Math.max(maxDiff, Math.abs(x[i] - y[i]));
            }
        }
        return new Result(texts.size(), words, same, tokens, sameTokens, maxDiff);
    }

    /** One model's engine over the texts: its word labels and its model calls with their outputs. */
    private record Pass(List<List<WordLabel>> labels, List<ModelBatch> batches) {
        static Pass run(Path model, List<String> texts, CompressionOptions options) {
            List<List<WordLabel>> labels = new ArrayList<>();
            List<ModelBatch> batches = java.util.Collections.synchronizedList(new ArrayList<>());
            try (PromptCompressor c = PromptCompressor.open(config(model))) {
                c.modelBatchListener(batches::add);
                for (String t : texts) {
                    labels.add(KeepAgreement.labels(c.compress(List.of(t), options)));
                }
                c.modelBatchListener(null);
            }
            return new Pass(labels, List.copyOf(batches));
        }
    }

    private static boolean sameCalls(List<ModelBatch> a, List<ModelBatch> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int k = 0; k < a.size(); k++) {
            if (!java.util.Arrays.equals(a.get(k).inputIds(), b.get(k).inputIds())
                    || !java.util.Arrays.equals(a.get(k).attentionMask(), b.get(k).attentionMask())) {
                return false;
            }
        }
        return true;
    }

    private static List<float[]> rerun(Path model, List<ModelBatch> batches) {
        List<float[]> out = new ArrayList<>();
        try (ModelSession s = ModelSession.open(config(model))) {
            for (ModelBatch batch : batches) {
                out.add(s.run(batch));
            }
        }
        return out;
    }

    private static List<WordLabel> labels(CompressionResult r) {
        List<WordLabel> all = new ArrayList<>();
        r.wordLabels().forEach(all::addAll);
        return all;
    }

    /**
     * One sequence per model call at its exact length: the CPU plan, and results independent of batching; one
     * session, so that both models' calls are recorded in the same order.
     */
    private static EngineConfig config(Path dir) {
        return EngineConfig.builder(dir).maxBatchSequences(1).lengthBucket(1).sessions(1).build();
    }
}
