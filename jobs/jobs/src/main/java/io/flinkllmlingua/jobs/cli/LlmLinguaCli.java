package io.flinkllmlingua.jobs.cli;

import io.flinkllmlingua.engine.EngineException;
import io.flinkllmlingua.engine.EngineVersion;
import io.flinkllmlingua.engine.ExecutionProvider;
import io.flinkllmlingua.engine.ModelFamily;
import io.flinkllmlingua.engine.RenderMode;
import io.flinkllmlingua.engine.SpecialTokenPolicy;
import io.flinkllmlingua.engine.TokenToWord;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The {@code llmlingua} command-line tool: LLMLingua-2 compression of text, files and JSONL without Flink.
 * Exit codes: {@value #EXIT_OK} all good, {@value #EXIT_ERROR} an engine or I/O failure, {@value #EXIT_USAGE} a
 * user's mistake (missing {@code --model}, a bad value, a wrong path, an unknown option), {@value #EXIT_RECORD_FAILURES}
 * some records failed (each reported as an error line). Errors are one line on standard error; stack traces only
 * with {@code --verbose}.
 *
 * <p>Standard streams and the environment are injected so that the tool can run in-process (tests, embedding);
 * {@link #main} binds them to the process.
 */
@Command(name = "llmlingua",
        mixinStandardHelpOptions = true,
        versionProvider = LlmLinguaCli.Version.class,
        description = "LLMLingua-2 prompt compression on ONNX Runtime.",
        subcommands = {CompressCommand.class, ModelsCommand.class, SqlCommand.class, EvalCommand.class,
                TrainCommand.class, CommandLine.HelpCommand.class},
        exitCodeOnInvalidInput = LlmLinguaCli.EXIT_USAGE,
        exitCodeOnExecutionException = LlmLinguaCli.EXIT_ERROR)
public final class LlmLinguaCli implements Runnable {
    public static final int EXIT_OK = 0;
    public static final int EXIT_ERROR = 1;
    /** A user's mistake: the same code on every entry point (CLI, job, backfill, SQL runner). */
    public static final int EXIT_USAGE = 2;
    public static final int EXIT_RECORD_FAILURES = 3;
    /** Environment variable naming the model directory when {@code --model} is not given. */
    public static final String ENV_MODEL = "LLMLINGUA_MODEL";
    /** System property read by the CLI's log4j configuration for the root level. */
    static final String LOG_LEVEL_PROPERTY = "llmlingua.log.level";
    private static final String LOG_CONFIG = "io/flinkllmlingua/jobs/cli/log4j2-cli.xml";

    private final InputStream in;
    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, String> env;

    @Spec
    CommandSpec spec;

    @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT,
            description = "Stack traces on errors and informational logging (stderr).")
    boolean verbose;

    public LlmLinguaCli(InputStream in, PrintStream out, PrintStream err, Map<String, String> env) {
        this.in = in;
        this.out = out;
        this.err = err;
        this.env = Map.copyOf(env);
    }

    /**
     * The model directory of a command: its {@code --model} value, else {@value #ENV_MODEL}; a user mistake when
     * neither is set or the directory does not exist.
     */
    Path modelDirectory(Path option, CommandSpec command) {
        Path dir = option;
        if (dir == null) {
            String value = env.get(ENV_MODEL);
            if (value == null || value.isBlank()) {
                throw new ParameterException(command.commandLine(),
                        "Missing required option: '--model=DIR' (or set " + ENV_MODEL + ")");
            }
            dir = Path.of(value.trim());
        }
        if (!Files.isDirectory(dir)) {
            throw new ParameterException(command.commandLine(), "model directory not found: " + dir);
        }
        return dir;
    }

    public static void main(String[] args) {
        configureLogging(args);
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        int code = new LlmLinguaCli(System.in, out, err, System.getenv()).execute(args);
        out.flush();
        err.flush();
        System.exit(code);
    }

    /** Parses {@code args}, runs the subcommand and returns the exit code. */
    public int execute(String... args) {
        return commandLine().execute(args);
    }

    /** The configured command line (converters, exception handlers, streams). */
    public CommandLine commandLine() {
        CommandLine cl = new CommandLine(this);
        cl.registerConverter(TokenToWord.class, new EnumConverter<>(TokenToWord.class));
        cl.registerConverter(RenderMode.class, new EnumConverter<>(RenderMode.class));
        cl.registerConverter(SpecialTokenPolicy.class, new EnumConverter<>(SpecialTokenPolicy.class));
        cl.registerConverter(ExecutionProvider.class, new EnumConverter<>(ExecutionProvider.class));
        cl.registerConverter(ModelFamily.class, ModelFamily::parse);
        cl.registerConverter(java.time.Duration.class, EntryPoint.DURATION);
        cl.setDefaultValueProvider(new EngineDefaults());
        installOptions(cl);
        cl.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        cl.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        cl.setParameterExceptionHandler(this::usageError);
        cl.setExecutionExceptionHandler((ex, command, parseResult) -> failure(ex, parseResult));
        return cl;
    }

    /** Adds the flags derived from {@link io.flinkllmlingua.flink.LlmLinguaOptions} to {@code compress}. */
    private static void installOptions(CommandLine cl) {
        CommandLine compress = cl.getSubcommands().get("compress");
        CompressCommand c = compress.getCommand();
        CliOptions o = CliOptions.install(compress.getCommandSpec(), true);
        c.compression.options = o;
        c.engine.options = o;
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing subcommand");
    }

    InputStream stdin() {
        return in;
    }

    PrintStream stdout() {
        return out;
    }

    PrintStream stderr() {
        return err;
    }

    Map<String, String> env() {
        return env;
    }

    /** A user's mistake: one line (the message, a suggestion, where the help is), exit {@value #EXIT_USAGE}. */
    private int usageError(ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        PrintWriter w = cmd.getErr();
        StringBuilder line = new StringBuilder("llmlingua: ").append(ex.getMessage().strip().replace("\n", " "));
        if (ex instanceof CommandLine.UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
            line.append(" (did you mean ").append(String.join(" or ", u.getSuggestions().subList(0,
                    Math.min(3, u.getSuggestions().size())))).append("?)");
        }
        line.append(" (see '").append(cmd.getCommandSpec().qualifiedName()).append(" --help')");
        w.println(line);
        if (verbose || List.of(args).contains("--verbose") || List.of(args).contains("-v")) {
            ex.printStackTrace(w);
        }
        w.flush();
        return EXIT_USAGE;
    }

    private int failure(Exception ex, ParseResult parseResult) {
        boolean stack = verbose || verboseRequested(parseResult);
        err.println("llmlingua: " + describe(ex) + (stack ? "" : " (--verbose for the stack trace)"));
        if (stack) {
            ex.printStackTrace(err);
        }
        err.flush();
        return EntryPoint.isUsage(ex) ? EXIT_USAGE : EXIT_ERROR;
    }

    /** One line: the message and its causes, without stack traces. */
    static String describe(Throwable ex) {
        StringBuilder sb = new StringBuilder();
        sb.append(ex instanceof EngineException ? "engine error: " : "error: ");
        sb.append(messageOf(ex));
        Throwable seen = ex;
        for (Throwable c = ex.getCause(); c != null && c != seen; seen = c, c = c.getCause()) {
            String m = messageOf(c);
            if (!sb.toString().contains(m)) {
                sb.append(": ").append(m);
            }
        }
        return sb.toString();
    }

    private static String messageOf(Throwable t) {
        String m = t.getMessage();
        return m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
    }

    private static boolean verboseRequested(ParseResult pr) {
        for (ParseResult p = pr; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("--verbose")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Points log4j at the CLI's configuration (stderr, WARN, INFO with {@code --verbose}) unless the user chose
     * one; must run before the first logger is created.
     */
    static void configureLogging(String[] args) {
        if (System.getProperty("log4j2.configurationFile") == null
                && System.getProperty("log4j.configurationFile") == null) {
            System.setProperty("log4j2.configurationFile", LOG_CONFIG);
        }
        boolean verbose = false;
        for (String a : args) {
            if ("--".equals(a)) {
                break;
            }
            verbose |= "-v".equals(a) || "--verbose".equals(a);
        }
        if (System.getProperty(LOG_LEVEL_PROPERTY) == null) {
            System.setProperty(LOG_LEVEL_PROPERTY, verbose ? "INFO" : "WARN");
        }
        if (System.getProperty(LOG_LEVEL_PROPERTY + ".djl") == null) {
            System.setProperty(LOG_LEVEL_PROPERTY + ".djl", verbose ? "INFO" : "ERROR");
        }
        if (System.getProperty(LOG_LEVEL_PROPERTY + ".flink") == null) {
            System.setProperty(LOG_LEVEL_PROPERTY + ".flink", verbose ? "INFO" : "ERROR");
        }
    }

    /** {@code --version}: the engine version. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"llmlingua " + EngineVersion.get(),
                    "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")"};
        }
    }
}
