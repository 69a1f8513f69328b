package io.flinkllmlingua.jobs.cli;

import io.flinkllmlingua.training.LabeledText;
import io.flinkllmlingua.training.TrainingData;
import io.flinkllmlingua.training.eval.EvaluationReport;
import io.flinkllmlingua.training.eval.Evaluator;
import io.flinkllmlingua.training.eval.GoldenReferences;
import io.flinkllmlingua.training.eval.ModelKeepScores;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code llmlingua eval}: a model's keep decisions against reference labels, with baselines, per language. */
@Command(name = "eval",
        header = "Compare a model's keep decisions with reference labels at the same rate (F1, baselines, per language).",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        usageHelpWidth = 110,
        description = {
                "For each reference text the model keeps as many units (words; Han characters one each) as the"
                        + " reference kept, the units with the highest mean keep probability of their tokens; the kept"
                        + " set is scored against the reference's (precision, recall, F1), micro-averaged over units"
                        + " (headline) and macro over texts, per language, beside a random and a stopword baseline at"
                        + " the same rate, and the share of numbers, entities and content words kept (src/docs/models.md,"
                        + " \"Evaluation\").",
                ""},
        footerHeading = "%nExit codes:%n",
        footer = {
                "  0  evaluated",
                "  1  model or engine failure",
                "  2  a user's mistake (missing --model, bad value, wrong path, unknown flag, bad reference line)",
                "",
                "Example:",
                "  java -jar flink-llmlingua-jobs-<version>-cli.jar eval --model ./model --language en"})
final class EvalCommand implements Callable<Integer> {
    /** The {@code --references} value naming the built-in golden set. */
    static final String GOLDEN = "golden";

    @ParentCommand
    LlmLinguaCli cli;

    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "DIR",
            description = "Model directory (model.onnx with output 'logits', tokenizer.json); default: $"
                    + LlmLinguaCli.ENV_MODEL + ".")
    Path model;

    @Option(names = "--references", paramLabel = "golden|FILE", defaultValue = GOLDEN,
            description = "'golden': the real LLMLingua-2 outputs of the reference's tests (built in); or a JSONL"
                    + " JSONL file in any form `llmlingua train` reads: pairs (original|prompt, compressed|compressed_prompt,"
                    + " or their _list forms) aligned to labels, words/labels, or text/units; language? id?."
                    + " Default: ${DEFAULT-VALUE}.")
    String references;

    @Option(names = "--format", paramLabel = "markdown|json", defaultValue = "markdown",
            description = "Report format. Default: ${DEFAULT-VALUE}.")
    String format;

    @Option(names = "--language", paramLabel = "TAG",
            description = "Only texts of this language (its primary subtag matches: en matches en-US).")
    String language;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
            description = "ONNX Runtime intra-op threads; 0: its default. Default: ${DEFAULT-VALUE}.")
    int threads;

    @Override
    public Integer call() throws IOException {
        Path dir = modelDir();
        boolean json = switch (format.toLowerCase(Locale.ROOT)) {
            case "json" -> true;
            case "markdown", "md" -> false;
            default -> throw usage("--format must be markdown or json, got '" + format + "'");
        };
        if (threads < 0) {
            throw usage("--threads must be at least 0, got " + threads);
        }
        List<LabeledText> texts = references(language);
        EvaluationReport report;
        try (ModelKeepScores scores = openModel(dir)) {
            report = Evaluator.evaluate(texts, scores, dir.toString(),
                    GOLDEN.equals(references) ? "the golden LLMLingua-2 cases" : references);
        }
        cli.stdout().println(json ? report.toJson() : report.toMarkdown());
        cli.stdout().flush();
        return LlmLinguaCli.EXIT_OK;
    }

    private List<LabeledText> references(String languageFilter) throws IOException {
        List<LabeledText> all;
        if (GOLDEN.equals(references)) {
            all = GoldenReferences.load();
        } else {
            Path file = Path.of(references);
            if (!Files.isRegularFile(file)) {
                throw usage("--references must be 'golden' or a JSONL file; file not found: " + references);
            }
            try {
                // The training data's readers: pairs (aligned) and labelled texts alike.
                TrainingData.Loaded loaded = TrainingData.read(List.of(file), TrainingData.PairLimits.DEFAULTS);
                if (!loaded.rejected().isEmpty()) {
                    cli.stderr().printf("%d reference pairs left out by the alignment quality checks (first: %s)%n",
                            loaded.rejected().size(), loaded.rejected().get(0).id());
                }
                all = loaded.texts();
            } catch (IllegalArgumentException e) {
                throw usage(e.getMessage());
            }
        }
        List<LabeledText> texts = languageFilter == null ? all
                : all.stream().filter(t -> LabeledText.primaryLanguage(t.language()).equals(LabeledText.primaryLanguage(languageFilter))).toList();
        if (texts.isEmpty()) {
            throw usage(languageFilter == null ? "no reference texts in " + references
                    : "no reference texts in language '" + languageFilter + "' (languages: "
                    + all.stream().map(LabeledText::language).distinct().toList() + ")");
        }
        return texts;
    }

    private ModelKeepScores openModel(Path dir) {
        try {
            return new ModelKeepScores(dir, threads);
        } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
            throw usage(e.getMessage());
        }
    }

    private Path modelDir() {
        return cli.modelDirectory(model, spec);
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
