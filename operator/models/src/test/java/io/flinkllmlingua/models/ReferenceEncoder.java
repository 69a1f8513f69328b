package io.flinkllmlingua.models;

/**
 * An independent forward pass of BERT / XLM-R in plain Java doubles, straight from the PyTorch-layout tensors of a
 * {@link TestCheckpoint} (no ONNX, no shared code with the importer): embeddings + LayerNorm, post-LN layers with
 * masked multi-head attention and erf-GELU feed-forward, then the classifier (or the last hidden state).
 */
final class ReferenceEncoder {
    private final TestCheckpoint c;

    ReferenceEncoder(TestCheckpoint c) {
        this.c = c;
    }

    /** Output {@code [seq][2]} logits, or {@code [seq][hidden]} without a classifier, for one sequence. */
    double[][] forward(long[] ids, long[] mask) {
        boolean bert = c.family == GeneratedFamily.WORDPIECE;
        int s = ids.length;
        int h = c.hidden;
        double[][] x = new double[s][h];
        TestCheckpoint.Tensor word = c.tensor("embeddings.word_embeddings.weight");
        TestCheckpoint.Tensor pos = c.tensor("embeddings.position_embeddings.weight");
        TestCheckpoint.Tensor type = c.tensor("embeddings.token_type_embeddings.weight");
        int nonPad = 0;
        for (int t = 0; t < s; t++) {
            int row = (int) ids[t];
            // Rows past the checkpoint's embedding are the placeholders the importer filled from the unknown token.
            int wordRow = row < c.vocabRows ? row : unkId();
            int position;
            if (bert) {
                position = t;
            } else if (ids[t] != c.padId) {
                position = c.padId + ++nonPad;
            } else {
                position = c.padId;
            }
            for (int j = 0; j < h; j++) {
                x[t][j] = word.at(wordRow, j) + pos.at(position, j) + type.at(0, j);
            }
        }
        x = layerNorm(x, "embeddings.LayerNorm");
        int heads = c.heads;
        int d = h / heads;
        for (int l = 0; l < c.layers; l++) {
            String p = "encoder.layer." + l + ".";
            double[][] q = linear(x, p + "attention.self.query");
            double[][] k = linear(x, p + "attention.self.key");
            double[][] v = linear(x, p + "attention.self.value");
            double[][] ctx = new double[s][h];
            for (int head = 0; head < heads; head++) {
                for (int i = 0; i < s; i++) {
                    double[] w = new double[s];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < s; j++) {
                        if (mask[j] == 0) {
                            w[j] = Double.NEGATIVE_INFINITY;
                            continue;
                        }
                        double dot = 0;
                        for (int m = 0; m < d; m++) {
                            dot += q[i][head * d + m] * k[j][head * d + m];
                        }
                        w[j] = dot / Math.sqrt(d);
                        max = Math.max(max, w[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j < s; j++) {
                        w[j] = mask[j] == 0 ? 0 : Math.exp(w[j] - max);
                        sum += w[j];
                    }
                    for (int j = 0; j < s; j++) {
                        for (int m = 0; m < d; m++) {
                            ctx[i][head * d + m] += w[j] / sum * v[j][head * d + m];
                        }
                    }
                }
            }
            x = layerNorm(add(linear(ctx, p + "attention.output.dense"), x), p + "attention.output.LayerNorm");
            double[][] inter = linear(x, p + "intermediate.dense");
            for (double[] row : inter) {
                for (int j = 0; j < row.length; j++) {
                    row[j] = 0.5 * row[j] * (1 + erf(row[j] / Math.sqrt(2)));
                }
            }
            x = layerNorm(add(linear(inter, p + "output.dense"), x), p + "output.LayerNorm");
        }
        return c.classifier ? linear(x, "classifier") : x;
    }

    private int unkId() {
        return c.family == GeneratedFamily.WORDPIECE ? GeneratedVocabulary.WP_UNK : GeneratedVocabulary.SP_UNK;
    }

    /** {@code x W^T + b} with W in PyTorch's {@code [out, in]} layout. */
    private double[][] linear(double[][] x, String name) {
        TestCheckpoint.Tensor w = c.tensor(name + ".weight");
        TestCheckpoint.Tensor b = c.tensor(name + ".bias");
        int out = (int) w.shape()[0];
        int in = (int) w.shape()[1];
        double[][] y = new double[x.length][out];
        for (int t = 0; t < x.length; t++) {
            for (int o = 0; o < out; o++) {
                double acc = b.values()[o];
                for (int i = 0; i < in; i++) {
                    acc += x[t][i] * w.values()[o * in + i];
                }
                y[t][o] = acc;
            }
        }
        return y;
    }

    private static double[][] add(double[][] a, double[][] b) {
        double[][] y = new double[a.length][a[0].length];
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[0].length; j++) {
                y[i][j] = a[i][j] + b[i][j];
            }
        }
        return y;
    }

    private double[][] layerNorm(double[][] x, String name) {
        float[] g = c.tensor(name + ".weight").values();
        float[] b = c.tensor(name + ".bias").values();
        double[][] y = new double[x.length][x[0].length];
        for (int t = 0; t < x.length; t++) {
            double mean = 0;
            for (double v : x[t]) {
                mean += v;
            }
            mean /= x[t].length;
            double var = 0;
            for (double v : x[t]) {
                var += (v - mean) * (v - mean);
            }
            var /= x[t].length;
            for (int j = 0; j < x[t].length; j++) {
                y[t][j] = (x[t][j] - mean) / Math.sqrt(var + c.epsilon) * g[j] + b[j];
            }
        }
        return y;
    }

    /** erf by its Maclaurin series (|x| < 5; about 1e-11 absolute with the cancellation at 5), else +-1. */
    static double erf(double x) {
        if (Math.abs(x) >= 5) {
            return Math.signum(x);
        }
        double term = x;
        double sum = x;
        for (int n = 1; n < 200; n++) {
            term *= -x * x / n;
            double add = term / (2 * n + 1);
            sum += add;
            if (Math.abs(add) < 1e-17) {
                break;
            }
        }
        return 2 / Math.sqrt(Math.PI) * sum;
    }
}
