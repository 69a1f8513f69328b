package io.flinkllmlingua.training.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flinkllmlingua.training.EpochMetrics;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The keep/drop head: logistic regression on standardised hidden rows, {@code z = w . (x - mean) / std + c},
 * {@code p(keep) = sigmoid(z)}; exported as the 2-class softmax head {@code W[hidden, 2]}, {@code b[2]} whose logit
 * difference is {@code z}. Trained by mini-batch Adam with L2 on {@code w} and optional class weights; all
 * arithmetic in doubles, in one thread, in an order fixed by the seed, so equal inputs give equal bits. Its whole
 * state (weights, Adam moments, epoch, the best epoch so far) goes into a checkpoint and comes back from it.
 */
public final class LogisticHead {
    private static final double BETA1 = 0.9;
    private static final double BETA2 = 0.999;
    private static final double EPSILON = 1e-8;

    private final int width;
    final double[] mean;
    final double[] std;
    double[] w;
    double c;
    private double[] m;
    private double[] v;
    private long step;
    int epochsDone;
    double[] bestW;
    double bestC;
    int bestEpoch;
    double bestLoss = Double.POSITIVE_INFINITY;
    int epochsWithoutImprovement;
    boolean stopped;
    final List<EpochMetrics> history = new ArrayList<>();

    private LogisticHead(int width, double[] mean, double[] std) {
        this.width = width;
        this.mean = mean;
        this.std = std;
        this.w = new double[width];
        this.m = new double[width + 1];
        this.v = new double[width + 1];
        this.bestW = w.clone();
    }

    /** A zero head standardising with the training rows' mean and standard deviation. */
    public static LogisticHead initial(Features f, int[] train) {
        int d = f.width();
        double[] mean = new double[d];
        double[] sq = new double[d];
        for (int i : train) {
            float[] x = f.rows().get(i);
            for (int j = 0; j < d; j++) {
                mean[j] += x[j];
            }
        }
        for (int j = 0; j < d; j++) {
            mean[j] /= train.length;
        }
        for (int i : train) {
            float[] x = f.rows().get(i);
            for (int j = 0; j < d; j++) {
                double e = x[j] - mean[j];
                sq[j] += e * e;
            }
        }
        double[] std = new double[d];
        for (int j = 0; j < d; j++) {
            std[j] = Math.max(1e-6, Math.sqrt(sq[j] / train.length));
        }
        return new LogisticHead(d, mean, std);
    }

    public int epochsDone() {
        return epochsDone;
    }

    public boolean stopped() {
        return stopped;
    }

    public int bestEpoch() {
        return bestEpoch;
    }

    public List<EpochMetrics> history() {
        return List.copyOf(history);
    }

    /** Training settings that the head's updates depend on. */
    public record Hyper(double learningRate, int batchSize, double l2, double keepWeight, double dropWeight,
                        long seed, int patience) {}

    /** Listener of steps, for the progress bar. */
    public interface StepListener {
        void step(int epoch, long stepInEpoch, long stepsInEpoch, double runningLoss, long rowsDone);
    }

    /** Runs one epoch over {@code train} (shuffled by seed and epoch), then scores {@code validation}. */
    public EpochMetrics epoch(Features f, int[] train, int[] validation, Hyper h, StepListener listener) {
        int epoch = epochsDone + 1;
        int[] order = train.clone();
        SplittableRandom random = new SplittableRandom(h.seed() * 0x9E3779B97F4A7C15L + epoch);
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        double[] x = new double[width];
        double[] gw = new double[width];
        long steps = (order.length + h.batchSize() - 1) / h.batchSize();
        double lossSum = 0;
        double weightSum = 0;
        for (long s = 0; s < steps; s++) {
            int from = (int) (s * h.batchSize());
            int to = Math.min(order.length, from + h.batchSize());
            java.util.Arrays.fill(gw, 0);
            double gc = 0;
            double batchWeight = 0;
            for (int k = from; k < to; k++) {
                int row = order[k];
                standardise(f.rows().get(row), x);
                double z = c;
                for (int j = 0; j < width; j++) {
                    z += w[j] * x[j];
                }
                boolean keep = f.labels()[row] == TokenLabels.KEEP;
                double a = keep ? h.keepWeight() : h.dropWeight();
                double p = sigmoid(z);
                double g = a * (p - (keep ? 1 : 0));
                for (int j = 0; j < width; j++) {
                    gw[j] += g * x[j];
                }
                gc += g;
                batchWeight += a;
                lossSum += a * logLoss(z, keep);
                weightSum += a;
            }
            step++;
            double b1 = 1 - Math.pow(BETA1, step);
            double b2 = 1 - Math.pow(BETA2, step);
            for (int j = 0; j <= width; j++) {
                double g = j < width ? gw[j] / batchWeight + h.l2() * w[j] : gc / batchWeight;
                m[j] = BETA1 * m[j] + (1 - BETA1) * g;
                v[j] = BETA2 * v[j] + (1 - BETA2) * g * g;
                double update = h.learningRate() * (m[j] / b1) / (Math.sqrt(v[j] / b2) + EPSILON);
                if (j < width) {
                    w[j] -= update;
                } else {
                    c -= update;
                }
            }
            if (listener != null) {
                listener.step(epoch, s + 1, steps, lossSum / weightSum, to);
            }
        }
        double[] val = validation.length == 0 ? new double[] {Double.NaN, Double.NaN} : score(f, validation);
        EpochMetrics metrics = new EpochMetrics(epoch, lossSum / Math.max(weightSum, 1e-12), val[0], val[1]);
        history.add(metrics);
        epochsDone = epoch;
        double judged = validation.length == 0 ? metrics.trainLoss() : val[0];
        if (judged < bestLoss) {
            bestLoss = judged;
            bestW = w.clone();
            bestC = c;
            bestEpoch = epoch;
            epochsWithoutImprovement = 0;
        } else {
            epochsWithoutImprovement++;
            stopped = validation.length > 0 && epochsWithoutImprovement >= h.patience();
        }
        return metrics;
    }

    /** Mean log loss (unweighted) and accuracy at p = 0.5 of the current weights. */
    public double[] score(Features f, int[] rows) {
        double[] x = new double[width];
        double loss = 0;
        long correct = 0;
        for (int row : rows) {
            standardise(f.rows().get(row), x);
            double z = c;
            for (int j = 0; j < width; j++) {
                z += w[j] * x[j];
            }
            boolean keep = f.labels()[row] == TokenLabels.KEEP;
            loss += logLoss(z, keep);
            if ((z > 0) == keep) {
                correct++;
            }
        }
        return new double[] {loss / rows.length, (double) correct / rows.length};
    }

    /**
     * The best epoch's weights as the exported head: {@code W} row-major {@code [hidden, 2]} and {@code b[2]}, the
     * standardisation folded in, the logit difference split evenly between the two classes.
     */
    public float[][] exportedHead() {
        float[] weight = new float[width * 2];
        double bias = bestC;
        for (int j = 0; j < width; j++) {
            double a = bestW[j] / std[j];
            bias -= a * mean[j];
            weight[2 * j] = (float) (-a / 2);
            weight[2 * j + 1] = (float) (a / 2);
        }
        return new float[][] {weight, {(float) (-bias / 2), (float) (bias / 2)}};
    }

    private void standardise(float[] row, double[] x) {
        for (int j = 0; j < width; j++) {
            x[j] = (row[j] - mean[j]) / std[j];
        }
    }

    static double sigmoid(double z) {
        return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
    }

    /** -log p(label), computed stably: log(1 + e^-z) for keep, log(1 + e^z) for drop. */
    static double logLoss(double z, boolean keep) {
        double t = keep ? -z : z;
        return t > 0 ? t + Math.log1p(Math.exp(-t)) : Math.log1p(Math.exp(t));
    }

    public ObjectNode toCheckpoint() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("width", width);
        o.put("epochs_done", epochsDone);
        o.put("step", step);
        o.put("c", c);
        o.put("best_c", bestC);
        o.put("best_epoch", bestEpoch);
        o.put("best_loss", bestLoss);
        o.put("epochs_without_improvement", epochsWithoutImprovement);
        o.put("stopped", stopped);
        array(o, "mean", mean);
        array(o, "std", std);
        array(o, "w", w);
        array(o, "best_w", bestW);
        array(o, "adam_m", m);
        array(o, "adam_v", v);
        ArrayNode hist = o.putArray("history");
        for (EpochMetrics e : history) {
            hist.addObject().put("epoch", e.epoch()).put("train_loss", e.trainLoss())
                    .put("validation_loss", e.validationLoss()).put("validation_accuracy", e.validationAccuracy());
        }
        return o;
    }

    public static LogisticHead fromCheckpoint(JsonNode o) {
        int width = o.get("width").asInt();
        LogisticHead h = new LogisticHead(width, doubles(o, "mean", width), doubles(o, "std", width));
        h.epochsDone = o.get("epochs_done").asInt();
        h.step = o.get("step").asLong();
        h.c = o.get("c").asDouble();
        h.bestC = o.get("best_c").asDouble();
        h.bestEpoch = o.get("best_epoch").asInt();
        h.bestLoss = o.get("best_loss").asDouble();
        h.epochsWithoutImprovement = o.get("epochs_without_improvement").asInt();
        h.stopped = o.get("stopped").asBoolean();
        h.w = doubles(o, "w", width);
        h.bestW = doubles(o, "best_w", width);
        h.m = doubles(o, "adam_m", width + 1);
        h.v = doubles(o, "adam_v", width + 1);
        for (JsonNode e : o.get("history")) {
            h.history.add(new EpochMetrics(e.get("epoch").asInt(), e.get("train_loss").asDouble(),
                    e.get("validation_loss").asDouble(), e.get("validation_accuracy").asDouble()));
        }
        return h;
    }

    private static void array(ObjectNode o, String name, double[] values) {
        ArrayNode a = o.putArray(name);
        for (double d : values) {
            a.add(d);
        }
    }

    private static double[] doubles(JsonNode o, String name, int n) {
        JsonNode a = o.get(name);
        if (a == null || !a.isArray() || a.size() != n) {
            throw new IllegalArgumentException("checkpoint field '" + name + "' is missing or not " + n + " numbers");
        }
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = a.get(i).asDouble();
        }
        return out;
    }
}
