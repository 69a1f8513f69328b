package io.flinkllmlingua.jobs.sql;

import io.flinkllmlingua.jobs.cli.EntryPoint;
import io.flinkllmlingua.jobs.cli.LlmLinguaCli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Entry class of the SQL job on a cluster (the FlinkDeployment of deploy/kubernetes, {@code flink run -c}): the
 * arguments of {@code llmlingua sql} ({@code --file FILE -Dname=value ...}). Unlike {@link LlmLinguaCli#main}, it
 * keeps a chosen logging configuration (a plain {@code java} run without one gets the jobs' own). A user's mistake
 * is one line on stderr; in a plain {@code java} run the JVM exits with
 * code 2, inside a cluster context (where it runs in the JobManager) it never calls {@code System.exit} and throws
 * instead ({@link EntryPoint}).
 */
public final class SqlJobMain {
    private SqlJobMain() {}

    public static void main(String[] args) {
        // only where no logging configuration was chosen (never on a cluster, whose scripts choose one)
        io.flinkllmlingua.jobs.cli.JobLog.configureLocalLogging();
        List<String> all = new ArrayList<>(List.of("sql"));
        all.addAll(List.of(args));
        int code = new LlmLinguaCli(System.in, System.out, System.err, System.getenv()).execute(all.toArray(String[]::new));
        EntryPoint.finish("llmlingua sql", code);
    }
}
