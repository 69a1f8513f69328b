package io.flinkllmlingua.training.demo;

import io.flinkllmlingua.models.minilm.MiniLmModelBuilder;
import io.flinkllmlingua.training.HeadTraining;
import io.flinkllmlingua.training.LabeledText;
import io.flinkllmlingua.training.eval.EvaluationReport;
import io.flinkllmlingua.training.eval.Evaluator;
import io.flinkllmlingua.training.eval.GoldenReferences;
import io.flinkllmlingua.training.eval.ModelKeepScores;
import io.flinkllmlingua.training.teacher.TeacherCorpus;
import io.flinkllmlingua.training.teacher.TeacherLanguage;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The model of the embedded default and the demo, built offline on first use into the user cache: the MiniLM-L6
 * encoder from Maven ({@link MiniLmModelBuilder#buildEncoder}), a keep/drop head trained by {@code llmlingua train}
 * ({@link HeadTraining}) on labels of the rule teacher ({@code io.flinkllmlingua.training.teacher}) over the bundled
 * English training text (WordNet example sentences and Debian documentation not in the demo's sample corpus), then
 * evaluated against the real LLMLingua-2 outputs of the reference's tests ({@link GoldenReferences}, never used for
 * training) and the table kept next to the model as {@value #EVALUATION_FILE}.
 *
 * <p>It compresses sensibly (content words, names and numbers before function words), but it is NOT LLMLingua-2:
 * the labels come from rules, not from GPT-4, and the encoder is an English sentence-embedding model.
 *
 * <p>The recipe (features, teacher rates, learning rate, epochs) was chosen by the validation loss against teacher
 * labels of held-out texts, not by the golden cases (see {@code src/docs/models.md}, "The demo model's recipe"):
 * {@link #RATES} nine rates so that the binary labels average to a graded score; learning rate 5e-4; two epochs
 * (the validation loss no longer improves after them). With the recipe fixed, the shipped head is fitted on all
 * texts (no validation split), as usual once model selection is done.
 */
public final class TeacherDemoModel {
    /** Bumped whenever the recipe changes, so a cached model of an older recipe is rebuilt. */
    public static final String RECIPE = "v2";
    public static final String MODEL_ID = "minilm-l6-teacher-demo-" + RECIPE
            + " (rule-teacher labels on MiniLM-L6; not LLMLingua-2 weights)";
    public static final String EVALUATION_FILE = "golden-evaluation.json";
    static final List<Double> RATES = List.of(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9);
    static final double LEARNING_RATE = 5e-4;
    static final int EPOCHS = 2;
    static final long MAX_TOKENS = 5_000_000;
    static final List<String> CORPUS = List.of("wordnet-examples-en.jsonl", "docs-en-teacher.jsonl");
    private static final String RESOURCES = "/io/flinkllmlingua/training/demo/";

    /** A built demo model and its evaluation against the golden cases. */
    public record Built(Path directory, EvaluationReport evaluation, boolean cached) {
        /** Micro-averaged keep-word F1 of the model on the golden cases of {@code language}. */
        public double goldenF1(String language) {
            return evaluation.language(language).microF1(Evaluator.MODEL);
        }
    }

    private TeacherDemoModel() {}

    /** {@code $LLMLINGUA_CACHE} or {@code ~/.cache/flink-llmlingua}, then {@code models/minilm-l6-teacher-demo-<recipe>}. */
    public static Path directory() {
        String cache = System.getenv("LLMLINGUA_CACHE");
        Path root = cache != null && !cache.isBlank() ? Path.of(cache)
                : Path.of(System.getProperty("user.home"), ".cache", "flink-llmlingua");
        return root.resolve("models").resolve("minilm-l6-teacher-demo-" + RECIPE);
    }

    /** The cached model, or builds it (a minute or two on two cores) into {@link #directory()}. */
    public static Built ensure(PrintStream log) throws IOException {
        return ensure(directory(), log);
    }

    public static Built ensure(Path dir, PrintStream log) throws IOException {
        if (Files.isRegularFile(dir.resolve("model.onnx")) && Files.isRegularFile(dir.resolve(EVALUATION_FILE))) {
            // Evaluating takes a second or two; the file is for the user.
            return new Built(dir, evaluate(dir), true);
        }
        if (Files.exists(dir) && !isEmptyDirectory(dir)) {
            throw new IllegalArgumentException(dir + " exists and is not a built demo model (no " + EVALUATION_FILE
                    + "): choose a new or empty directory");
        }
        Files.createDirectories(dir.toAbsolutePath().getParent());
        Path work = Files.createTempDirectory(dir.toAbsolutePath().getParent(), "teacher-demo-build");
        try {
            long t0 = System.nanoTime();
            log.println("Building the demo model (once; cached in " + dir + "): MiniLM-L6 encoder, rule-teacher "
                    + "labels, head training, evaluation on the golden cases");
            Path encoder = work.resolve("encoder");
            MiniLmModelBuilder.buildEncoder(encoder);
            List<Path> corpus = copyCorpus(work.resolve("corpus"));
            Path labels = work.resolve("teacher-labels.jsonl");
            TeacherCorpus.Stats stats = TeacherCorpus.build(corpus, labels, RATES, TeacherLanguage.ENGLISH);
            log.printf(Locale.ROOT, "  teacher: %,d pieces, %,d units, %,d labelled copies in %.1f s%n",
                    stats.pieces(), stats.units(), stats.records(), stats.labelMillis() / 1e3);
            Path model = work.resolve("model");
            HeadTraining.Settings d = HeadTraining.Settings.defaults(encoder, List.of(labels), model);
            HeadTraining.Settings settings = new HeadTraining.Settings(encoder, List.of(labels), model, EPOCHS,
                    LEARNING_RATE, d.batchSize(), d.seed(), 0.0, MAX_TOKENS, false, d.l2(),
                    d.balanceClasses(), d.patience(), d.pairLimits(), d.threads());
            HeadTraining.Result trained = HeadTraining.run(settings, log);
            EvaluationReport evaluation = evaluate(model);
            Files.writeString(model.resolve(EVALUATION_FILE), evaluation.toJson());
            try {
                Files.deleteIfExists(dir); // an empty directory the user named
                Files.move(model, dir, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                if (!Files.isRegularFile(dir.resolve(EVALUATION_FILE))) {
                    throw e; // not a concurrent build that won the race
                }
            }
            log.printf(Locale.ROOT, "Built the demo model in %.0f s (%,d training tokens; golden keep-word F1 en %.3f): "
                            + "%s%n", (System.nanoTime() - t0) / 1e9, trained.trainTokens(),
                    evaluation.language("en").microF1(Evaluator.MODEL), dir);
            return new Built(dir, evaluation, false);
        } finally {
            deleteTree(work);
        }
    }

    /** The model's keep decisions against every golden case (English and Chinese). */
    public static EvaluationReport evaluate(Path model) {
        List<LabeledText> golden = GoldenReferences.load();
        try (ModelKeepScores scores = new ModelKeepScores(model, 0)) {
            return Evaluator.evaluate(golden, scores, MODEL_ID, "golden");
        }
    }

    /** Copies the bundled training text out of the jar: the teacher reads files. */
    public static List<Path> copyCorpus(Path dir) throws IOException {
        Files.createDirectories(dir);
        List<Path> out = new ArrayList<>();
        for (String name : CORPUS) {
            try (InputStream in = TeacherDemoModel.class.getResourceAsStream(RESOURCES + name)) {
                if (in == null) {
                    throw new IOException("classpath resource " + RESOURCES + name + " not found");
                }
                Path f = dir.resolve(name);
                Files.copy(in, f, StandardCopyOption.REPLACE_EXISTING);
                out.add(f);
            }
        }
        return out;
    }

    private static boolean isEmptyDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // a leftover temporary directory is harmless; the model is in place
        }
    }
}
