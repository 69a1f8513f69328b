package io.flinkllmlingua.jobs.cli;

import io.flinkllmlingua.models.minilm.MiniLmModel;
import io.flinkllmlingua.models.minilm.MiniLmModelBuilder;
import io.flinkllmlingua.models.CheckpointImportException;
import io.flinkllmlingua.models.CheckpointImporter;
import io.flinkllmlingua.models.FetchListener;
import io.flinkllmlingua.models.ImportedModel;
import io.flinkllmlingua.models.GeneratedFamily;
import io.flinkllmlingua.models.GeneratedModel;
import io.flinkllmlingua.models.ModelCatalog;
import io.flinkllmlingua.models.ModelEntry;
import io.flinkllmlingua.models.ModelFetchOptions;
import io.flinkllmlingua.models.ModelFetcher;
import io.flinkllmlingua.models.ModelQuantizer;
import io.flinkllmlingua.models.ModelSpec;
import io.flinkllmlingua.models.TinyModelGenerator;
import io.flinkllmlingua.training.demo.TeacherDemoModel;
import io.flinkllmlingua.training.eval.KeepAgreement;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code llmlingua models}: list and fetch the public ONNX exports of the catalog, generate small test models, build
 * the MiniLM-based model. Commands that produce a model directory print its path on standard output (so that
 * {@code --model "$(llmlingua models fetch NAME)"} works) and a description on standard error.
 */
@Command(name = "models",
        header = "Model tools: list, fetch, import a checkpoint, generate test models, build the MiniLM model,"
                + " quantise to int8, compare two models' keep decisions.",
        mixinStandardHelpOptions = true,
        subcommands = {ModelsCommand.ListModels.class, ModelsCommand.Fetch.class, ModelsCommand.Import.class,
                ModelsCommand.Generate.class, ModelsCommand.BuildMiniLm.class, ModelsCommand.BuildDemo.class,
                ModelsCommand.Quantize.class, ModelsCommand.Compare.class})
final class ModelsCommand implements Runnable {
    @ParentCommand
    LlmLinguaCli cli;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing subcommand (list, fetch, import,"
                + " generate, build-minilm, build-demo, quantize or compare)");
    }

    PrintStream out() {
        return cli.stdout();
    }

    /** The built-in catalog, with {@code file}'s entries merged over it when given. */
    static ModelCatalog catalog(Path file) throws IOException {
        ModelCatalog builtIn = ModelCatalog.builtIn();
        return file == null ? builtIn : builtIn.merge(ModelCatalog.load(file));
    }

    @Command(name = "list", header = "Print the model catalog.", mixinStandardHelpOptions = true)
    static final class ListModels implements Callable<Integer> {
        @ParentCommand
        ModelsCommand models;

        @Option(names = "--catalog", paramLabel = "FILE", description = "A catalog file merged over the built-in one.")
        Path catalogFile;

        @Option(names = "--json", description = "Print the catalog as JSON (the catalog file format).")
        boolean json;

        @Override
        public Integer call() throws IOException {
            ModelCatalog catalog = catalog(catalogFile);
            PrintStream out = models.out();
            if (json) {
                out.println(catalog.toJson());
                return LlmLinguaCli.EXIT_OK;
            }
            int width = catalog.names().stream().mapToInt(String::length).max().orElse(4);
            String row = "%-" + width + "s  %-13s  %-9s  %-10s  %s%n";
            out.printf(Locale.ROOT, row, "NAME", "FAMILY", "PRECISION", "HASHES", "REPOSITORY@REVISION");
            for (ModelEntry e : catalog.entries()) {
                out.printf(Locale.ROOT, row, e.name(), e.family(),
                        e.precision() == null ? "-" : e.precision(),
                        e.verified() ? "pinned" : e.acceptedWithoutOverride() ? "weights" : "unverified",
                        e.repo() + "@" + shortRevision(e.revision()));
                if (e.description() != null) {
                    out.println("    " + e.description());
                }
            }
            return LlmLinguaCli.EXIT_OK;
        }

        private static String shortRevision(String r) {
            return r.matches("[0-9a-f]{40}") ? r.substring(0, 12) : r;
        }
    }

    @Command(name = "fetch", header = "Download a catalog model into the cache; prints its directory.",
            mixinStandardHelpOptions = true)
    static final class Fetch implements Callable<Integer> {
        @ParentCommand
        ModelsCommand models;

        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "NAME", description = "Catalog name (see 'models list').")
        String name;

        @Option(names = "--cache", paramLabel = "DIR",
                description = "Cache root (default: $" + ModelFetchOptions.ENV_CACHE + " or ~/.cache/flink-llmlingua).")
        Path cache;

        @Option(names = "--endpoint", paramLabel = "URL",
                description = "Hub endpoint (default: $" + ModelFetchOptions.ENV_ENDPOINT + " or https://huggingface.co).")
        String endpoint;

        @Option(names = "--allow-unverified",
                description = "Download files the catalog pins no SHA-256 for; their computed hashes are printed.")
        boolean allowUnverified;

        @Option(names = "--catalog", paramLabel = "FILE", description = "A catalog file merged over the built-in one.")
        Path catalogFile;

        @Override
        public Integer call() throws IOException {
            ModelCatalog catalog = catalog(catalogFile);
            ModelEntry entry = catalog.find(name).orElseThrow(() -> new ParameterException(spec.commandLine(),
                    "unknown model '" + name + "'; known models: " + String.join(", ", catalog.names())));
            ModelFetchOptions.Builder b = ModelFetchOptions.builderFromEnvironment(models.cli.env(),
                    System.getProperty("user.home"));
            try {
                if (cache != null) {
                    b.cacheRoot(cache);
                }
                if (endpoint != null) {
                    b.endpoint(endpoint);
                }
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
            b.allowUnverified(allowUnverified);
            Path dir = new ModelFetcher(b.build()).fetch(entry, FetchListener.printing(models.cli.stderr()));
            models.out().println(dir);
            return LlmLinguaCli.EXIT_OK;
        }
    }

    @Command(name = "import",
            header = "Convert a Hugging Face checkpoint (model.safetensors, config.json, tokenizer.json of a BERT or"
                    + " XLM-R token classifier or encoder) to an engine model directory; prints its directory.",
            mixinStandardHelpOptions = true)
    static final class Import implements Callable<Integer> {
        @ParentCommand
        ModelsCommand models;

        @Spec
        CommandSpec spec;

        @Option(names = "--from", required = true, paramLabel = "DIR",
                description = "Checkpoint directory (as downloaded from the hub).")
        Path from;

        @Option(names = {"--out", "--to"}, required = true, paramLabel = "DIR", description = "Model directory to write.")
        Path out;

        @Override
        public Integer call() throws IOException {
            PrintStream err = models.cli.stderr();
            ImportedModel m;
            try {
                m = CheckpointImporter.importCheckpoint(from, out, step -> err.println("import: " + step));
            } catch (CheckpointImportException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
            err.printf(Locale.ROOT, "imported %s: %d layers, hidden %d, output %s, vocabulary %d (+100%s),"
                            + " %d parameters, %d bytes, in %d ms%n",
                    m.architecture(), m.layers(), m.hidden(), m.output(), m.baseVocabSize(),
                    m.copiedPlaceholders() > 0 ? ", " + m.copiedPlaceholders() + " copied from the unknown token" : "",
                    m.parameterCount(), m.modelBytes() + m.externalBytes(), m.millis());
            models.out().println(m.directory());
            return LlmLinguaCli.EXIT_OK;
        }
    }

    @Command(name = "generate", header = "Write a small deterministic test model (random weights); prints its directory.",
            mixinStandardHelpOptions = true)
    static final class Generate implements Callable<Integer> {
        @ParentCommand
        ModelsCommand models;

        @Spec
        CommandSpec spec;

        @Option(names = "--family", required = true, paramLabel = "wordpiece|sentencepiece",
                converter = FamilyConverter.class,
                description = "wordpiece (mBERT-like inputs and tokenizer) or sentencepiece (XLM-R-like).")
        GeneratedFamily family;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Model directory to write.")
        Path out;

        @Option(names = "--seed", paramLabel = "N", description = "Weight seed. Default: " + ModelSpec.DEFAULT_SEED + ".")
        Long seed;

        @Option(names = "--layers", paramLabel = "N", description = "Encoder layers (0 allowed). Default: 2.")
        Integer layers;

        @Option(names = "--hidden", paramLabel = "N", description = "Hidden size. Default: 64.")
        Integer hidden;

        @Option(names = "--heads", paramLabel = "N", description = "Attention heads (divides --hidden). Default: 4.")
        Integer heads;

        @Option(names = "--ffn", paramLabel = "N", description = "Feed-forward size. Default: 128.")
        Integer ffn;

        @Override
        public Integer call() throws IOException {
            ModelSpec spec = ModelSpec.tiny(family);
            try {
                if (seed != null) {
                    spec = spec.withSeed(seed);
                }
                spec = spec.withShape(layers != null ? layers : spec.layers(), hidden != null ? hidden : spec.hidden(),
                        heads != null ? heads : spec.heads(), ffn != null ? ffn : spec.ffn());
            } catch (IllegalArgumentException e) {
                throw new ParameterException(this.spec.commandLine(), e.getMessage());
            }
            GeneratedModel m = TinyModelGenerator.generate(out, spec);
            models.cli.stderr().printf(Locale.ROOT,
                    "generated %s model: %d layers, hidden %d, %d heads, ffn %d, seed %d, vocabulary %d (+100),"
                            + " %d parameters, %d bytes, in %d ms%n",
                    EnumConverter.display(family), spec.layers(), spec.hidden(), spec.heads(), spec.ffn(), spec.seed(),
                    m.baseVocabSize(), m.parameterCount(), m.modelBytes() + m.externalBytes(), m.millis());
            models.out().println(m.directory());
            return LlmLinguaCli.EXIT_OK;
        }
    }

    @Command(name = "build-minilm",
            header = "Build a token classifier from the pretrained MiniLM-L6 encoder (real tokenizer and encoder,"
                    + " untrained head); prints its directory.",
            mixinStandardHelpOptions = true)
    static final class BuildMiniLm implements Callable<Integer> {
        @ParentCommand
        ModelsCommand models;

        @Spec
        CommandSpec spec;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Model directory to write.")
        Path out;

        @Option(names = "--quantized",
                description = "Keep the shipped int8 MatMuls (smaller; results depend on the batch; CPU only).")
        boolean quantized;

        @Option(names = "--encoder",
                description = "Write the encoder alone (output token_features, no head): the base for 'llmlingua train'.")
        boolean encoder;

        @Override
        public Integer call() throws IOException {
            if (encoder && quantized) {
                throw new ParameterException(spec.commandLine(), "--encoder writes float MatMuls; drop --quantized");
            }
            MiniLmModel m = encoder ? MiniLmModelBuilder.buildEncoder(out) : MiniLmModelBuilder.build(out,
                    quantized ? MiniLmModelBuilder.Variant.QUANTIZED : MiniLmModelBuilder.Variant.FLOAT_MATMULS);
            models.cli.stderr().printf(Locale.ROOT, "built MiniLM model (%s): vocabulary %d (+100), %d bytes, in %d ms%n",
                    EnumConverter.display(m.variant()), m.baseVocabSize(), m.modelBytes(), m.millis());
            models.out().println(m.directory());
            return LlmLinguaCli.EXIT_OK;
        }
    }

    @Command(name = "build-demo",
            header = "Build the embedded default's demo model (MiniLM-L6 + a head trained on rule-teacher labels; not"
                    + " LLMLingua-2), print its golden keep-word F1 on stderr and its directory.",
            mixinStandardHelpOptions = true)
    static final class BuildDemo implements Callable<Integer> {
        @ParentCommand
        ModelsCommand models;

        @Option(names = "--out", paramLabel = "DIR",
                description = "Model directory to write. Default: the cache directory the embedded default uses.")
        Path out;

        @Override
        public Integer call() throws IOException {
            TeacherDemoModel.Built built = out == null ? TeacherDemoModel.ensure(models.cli.stderr())
                    : TeacherDemoModel.ensure(out, models.cli.stderr());
            models.cli.stderr().printf(Locale.ROOT, "demo model%s: golden keep-word F1 en %.3f, zh %.3f%n",
                    built.cached() ? " (cached)" : "", built.goldenF1("en"), built.goldenF1("zh"));
            models.out().println(built.directory());
            return LlmLinguaCli.EXIT_OK;
        }
    }

    @Command(name = "quantize",
            header = "Write an int8 copy of a model directory (per-channel int8 weights, per-token activation"
                    + " quantisation: results never depend on the batch); prints its directory.",
            mixinStandardHelpOptions = true)
    static final class Quantize implements Callable<Integer> {
        @ParentCommand
        ModelsCommand models;

        @Spec
        CommandSpec spec;

        @Option(names = "--model", required = true, paramLabel = "DIR", description = "The float model directory.")
        Path model;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "New or empty directory to write.")
        Path out;

        @Override
        public Integer call() throws IOException {
            ModelQuantizer.Result r;
            try {
                r = ModelQuantizer.builder(model, out).build().run();
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
            models.cli.stderr().printf(Locale.ROOT, "quantised %d MatMuls to int8 (%d head%s kept float), %d bytes,"
                            + " in %d ms: %s%n", r.quantizedMatMuls(), r.keptHeads(), r.keptHeads() == 1 ? "" : "s",
                    r.modelBytes(), r.millis(), r.method());
            models.out().println(r.directory());
            return LlmLinguaCli.EXIT_OK;
        }
    }

    @Command(name = "compare",
            header = "Print how often two models (e.g. float and int8) make the same keep decisions on a corpus.",
            mixinStandardHelpOptions = true)
    static final class Compare implements Callable<Integer> {
        @ParentCommand
        ModelsCommand models;

        @Spec
        CommandSpec spec;

        @Option(names = "--model", required = true, paramLabel = "DIR", description = "The reference model directory.")
        Path model;

        @Option(names = "--against", required = true, paramLabel = "DIR", description = "The model to compare.")
        Path against;

        @Option(names = "--corpus", required = true, paramLabel = "FILE.jsonl",
                description = "JSON lines with a string field 'text'.")
        Path corpus;

        @Option(names = "--limit", paramLabel = "N", description = "Compare the first N texts. Default: all.")
        int limit;

        @Option(names = "--rate", paramLabel = "R",
                description = "Compression rate of the word decisions. Default: " + KeepAgreement.DEFAULT_RATE + ".")
        double rate = KeepAgreement.DEFAULT_RATE;

        @Override
        public Integer call() throws IOException {
            if (limit < 0) {
                throw new ParameterException(spec.commandLine(), "--limit must be at least 1");
            }
            for (Path dir : List.of(model, against)) {
                if (!Files.isRegularFile(dir.resolve("model.onnx"))) {
                    throw new ParameterException(spec.commandLine(), "no model.onnx in " + dir);
                }
            }
            if (!Files.isRegularFile(corpus)) {
                throw new ParameterException(spec.commandLine(), "corpus " + corpus + " is not a file");
            }
            List<String> texts;
            try {
                texts = KeepAgreement.readCorpus(corpus, limit);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
            if (texts.isEmpty()) {
                throw new ParameterException(spec.commandLine(), "corpus " + corpus + " has no texts");
            }
            KeepAgreement.Result r = KeepAgreement.compare(model, against, texts, rate);
            models.out().println(r.summary());
            return LlmLinguaCli.EXIT_OK;
        }
    }

    /** {@code wordpiece}/{@code sentencepiece}, case-insensitive (also {@code bert}, {@code xlm-roberta}). */
    static final class FamilyConverter implements CommandLine.ITypeConverter<GeneratedFamily> {
        @Override
        public GeneratedFamily convert(String value) {
            try {
                return GeneratedFamily.valueOf(io.flinkllmlingua.engine.ModelFamily.parse(value).name());
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not one of wordpiece|sentencepiece");
            }
        }
    }
}
