package io.flinkllmlingua.jobs.sql;

import org.apache.flink.configuration.Configuration;

import java.io.PrintStream;
import java.util.List;

/** Entry of the {@code sql} command into Flink (kept apart so that the command loads without Flink). */
public final class SqlRun {
    private SqlRun() {}

    /** Runs {@code script} on a new streaming table environment; returns the jobs it started. */
    public static List<SqlScriptRunner.Job> run(SqlScript script, PrintStream out, boolean wait, boolean verbose)
            throws Exception {
        return run(script, out, wait, verbose, io.flinkllmlingua.jobs.cli.KafkaPreflight.DEFAULT_TIMEOUT);
    }

    /** As {@link #run(SqlScript, PrintStream, boolean, boolean)}, with the Kafka tables' check timeout. */
    public static List<SqlScriptRunner.Job> run(SqlScript script, PrintStream out, boolean wait, boolean verbose,
                                                java.time.Duration kafkaCheckTimeout) throws Exception {
        return new SqlScriptRunner(out, wait, verbose).kafkaCheckTimeout(kafkaCheckTimeout)
                .run(script, SqlScriptRunner.tableEnvironment(new Configuration()));
    }
}
