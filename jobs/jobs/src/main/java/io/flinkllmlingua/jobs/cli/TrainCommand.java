package io.flinkllmlingua.jobs.cli;

import io.flinkllmlingua.training.HeadTraining;
import io.flinkllmlingua.training.TrainingData;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code llmlingua train}: trains a keep/drop head on a base encoder from pairs or word-labelled JSONL
 * ({@link HeadTraining}); prints the model directory on standard output, the progress and a summary on standard
 * error.
 */
@Command(name = "train",
        header = "Train a keep/drop token-classification head on a base encoder; prints the model directory.",
        mixinStandardHelpOptions = true)
final class TrainCommand implements Callable<Integer> {
    @ParentCommand
    LlmLinguaCli cli;

    @Spec
    CommandSpec spec;

    @Option(names = "--base", required = true, paramLabel = "DIR",
            description = "Base encoder directory: model.onnx with output token_features or last_hidden_state, tokenizer.json, "
                    + "config.json (e.g. from 'models build-minilm --encoder').")
    Path base;

    @Option(names = "--data", required = true, arity = "1..*", paramLabel = "FILE",
            description = "JSONL training data: prompt/compressed_prompt (and the _list forms), original/compressed,"
                    + " words/labels, or text/units.")
    List<Path> data;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Model directory to write.")
    Path out;

    @Option(names = "--epochs", paramLabel = "N",
            description = "Epochs in all. Default: " + HeadTraining.Settings.DEFAULT_EPOCHS + ".")
    int epochs = HeadTraining.Settings.DEFAULT_EPOCHS;

    @Option(names = "--learning-rate", paramLabel = "X",
            description = "Adam step size. Default: " + HeadTraining.Settings.DEFAULT_LEARNING_RATE + ".")
    double learningRate = HeadTraining.Settings.DEFAULT_LEARNING_RATE;

    @Option(names = "--batch-size", paramLabel = "N",
            description = "Tokens per step. Default: " + HeadTraining.Settings.DEFAULT_BATCH_SIZE + ".")
    int batchSize = HeadTraining.Settings.DEFAULT_BATCH_SIZE;

    @Option(names = "--seed", paramLabel = "N",
            description = "Shuffling and split seed; same seed and data, same model bytes. Default: "
                    + HeadTraining.Settings.DEFAULT_SEED + ".")
    long seed = HeadTraining.Settings.DEFAULT_SEED;

    @Option(names = "--validation-fraction", paramLabel = "X",
            description = "Share of texts held out for validation and early stopping. Default: "
                    + HeadTraining.Settings.DEFAULT_VALIDATION_FRACTION + ".")
    double validationFraction = HeadTraining.Settings.DEFAULT_VALIDATION_FRACTION;

    @Option(names = "--max-tokens", paramLabel = "N",
            description = "Labelled tokens held in memory (hidden-size floats each); data beyond is not used."
                    + " Default: " + HeadTraining.Settings.DEFAULT_MAX_TOKENS + ".")
    long maxTokens = HeadTraining.Settings.DEFAULT_MAX_TOKENS;

    @Option(names = "--l2", paramLabel = "X", description = "L2 penalty. Default: " + HeadTraining.Settings.DEFAULT_L2 + ".")
    double l2 = HeadTraining.Settings.DEFAULT_L2;

    @Option(names = "--balance-classes", description = "Weight keep and drop tokens inversely to their frequency.")
    boolean balanceClasses;

    @Option(names = "--patience", paramLabel = "N",
            description = "Epochs without a better validation loss before stopping. Default: "
                    + HeadTraining.Settings.DEFAULT_PATIENCE + ".")
    int patience = HeadTraining.Settings.DEFAULT_PATIENCE;

    @Option(names = "--max-variation-rate", paramLabel = "X",
            description = "Pairs: reject when more of the compressed units are absent from the original. Default: "
                    + "${DEFAULT-VALUE}.")
    double maxVariationRate = TrainingData.PairLimits.DEFAULTS.maxVariationRate();

    @Option(names = "--max-alignment-gap", paramLabel = "X",
            description = "Pairs: reject when more of the compressed units cannot be placed. Default: ${DEFAULT-VALUE}.")
    double maxAlignmentGap = TrainingData.PairLimits.DEFAULTS.maxAlignmentGap();

    @Option(names = "--threads", paramLabel = "N", description = "Encoder threads (0: ONNX Runtime's default).")
    int threads;

    @Option(names = "--resume", description = "Continue from the checkpoint in --out (same data and settings).")
    boolean resume;

    @Override
    public Integer call() throws IOException {
        HeadTraining.Settings settings;
        try {
            settings = new HeadTraining.Settings(base, data, out, epochs, learningRate, batchSize, seed,
                    validationFraction, maxTokens, resume, l2, balanceClasses, patience,
                    new TrainingData.PairLimits(maxVariationRate, maxAlignmentGap), threads);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        HeadTraining.Result r = HeadTraining.run(settings, cli.stderr());
        cli.stderr().printf(Locale.ROOT, "trained %d epochs (best %d) on %,d tokens in %.1f s: validation accuracy"
                        + " %.4f (majority baseline %.4f), loss %.4f; encoder %,.0f tokens/s%n",
                r.epochsDone(), r.bestEpoch(), r.trainTokens(), r.seconds(), r.validationAccuracy(),
                r.majorityBaseline(), r.validationLoss(), r.encoderTokensPerSecond());
        cli.stdout().println(r.out());
        return LlmLinguaCli.EXIT_OK;
    }
}
