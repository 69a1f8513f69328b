package io.flinkllmlingua.training.eval;

import io.flinkllmlingua.training.LabeledText;
import io.flinkllmlingua.training.TokenOutputs;
import io.flinkllmlingua.training.TokenWindows;

import java.nio.file.Path;

/**
 * A model's keep score per unit: the mean, over the tokens whose span overlaps the unit, of the keep probability
 * {@code softmax(logits)[1]} (the LLMLingua-2 head's class 1 is "keep"). A unit no token overlaps scores 0 and is
 * counted in {@link Scores#unitsWithoutToken}.
 */
public final class ModelKeepScores implements KeepScorer, AutoCloseable {
    public static final String OUTPUT = "logits";

    private final Path modelDir;
    private final TokenWindows windows;
    private final TokenOutputs outputs;

    public ModelKeepScores(Path modelDir, int threads) {
        this.modelDir = modelDir;
        this.windows = TokenWindows.open(modelDir, TokenWindows.DEFAULT_MAX_LENGTH);
        TokenOutputs o;
        try {
            o = new TokenOutputs(modelDir, OUTPUT, threads);
        } catch (RuntimeException e) {
            windows.close();
            throw e;
        }
        this.outputs = o;
        if (outputs.width().isPresent() && outputs.width().get() != 2) {
            close();
            throw new IllegalArgumentException(modelDir.resolve("model.onnx") + ": output '" + OUTPUT + "' has "
                    + "width " + outputs.width().get() + "; a keep/drop classifier has 2");
        }
    }

    public Path modelDir() {
        return modelDir;
    }

    @Override
    public Scores score(LabeledText text) {
        TokenWindows.Tokens tokens = windows.tokens(text.text());
        double[] keep = new double[tokens.size()];
        for (TokenWindows.Window w : windows.windows(tokens)) {
            float[][] logits = outputs.run(w);
            for (int j = 0; j < w.count(); j++) {
                // softmax over two classes: p(keep) = 1 / (1 + exp(l0 - l1))
                keep[w.from() + j] = 1.0 / (1.0 + Math.exp((double) logits[j][0] - logits[j][1]));
            }
        }
        int n = text.units().size();
        double[] sum = new double[n];
        int[] count = new int[n];
        // Tokens and units are both in text order: one merge pass.
        int u = 0;
        for (int t = 0; t < tokens.size(); t++) {
            int s = tokens.starts()[t];
            int e = tokens.ends()[t];
            if (s < 0 || e <= s) {
                continue;
            }
            while (u < n && text.units().get(u).end() <= s) {
                u++;
            }
            for (int v = u; v < n && text.units().get(v).start() < e; v++) {
                sum[v] += keep[t];
                count[v]++;
            }
        }
        double[] scores = new double[n];
        int without = 0;
        for (int i = 0; i < n; i++) {
            if (count[i] == 0) {
                without++;
            } else {
                scores[i] = sum[i] / count[i];
            }
        }
        return new Scores(scores, without);
    }

    @Override
    public void close() {
        try {
            outputs.close();
        } finally {
            windows.close();
        }
    }
}
