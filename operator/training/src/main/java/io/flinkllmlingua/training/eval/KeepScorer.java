package io.flinkllmlingua.training.eval;

import io.flinkllmlingua.training.LabeledText;

/** What evaluation ranks units by: a keep score per unit of a text (higher is kept first). */
public interface KeepScorer {
    /** Per unit scores of one text, and how many units got no score from the scorer (scored 0). */
    record Scores(double[] scores, int unitsWithoutToken) {}

    Scores score(LabeledText text);
}
