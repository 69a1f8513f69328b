package io.flinkllmlingua.training;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flinkllmlingua.training.internal.Features;
import io.flinkllmlingua.training.internal.HeadModelWriter;
import io.flinkllmlingua.training.internal.LogisticHead;
import io.flinkllmlingua.training.internal.ProgressBar;
import io.flinkllmlingua.training.internal.TokenLabels;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * {@code llmlingua train}: a keep/drop token-classification head on a base encoder. Reads the data
 * ({@link TrainingData}), labels tokens (the unit containing a token's start; punctuation follows its chunk), runs
 * the base encoder ({@code model.onnx} with an output of {@link #FEATURE_OUTPUTS}) once per window to collect feature rows,
 * holds out whole texts for validation, trains a logistic-regression head by mini-batch Adam with early stopping on
 * the validation loss, and writes a model directory the engine loads: {@code model.onnx} (the base graph plus the
 * head, output {@code logits}), the tokenizer files, {@code config.json}, {@code training-manifest.json} and
 * {@code training-checkpoint.json} (what {@code resume} continues from). The encoder's own weights are not trained.
 */
public final class HeadTraining {
    public static final String MANIFEST_FILE = "training-manifest.json";
    /**
     * The base encoder's graph output the head reads, the first one present: {@code token_features} (an encoder
     * built for training, e.g. several layers concatenated) or {@code last_hidden_state} (any encoder).
     */
    public static final List<String> FEATURE_OUTPUTS = List.of("token_features", "last_hidden_state");
    public static final String CHECKPOINT_FILE = "training-checkpoint.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * @param base               base encoder directory ({@code model.onnx} with an output of {@link #FEATURE_OUTPUTS},
     *                           {@code tokenizer.json}, {@code config.json})
     * @param data               JSONL files ({@link TrainingData})
     * @param out                model directory to write
     * @param epochs             epochs in all (a resumed run counts the finished ones)
     * @param learningRate       Adam step size
     * @param batchSize          tokens per step
     * @param seed               shuffling and the split; equal seeds and data give equal bytes
     * @param validationFraction share of texts held out, in [0, 0.9]
     * @param maxTokens          labelled tokens kept in memory at most (the rest of the data is not used)
     * @param resume             continue from {@code out}'s checkpoint
     * @param l2                 L2 penalty on the weights
     * @param balanceClasses     weight keep and drop tokens inversely to their frequency
     * @param patience           epochs without a better validation loss before stopping
     * @param pairLimits         quality limits for pairs
     * @param threads            encoder threads (0: ONNX Runtime's default)
     */
    public record Settings(Path base, List<Path> data, Path out, int epochs, double learningRate, int batchSize,
                           long seed, double validationFraction, long maxTokens, boolean resume, double l2,
                           boolean balanceClasses, int patience, TrainingData.PairLimits pairLimits, int threads) {
        public static final int DEFAULT_EPOCHS = 3;
        public static final double DEFAULT_LEARNING_RATE = 1e-2;
        public static final int DEFAULT_BATCH_SIZE = 64;
        public static final long DEFAULT_SEED = 42;
        public static final double DEFAULT_VALIDATION_FRACTION = 0.1;
        public static final long DEFAULT_MAX_TOKENS = 500_000;
        public static final double DEFAULT_L2 = 1e-4;
        public static final int DEFAULT_PATIENCE = 2;

        public Settings {
            data = List.copyOf(data);
            if (data.isEmpty()) {
                throw new IllegalArgumentException("no training data files given");
            }
            check(epochs >= 1, "epochs must be at least 1, got " + epochs);
            check(learningRate > 0 && Double.isFinite(learningRate), "learning rate must be > 0, got " + learningRate);
            check(batchSize >= 1, "batch size must be at least 1, got " + batchSize);
            check(validationFraction >= 0 && validationFraction <= 0.9,
                    "validation fraction must be in [0, 0.9], got " + validationFraction);
            check(maxTokens >= 1, "max tokens must be at least 1, got " + maxTokens);
            check(l2 >= 0, "l2 must be >= 0, got " + l2);
            check(patience >= 1, "patience must be at least 1, got " + patience);
            check(threads >= 0, "threads must be >= 0, got " + threads);
        }

        /** The defaults above for everything but the paths. */
        public static Settings defaults(Path base, List<Path> data, Path out) {
            return new Settings(base, data, out, DEFAULT_EPOCHS, DEFAULT_LEARNING_RATE, DEFAULT_BATCH_SIZE,
                    DEFAULT_SEED, DEFAULT_VALIDATION_FRACTION, DEFAULT_MAX_TOKENS, false, DEFAULT_L2, false,
                    DEFAULT_PATIENCE, TrainingData.PairLimits.DEFAULTS, 0);
        }

        public Settings withEpochs(int e) {
            return new Settings(base, data, out, e, learningRate, batchSize, seed, validationFraction, maxTokens,
                    resume, l2, balanceClasses, patience, pairLimits, threads);
        }

        public Settings withResume(boolean r) {
            return new Settings(base, data, out, epochs, learningRate, batchSize, seed, validationFraction,
                    maxTokens, r, l2, balanceClasses, patience, pairLimits, threads);
        }

        public Settings withSeed(long s) {
            return new Settings(base, data, out, epochs, learningRate, batchSize, s, validationFraction, maxTokens,
                    resume, l2, balanceClasses, patience, pairLimits, threads);
        }

        public Settings withOut(Path o) {
            return new Settings(base, data, o, epochs, learningRate, batchSize, seed, validationFraction, maxTokens,
                    resume, l2, balanceClasses, patience, pairLimits, threads);
        }

        private static void check(boolean ok, String message) {
            if (!ok) {
                throw new IllegalArgumentException(message);
            }
        }
    }

    /**
     * @param bestEpoch           the epoch whose weights were written
     * @param validationAccuracy  at p(keep) = 0.5 on the held-out tokens (NaN without validation)
     * @param majorityBaseline    accuracy of always answering the training set's majority label on them
     * @param encoderTokensPerSecond labelled tokens per second of the feature pass
     */
    public record Result(Path out, TrainingData.Loaded data, long trainTokens, long validationTokens,
                         double keepRate, int epochsDone, int bestEpoch, double validationLoss,
                         double validationAccuracy, double majorityBaseline, double encoderTokensPerSecond,
                         double seconds, List<EpochMetrics> history) {}

    private HeadTraining() {}

    public static Result run(Settings s, PrintStream progress) throws IOException {
        long t0 = System.nanoTime();
        requireFile(s.base().resolve("model.onnx"), "base encoder");
        requireFile(s.base().resolve("tokenizer.json"), "base encoder's tokenizer");
        for (Path f : s.data()) {
            requireFile(f, "training data");
        }
        Path checkpointFile = s.out().resolve(CHECKPOINT_FILE);
        if (s.resume() && !Files.isRegularFile(checkpointFile)) {
            throw new IllegalArgumentException("--resume: no " + CHECKPOINT_FILE + " in " + s.out());
        }
        if (!s.resume() && Files.exists(checkpointFile)) {
            throw new IllegalArgumentException(s.out() + " holds a training checkpoint: pass --resume to continue "
                    + "it, or choose another output directory");
        }
        ObjectNode fingerprint = fingerprint(s);

        TrainingData.Loaded data = TrainingData.read(s.data(), s.pairLimits());
        progress.printf(Locale.ROOT, "data: %,d texts (%,d pairs, %,d rejected by the quality checks, %,d labelled)%n",
                data.texts().size(), data.pairs(), data.rejected().size(), data.labelled());
        for (TrainingData.Rejected r : data.rejected().subList(0, Math.min(5, data.rejected().size()))) {
            progress.printf(Locale.ROOT, "  rejected %s: variation rate %.3f, alignment gap %.3f%n", r.id(),
                    r.variationRate(), r.alignmentGap());
        }
        if (data.texts().isEmpty()) {
            throw new IllegalArgumentException("no usable training texts in " + s.data());
        }
        ProgressBar bar = new ProgressBar(progress, "tokens");
        Features f = Features.extract(s.base(), data.texts(), s.maxTokens(), s.threads(), bar);
        if (f.size() == 0) {
            throw new IllegalArgumentException("the data has no labelled tokens");
        }
        int[][] split = split(f, s.validationFraction(), s.seed());
        int[] train = split[0];
        int[] validation = split[1];
        long keeps = 0;
        for (int i : train) {
            keeps += f.labels()[i] == TokenLabels.KEEP ? 1 : 0;
        }
        double keepRate = (double) keeps / train.length;
        if (keeps == 0 || keeps == train.length) {
            throw new IllegalArgumentException("the training tokens are all " + (keeps == 0 ? "drop" : "keep")
                    + ": nothing to learn");
        }
        LogisticHead.Hyper hyper = new LogisticHead.Hyper(s.learningRate(), s.batchSize(), s.l2(),
                s.balanceClasses() ? 0.5 / keepRate : 1, s.balanceClasses() ? 0.5 / (1 - keepRate) : 1, s.seed(),
                s.patience());
        LogisticHead head;
        if (s.resume()) {
            JsonNode cp = JSON.readTree(checkpointFile.toFile());
            if (!fingerprint.equals(cp.get("fingerprint"))) {
                throw new IllegalArgumentException("--resume: " + checkpointFile + " was made with other data or "
                        + "settings (" + cp.get("fingerprint") + ")");
            }
            head = LogisticHead.fromCheckpoint(cp.get("head"));
            progress.printf(Locale.ROOT, "resuming after epoch %d%s%n", head.epochsDone(),
                    head.stopped() ? " (stopped early)" : "");
        } else {
            head = LogisticHead.initial(f, train);
        }
        progress.printf(Locale.ROOT, "training: %,d tokens (keep rate %.3f), validation: %,d tokens%n",
                train.length, keepRate, validation.length);
        ProgressBar stepBar = new ProgressBar(progress, "tokens");
        while (head.epochsDone() < s.epochs() && !head.stopped()) {
            int epoch = head.epochsDone() + 1;
            stepBar.start(train.length);
            final long[] lastRows = {0};
            final double[] lastLoss = {0};
            EpochMetrics m = head.epoch(f, train, validation, hyper, (e, st, steps, loss, rows) -> {
                lastRows[0] = rows;
                lastLoss[0] = loss;
                stepBar.update(rows, rows, String.format(Locale.ROOT, "epoch %d/%d step %,d/%,d loss %.4f", e,
                        s.epochs(), st, steps, loss));
            });
            stepBar.finish(lastRows[0], lastRows[0], String.format(Locale.ROOT,
                    "epoch %d/%d loss %.4f validation loss %.4f accuracy %.4f", epoch, s.epochs(), m.trainLoss(),
                    m.validationLoss(), m.validationAccuracy()));
            writeCheckpoint(checkpointFile, fingerprint, head);
        }
        if (head.stopped()) {
            progress.printf(Locale.ROOT, "early stop: no better validation loss for %d epochs; best epoch %d%n",
                    s.patience(), head.bestEpoch());
        }
        float[][] exported = head.exportedHead();
        String note = "keep/drop head trained by llmlingua train (logistic regression on " + s.base().getFileName()
                + "'s features, seed " + s.seed() + "); not LLMLingua-2 weights";
        HeadModelWriter.write(s.base(), s.out(), exported[0], exported[1], note);

        EpochMetrics best = head.history().get(head.bestEpoch() - 1);
        double majority = 0;
        if (validation.length > 0) {
            boolean majorityKeep = keepRate >= 0.5;
            long hit = 0;
            for (int i : validation) {
                hit += (f.labels()[i] == TokenLabels.KEEP) == majorityKeep ? 1 : 0;
            }
            majority = (double) hit / validation.length;
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        Result result = new Result(s.out(), data, train.length, validation.length, keepRate, head.epochsDone(),
                head.bestEpoch(), best.validationLoss(), best.validationAccuracy(),
                validation.length > 0 ? majority : Double.NaN, f.size() / f.seconds(), seconds, head.history());
        writeManifest(s, fingerprint, f, result);
        return result;
    }

    /** Whole texts to the validation side, chosen by a seeded shuffle of the text indices. */
    static int[][] split(Features f, double fraction, long seed) {
        int texts = f.texts().length == 0 ? 0 : f.texts()[f.texts().length - 1] + 1;
        int[] order = new int[texts];
        for (int i = 0; i < texts; i++) {
            order[i] = i;
        }
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = texts - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        int held = fraction == 0 ? 0 : Math.max(1, (int) Math.round(texts * fraction));
        if (held >= texts && fraction > 0) {
            throw new IllegalArgumentException("a validation fraction of " + fraction + " leaves no training text ("
                    + texts + " texts)");
        }
        boolean[] isValidation = new boolean[texts];
        for (int i = 0; i < held; i++) {
            isValidation[order[i]] = true;
        }
        List<Integer> train = new ArrayList<>();
        List<Integer> val = new ArrayList<>();
        for (int row = 0; row < f.size(); row++) {
            (isValidation[f.texts()[row]] ? val : train).add(row);
        }
        return new int[][] {train.stream().mapToInt(Integer::intValue).toArray(),
                val.stream().mapToInt(Integer::intValue).toArray()};
    }

    /** What a checkpoint must match to be resumed: the inputs' hashes and every setting the updates depend on. */
    private static ObjectNode fingerprint(Settings s) throws IOException {
        ObjectNode o = JSON.createObjectNode();
        o.put("base_model_sha256", sha256(s.base().resolve("model.onnx")));
        ArrayNode files = o.putArray("data_sha256");
        for (Path p : s.data()) {
            files.add(sha256(p));
        }
        o.put("learning_rate", s.learningRate());
        o.put("batch_size", s.batchSize());
        o.put("seed", s.seed());
        o.put("validation_fraction", s.validationFraction());
        o.put("max_tokens", s.maxTokens());
        o.put("l2", s.l2());
        o.put("balance_classes", s.balanceClasses());
        o.put("patience", s.patience());
        o.put("max_variation_rate", s.pairLimits().maxVariationRate());
        o.put("max_alignment_gap", s.pairLimits().maxAlignmentGap());
        // As it reads back from the checkpoint file (a long seed reads back as an int node), so equals compares values.
        return (ObjectNode) JSON.readTree(JSON.writeValueAsBytes(o));
    }

    private static void writeCheckpoint(Path file, ObjectNode fingerprint, LogisticHead head) throws IOException {
        Files.createDirectories(file.getParent());
        ObjectNode o = JSON.createObjectNode();
        o.set("fingerprint", fingerprint);
        o.set("head", head.toCheckpoint());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        JSON.writeValue(tmp.toFile(), o);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void writeManifest(Settings s, ObjectNode fingerprint, Features f, Result r) throws IOException {
        ObjectNode m = JSON.createObjectNode();
        m.put("note", "keep/drop head trained by llmlingua train; not LLMLingua-2 weights");
        ObjectNode base = m.putObject("base_encoder");
        base.put("directory", s.base().toAbsolutePath().toString());
        base.put("model_sha256", fingerprint.get("base_model_sha256").asText());
        ArrayNode files = m.putArray("data");
        for (int i = 0; i < s.data().size(); i++) {
            files.addObject().put("file", s.data().get(i).toAbsolutePath().toString())
                    .put("sha256", fingerprint.get("data_sha256").get(i).asText());
        }
        ObjectNode counts = m.putObject("counts");
        counts.put("texts", r.data().texts().size());
        counts.put("texts_used", f.textsUsed());
        counts.put("pairs", r.data().pairs());
        counts.put("pairs_rejected", r.data().rejected().size());
        counts.put("labelled_texts", r.data().labelled());
        counts.put("train_tokens", r.trainTokens());
        counts.put("validation_tokens", r.validationTokens());
        counts.put("unlabelled_tokens", f.ignored());
        counts.put("stopped_at_max_tokens", f.truncated());
        ArrayNode rejected = m.putArray("rejected_pairs");
        for (TrainingData.Rejected x : r.data().rejected()) {
            rejected.addObject().put("id", x.id()).put("variation_rate", x.variationRate())
                    .put("alignment_gap", x.alignmentGap());
        }
        m.put("keep_rate", r.keepRate());
        ObjectNode settings = fingerprint.deepCopy();
        settings.remove("base_model_sha256");
        settings.remove("data_sha256");
        settings.put("epochs", s.epochs());
        m.set("settings", settings);
        m.put("epochs_done", r.epochsDone());
        m.put("best_epoch", r.bestEpoch());
        ObjectNode val = m.putObject("validation");
        val.put("loss", r.validationLoss());
        val.put("accuracy", r.validationAccuracy());
        val.put("majority_baseline", r.majorityBaseline());
        ArrayNode hist = m.putArray("epochs");
        for (EpochMetrics e : r.history()) {
            hist.addObject().put("epoch", e.epoch()).put("train_loss", e.trainLoss())
                    .put("validation_loss", e.validationLoss()).put("validation_accuracy", e.validationAccuracy());
        }
        m.put("encoder_tokens_per_second", r.encoderTokensPerSecond());
        m.put("seconds", r.seconds());
        m.put("head", "logistic regression (2-class softmax head W[hidden,2], b[2]) on the frozen encoder's "
                + "features");
        JSON.writeValue(s.out().resolve(MANIFEST_FILE).toFile(), m);
    }

    private static void requireFile(Path p, String what) {
        if (!Files.isRegularFile(p)) {
            throw new IllegalArgumentException(what + " not found: " + p);
        }
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file),
                MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e); // every JVM has SHA-256
        }
    }
}
