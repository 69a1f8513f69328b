package io.flinkllmlingua.jobs.cli;

import io.flinkllmlingua.jobs.sql.SqlRun;
import io.flinkllmlingua.jobs.sql.SqlScript;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code llmlingua sql --file FILE -Dname=value ...}: runs a Flink SQL script with its {@code ${name}} variables
 * substituted, on a streaming TableEnvironment (a local MiniCluster, or the cluster when started by
 * {@code flink run}). Needs Flink's Table API on the classpath (the {@code -cli} jar leaves Flink out); only
 * {@code --dry-run} works without it.
 */
@Command(name = "sql",
        header = "Run a Flink SQL script (variables substituted) on a local MiniCluster or the `flink run` cluster.",
        mixinStandardHelpOptions = true,
        description = {
                "Statements are separated by ';'; '--' and '/* */' comments are ignored. ${name} is replaced by the value "
                        + "of -Dname=VALUE, ${name:-default} by the value or the default; a variable without either is "
                        + "an error. SET 'key' = 'value' sets a table option; INSERT jobs are awaited one after the "
                        + "other (a bounded job ends; an unbounded one runs until cancelled) unless --detach.",
                "The scripts shipped in the jar (sql/*.sql) are named builtin:NAME, e.g. builtin:kafka-ml-predict.sql."})
final class SqlCommand implements Callable<Integer> {
    static final String BUILTIN = "builtin:";
    static final String RESOURCE_DIR = "/sql/";

    @ParentCommand
    LlmLinguaCli cli;

    @Spec
    CommandSpec spec;

    @Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE",
            description = "The SQL script: a file, or builtin:NAME for a script shipped in the jar.")
    String file;

    @Option(names = "-D", paramLabel = "NAME=VALUE", mapFallbackValue = "",
            description = "A script variable (repeatable), e.g. -Dbootstrap_servers=127.0.0.1:9092.")
    Map<String, String> variables = new LinkedHashMap<>();

    @Option(names = "--dry-run", description = "Print the script with its variables substituted and run nothing "
            + "(e.g. to feed Flink's SQL client: sql-client.sh -f).")
    boolean dryRun;

    @Option(names = "--kafka-check-timeout", defaultValue = "30 s", paramLabel = "DURATION",
            description = "Before a statement that starts a job: how long to wait for each Kafka table's broker to "
                    + "answer and describe its topic; an unreachable broker or a missing topic ends the run with one "
                    + "line; 0 skips the check (default: ${DEFAULT-VALUE}).")
    java.time.Duration kafkaCheckTimeout;

    @Option(names = "--detach", description = "Return once the jobs are submitted instead of waiting for them to end.")
    boolean detach;

    @Override
    public Integer call() throws Exception {
        String text = read();
        SqlScript script;
        try {
            script = SqlScript.parse(text, variables);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), file + ": " + e.getMessage());
        }
        PrintStream out = cli.stdout();
        if (dryRun) {
            out.print(script.render());
            out.flush();
            return LlmLinguaCli.EXIT_OK;
        }
        if (!flinkTableApiPresent()) {
            throw new ParameterException(spec.commandLine(), "the sql command needs Flink's Table API on the classpath, "
                    + "which the -cli jar leaves out: run it with the jobs jar and its dependencies (java -cp "
                    + "\"jobs/jobs/target/flink-llmlingua-jobs-<version>.jar:$(cat jobs/jobs/target/classpath.txt)\" "
                    + "io.flinkllmlingua.jobs.cli.LlmLinguaCli sql ...), or submit it with flink run");
        }
        try {
            SqlRun.run(script, out, !detach, cli.verbose, kafkaCheckTimeout);
        } catch (Exception e) {
            if (e.getCause() instanceof IllegalArgumentException iae && String.valueOf(iae.getMessage()).contains("option '")) {
                // a misspelt or invalid llmlingua.* option of the script: a user's mistake
                throw new ParameterException(spec.commandLine(), file + ": " + e.getMessage(), e);
            }
            if (e.getCause() instanceof KafkaPreflight.MissingTopicException) {
                // a table naming a topic that does not exist: a user's mistake
                throw new ParameterException(spec.commandLine(), file + ": " + e.getMessage(), e);
            }
            throw e;
        }
        return LlmLinguaCli.EXIT_OK;
    }

    private String read() throws IOException {
        if (file.startsWith(BUILTIN)) {
            String name = file.substring(BUILTIN.length());
            try (InputStream in = SqlCommand.class.getResourceAsStream(RESOURCE_DIR + name)) {
                if (in == null || name.contains("/")) {
                    throw new ParameterException(spec.commandLine(), "no built-in script '" + name + "' (shipped: "
                            + "kafka-ml-predict.sql, kafka-function.sql, upsert-kafka-rag-index.sql)");
                }
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        }
        try {
            return Files.readString(Path.of(file), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ParameterException(spec.commandLine(), "no such file: " + file);
        }
    }

    private static boolean flinkTableApiPresent() {
        try {
            Class.forName("org.apache.flink.table.api.bridge.java.StreamTableEnvironment", false,
                    SqlCommand.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }
}
