package io.flinkllmlingua.jobs.sql;

import io.flinkllmlingua.jobs.cli.LlmLinguaCli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Entry class of the SQL job on a cluster (the FlinkDeployment of deploy/kubernetes, {@code flink run -c}): the
 * arguments of {@code llmlingua sql} ({@code --file FILE -Dname=value ...}). Unlike {@link LlmLinguaCli#main}, it
 * neither reconfigures logging nor calls {@code System.exit}, since on a cluster it runs inside the JobManager;
 * a failure is thrown instead.
 */
public final class SqlJobMain {
    private SqlJobMain() {}

    public static void main(String[] args) {
        List<String> all = new ArrayList<>(List.of("sql"));
        all.addAll(List.of(args));
        int code = new LlmLinguaCli(System.in, System.out, System.err, System.getenv()).execute(all.toArray(String[]::new));
        if (code != 0) {
            throw new IllegalStateException("llmlingua sql failed (exit code " + code + ")");
        }
    }
}
