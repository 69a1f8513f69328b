package io.flinkllmlingua.jobs.cli;

import io.flinkllmlingua.flink.LlmLinguaOptions;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.TimeUtils;
import picocli.CommandLine;

import java.io.FileNotFoundException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * What every runnable entry point (the ingestion job, the backfill, the SQL job, the CLI) does with a user's mistake:
 * ONE line on standard error ({@code NAME: message}) and exit code {@value LlmLinguaCli#EXIT_USAGE}; other failures
 * exit {@value LlmLinguaCli#EXIT_ERROR}; stack traces only with {@code --verbose}.
 *
 * <p><b>Never {@code System.exit} inside a Flink cluster.</b> On REST or web submission and in application mode a
 * job's {@code main} runs inside the JobManager, where exiting would stop the JobManager. {@link #inCluster()} tells
 * the two apart by the environment Flink provides: a plain {@code java ... Main} run gets a
 * {@link LocalStreamEnvironment}; {@code flink run}, REST/application submission (and a test MiniCluster) install a
 * context environment. Inside a cluster context the failure is thrown instead (its message is the same line), and
 * Flink reports it.
 */
public final class EntryPoint {
    private EntryPoint() {}

    /** Whether this JVM runs the main under a Flink context environment (cluster submission or a test cluster). */
    public static boolean inCluster() {
        return !(StreamExecutionEnvironment.getExecutionEnvironment() instanceof LocalStreamEnvironment);
    }

    /** The configuration Flink gives this main: the cluster's (e.g. a FlinkDeployment's flinkConfiguration), or local. */
    public static ReadableConfig clusterConfiguration() {
        return StreamExecutionEnvironment.getExecutionEnvironment().getConfiguration();
    }

    /**
     * The {@code llmlingua.*} entries of the cluster configuration, with unknown keys refused (keys of any path are
     * accepted there: a session cluster may run the SQL job and the ingestion job side by side).
     */
    public static Map<String, String> clusterOptions(ReadableConfig cluster) {
        Map<String, String> options = LlmLinguaOptions.ofPrefix(cluster.toMap());
        LlmLinguaOptions.checkKeys(options.keySet(), "cluster configuration");
        return options;
    }

    /** Flink-style durations ({@code 10 s}, {@code 2 ms}, {@code PT10S}) for picocli options. */
    public static final CommandLine.ITypeConverter<Duration> DURATION = v -> {
        try {
            return TimeUtils.parseDuration(v);
        } catch (RuntimeException e) {
            throw new CommandLine.TypeConversionException("'" + v + "' is not a duration (e.g. 10 s, 500 ms, PT10S)");
        }
    };

    /** A command line for {@code command} with case-insensitive enums, Flink durations and one-line errors. */
    public static CommandLine commandLine(Object command, String name, PrintStream err) {
        CommandLine cl = new CommandLine(command).setCaseInsensitiveEnumValuesAllowed(true);
        cl.registerConverter(Duration.class, DURATION);
        cl.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        cl.setParameterExceptionHandler((ex, args) -> {
            String line = name + ": " + ex.getMessage().strip().replace("\n", " ");
            if (ex instanceof CommandLine.UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
                line += " (did you mean " + String.join(" or ", u.getSuggestions().subList(0,
                        Math.min(3, u.getSuggestions().size()))) + "?)";
            }
            err.println(line + " (see --help)");
            if (verbose(args)) {
                ex.printStackTrace(err);
            }
            return LlmLinguaCli.EXIT_USAGE;
        });
        cl.setExecutionExceptionHandler((ex, c, parseResult) -> {
            boolean usage = isUsage(ex);
            // Inside a cluster the line goes to the JobManager's .out file, which no user reads first: keep the trace.
            boolean stack = verbose(parseResult.originalArgs().toArray(String[]::new)) || inCluster();
            err.println(name + ": " + (usage ? "" : "error: ") + LlmLinguaCli.describe(ex).replaceFirst("^error: ", "")
                    + (stack || usage ? "" : " (--verbose for the stack trace)"));
            if (stack) {
                ex.printStackTrace(err);
            }
            return usage ? LlmLinguaCli.EXIT_USAGE : LlmLinguaCli.EXIT_ERROR;
        });
        return cl;
    }

    /** A user's mistake rather than a failure: a bad or missing value, an unknown key, a missing file. */
    public static boolean isUsage(Throwable ex) {
        return ex instanceof IllegalArgumentException || ex instanceof CommandLine.ParameterException
                || ex instanceof NoSuchFileException || ex instanceof FileNotFoundException;
    }

    private static boolean verbose(String[] args) {
        return Arrays.asList(args).contains("--verbose") || Arrays.asList(args).contains("-v");
    }

    /**
     * Runs a main: {@code execute} returns the exit code (having printed its one line); a non-zero code exits the JVM
     * with it in a plain run, and is thrown as an exception inside a cluster context.
     */
    public static void finish(String name, int code) {
        finish(name, code, inCluster(), System::exit);
    }

    /** {@link #finish(String, int)} with the context and the exit given (tests). */
    public static void finish(String name, int code, boolean inCluster, IntConsumer exit) {
        if (code == 0) {
            return;
        }
        if (inCluster) {
            throw new IllegalStateException(name + " failed (exit code " + code + ")");
        }
        System.out.flush();
        System.err.flush();
        exit.accept(code);
    }
}
