package io.flinkllmlingua.training.internal;

import io.flinkllmlingua.training.HeadTraining;
import io.flinkllmlingua.training.LabeledText;
import io.flinkllmlingua.training.TokenOutputs;
import io.flinkllmlingua.training.TokenWindows;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;

/**
 * The training examples: one base-encoder hidden row per labelled token, with its label and the index of its text
 * (the validation split is by text, so no text is on both sides). Memory is bounded by {@code maxTokens} rows.
 *
 * @param rows        hidden rows, {@code width} floats each
 * @param labels      {@link TokenLabels#KEEP} or {@link TokenLabels#DROP}, one per row
 * @param texts       the text of each row: an index over distinct texts (labelled copies of one text share it)
 * @param textsUsed   texts read before {@code maxTokens} was reached (all of them when not {@code truncated})
 * @param truncated   whether {@code maxTokens} stopped the extraction
 * @param ignored     tokens without a label (in no unit-bearing chunk)
 * @param seconds     time spent in the encoder
 */
public record Features(List<float[]> rows, byte[] labels, int[] texts, int width, int textsUsed, boolean truncated,
                       long ignored, double seconds) {

    private static final long PROGRESS_SCALE = 1_000_000;

    private static long done(double textsDone, int texts, long rows, long maxTokens) {
        return (long) (PROGRESS_SCALE * Math.max(textsDone / texts, (double) rows / maxTokens));
    }

    public int size() {
        return rows.size();
    }

    /** Runs {@code base}'s encoder over the texts in order until {@code maxTokens} labelled tokens. */
    public static Features extract(Path base, List<LabeledText> texts, long maxTokens, int threads,
                                   ProgressBar progress) {
        List<float[]> rows = new ArrayList<>();
        ByteList labels = new ByteList();
        ByteList.Ints owner = new ByteList.Ints();
        long ignored = 0;
        int used = 0;
        boolean truncated = false;
        int width = -1;
        long t0 = System.nanoTime();
        // The phase ends at the last text or at maxTokens, whichever comes first: the bar shows the further one.
        progress.start(PROGRESS_SCALE);
        try (TokenWindows windows = TokenWindows.open(base, TokenWindows.DEFAULT_MAX_LENGTH);
             TokenOutputs encoder = new TokenOutputs(base, HeadTraining.FEATURE_OUTPUTS, threads)) {
            long encoded = 0;
            // Labelled copies of one text (a teacher's several rates) come one after another: encode it once and
            // share its rows, which also shares their memory.
            int previousGroup = -1;
            List<float[][]> previousHidden = new ArrayList<>();
            // A row's owner is its text, not its record: copies of one text stay on one side of the validation split.
            Map<String, Integer> groups = new HashMap<>();
            outer:
            for (int t = 0; t < texts.size(); t++) {
                LabeledText text = texts.get(t);
                TokenWindows.Tokens tokens = windows.tokens(text.text());
                byte[] tokenLabels = TokenLabels.of(text, tokens);
                int group = groups.computeIfAbsent(text.text(), k -> groups.size());
                boolean reuse = group == previousGroup;
                if (!reuse) {
                    previousGroup = group;
                    previousHidden.clear();
                }
                List<TokenWindows.Window> textWindows = windows.windows(tokens);
                for (int wi = 0; wi < textWindows.size(); wi++) {
                    TokenWindows.Window w = textWindows.get(wi);
                    float[][] hidden;
                    if (reuse) {
                        hidden = previousHidden.get(wi);
                    } else {
                        hidden = encoder.run(w);
                        previousHidden.add(hidden);
                        encoded += w.count();
                    }
                    for (int i = 0; i < w.count(); i++) {
                        byte label = tokenLabels[w.from() + i];
                        if (label == TokenLabels.IGNORED) {
                            ignored++;
                            continue;
                        }
                        if (rows.size() >= maxTokens) {
                            truncated = true;
                            break outer;
                        }
                        width = hidden[i].length;
                        rows.add(hidden[i]);
                        labels.add(label);
                        owner.add(group);
                    }
                    progress.update(done(t + (double) (w.from() + w.count()) / Math.max(1, tokens.size()),
                            texts.size(), rows.size(), maxTokens), encoded, String.format(Locale.ROOT,
                            "features: %,d/%,d tokens (--max-tokens), text %,d/%,d", rows.size(), maxTokens, t + 1,
                            texts.size()));
                }
                used = t + 1;
            }
            progress.finish(PROGRESS_SCALE, encoded, String.format(Locale.ROOT,
                    "features: %,d tokens from %,d/%,d texts%s", rows.size(), used, texts.size(),
                    truncated ? " (stopped at --max-tokens)" : ""));
        }
        return new Features(rows, labels.toArray(), owner.toArray(), width, used, truncated, ignored,
                (System.nanoTime() - t0) / 1e9);
    }

    /** A growable byte array (and an int one): labels and owners of a few hundred thousand rows. */
    static final class ByteList {
        private byte[] data = new byte[1024];
        private int size;

        void add(byte b) {
            if (size == data.length) {
                data = java.util.Arrays.copyOf(data, size * 2);
            }
            data[size++] = b;
        }

        byte[] toArray() {
            return java.util.Arrays.copyOf(data, size);
        }

        static final class Ints {
            private int[] data = new int[1024];
            private int size;

            void add(int v) {
                if (size == data.length) {
                    data = java.util.Arrays.copyOf(data, size * 2);
                }
                data[size++] = v;
            }

            int[] toArray() {
                return java.util.Arrays.copyOf(data, size);
            }
        }
    }
}
