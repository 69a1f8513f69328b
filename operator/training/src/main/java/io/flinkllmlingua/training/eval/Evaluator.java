package io.flinkllmlingua.training.eval;

import io.flinkllmlingua.training.LabeledText;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Compares keep decisions with reference labels at the reference's rate: for each text, each method keeps exactly
 * {@code k} units, {@code k} = the reference's kept count, and its kept set is scored against the reference's
 * (precision, recall, F1 over units; with equal sizes the three coincide per text). Methods: the model (top-k of
 * {@link ModelKeepScores}, ties in text order), {@value #RANDOM} (the expected value over {@value #RANDOM_DRAWS}
 * seeded uniform draws of k units) and {@value #STOPWORD} (non-stopwords in text order, then stopwords). The
 * downstream view counts, per method and for the reference, the share of numbers, entities and content words
 * ({@link UnitClasses}) kept.
 */
public final class Evaluator {
    public static final String MODEL = "model";
    public static final String RANDOM = "random";
    public static final String STOPWORD = "stopword";
    public static final String REFERENCE = "reference";
    public static final int RANDOM_DRAWS = 200;
    public static final long RANDOM_SEED = 20240313L;

    private Evaluator() {}

    /**
     * @param model      the model under test, or null for the baselines only
     * @param modelName  how the report names the model (its directory), ignored without a model
     * @param references where the labels come from, for the report
     */
    public static EvaluationReport evaluate(List<LabeledText> texts, KeepScorer model, String modelName,
                                            String references) {
        List<EvaluationReport.TextResult> results = new ArrayList<>();
        for (LabeledText t : texts) {
            results.add(evaluate(t, model));
        }
        return EvaluationReport.of(model == null ? null : modelName, references, RANDOM_DRAWS, RANDOM_SEED, results);
    }

    static EvaluationReport.TextResult evaluate(LabeledText text, KeepScorer model) {
        boolean[] reference = text.labels();
        int n = reference.length;
        int k = text.keptCount();
        Stopwords stopwords = Stopwords.forLanguage(text.language());
        UnitClasses classes = UnitClasses.of(text, stopwords);
        Map<String, KeepMetrics> metrics = new LinkedHashMap<>();
        Map<String, ClassCounts> kept = new LinkedHashMap<>();
        Integer withoutToken = null;
        if (model != null) {
            KeepScorer.Scores scores = model.score(text);
            withoutToken = scores.unitsWithoutToken();
            boolean[] keep = KeepSelection.topK(scores.scores(), k);
            metrics.put(MODEL, KeepMetrics.of(keep, reference));
            kept.put(MODEL, ClassCounts.kept(keep, classes, 1));
        }
        // Seeded per text from its id, so a text's random baseline does not depend on the other texts.
        Random random = new Random(RANDOM_SEED ^ text.id().hashCode());
        double tp = 0;
        ClassCounts randomKept = ClassCounts.ZERO;
        for (int d = 0; d < RANDOM_DRAWS; d++) {
            boolean[] keep = KeepSelection.random(n, k, random);
            tp += KeepMetrics.of(keep, reference).truePositives();
            randomKept = randomKept.plus(ClassCounts.kept(keep, classes, RANDOM_DRAWS));
        }
        metrics.put(RANDOM, new KeepMetrics(tp / RANDOM_DRAWS, k, k));
        kept.put(RANDOM, randomKept);
        boolean[] stop = KeepSelection.stopwordBaseline(text, stopwords, k);
        metrics.put(STOPWORD, KeepMetrics.of(stop, reference));
        kept.put(STOPWORD, ClassCounts.kept(stop, classes, 1));
        kept.put(REFERENCE, ClassCounts.kept(reference, classes, 1));
        return new EvaluationReport.TextResult(text.id(), text.language(), n, k, withoutToken,
                ClassCounts.totals(classes), metrics, kept);
    }
}
