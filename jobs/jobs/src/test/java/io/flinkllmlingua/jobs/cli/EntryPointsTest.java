package io.flinkllmlingua.jobs.cli;

import io.flinkllmlingua.jobs.backfill.BackfillJobMain;
import io.flinkllmlingua.jobs.sql.SqlScript;
import io.flinkllmlingua.jobs.sql.SqlScriptRunner;
import io.flinkllmlingua.jobs.streaming.CompressionJobMain;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every entry point reports a user's mistake (missing model or brokers, a bad value, a wrong path, an unknown key) as
 * ONE line on stderr with exit code 2, a stack trace only with --verbose; inside a cluster context it throws instead
 * of exiting; unknown llmlingua.* keys are refused on each path.
 */
class EntryPointsTest {
    @TempDir
    Path tmp;

    private record Result(int code, String err) {
        void isOneLineUsageError(String... fragments) {
            assertEquals(LlmLinguaCli.EXIT_USAGE, code, err);
            assertEquals(1, err.strip().lines().count(), "one line: " + err);
            assertFalse(err.contains("\tat "), "no stack trace: " + err);
            for (String f : fragments) {
                assertTrue(err.contains(f), f + " in: " + err);
            }
        }
    }

    private interface Main {
        int run(PrintStream err, String... args);
    }

    private static Result run(Main main, String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        int code = main.run(err, args);
        return new Result(code, bytes.toString(StandardCharsets.UTF_8));
    }

    @Test
    void ingestionJobMistakesAreOneLineAndExitCode2() throws Exception {
        Path model = Files.createDirectories(tmp.resolve("model"));
        run(CompressionJobMain::run, "--model", model.toString())
                .isOneLineUsageError("compress-job: ", "missing --bootstrap-servers", "DemoMain");
        run(CompressionJobMain::run, "--bootstrap-servers", "127.0.0.1:1")
                .isOneLineUsageError("missing --model");
        run(CompressionJobMain::run, "--bootstrap-servers", "127.0.0.1:1", "--model", tmp.resolve("nope").toString())
                .isOneLineUsageError("model directory not found");
        run(CompressionJobMain::run, "--bootstrap-servers", "127.0.0.1:1", "--model", model.toString(),
                "-Dllmlingua.rat=0.3")
                .isOneLineUsageError("unknown option 'llmlingua.rat' (-D); did you mean 'llmlingua.rate'?");
        run(CompressionJobMain::run, "--bootstrap-servers", "127.0.0.1:1", "--model", model.toString(),
                "-Dllmlingua.rate=1.5")
                .isOneLineUsageError("invalid value for option 'llmlingua.rate': 1.5");
        run(CompressionJobMain::run, "--bootstrap-servers", "127.0.0.1:1", "--model", model.toString(),
                "-Dllmlingua.sql.empty-text=SKIP_ROW")
                .isOneLineUsageError("unknown option 'llmlingua.sql.empty-text' (-D) for the job, backfill");
        run(CompressionJobMain::run, "--bootstrap-servers", "127.0.0.1:1", "--checkpoint-interval", "soon")
                .isOneLineUsageError("'soon' is not a duration");
        run(CompressionJobMain::run, "--bootstrap-server", "x").isOneLineUsageError("--bootstrap-servers");
        Path file = tmp.resolve("job.properties");
        Files.writeString(file, "llmlingua.batch.max-wiat=5 ms\n");
        run(CompressionJobMain::run, "--bootstrap-servers", "127.0.0.1:1", "--model", model.toString(),
                "--config", file.toString())
                .isOneLineUsageError("unknown option 'llmlingua.batch.max-wiat' (--config " + file
                        + "); did you mean 'llmlingua.batch.max-wait'?");
        run(CompressionJobMain::run, "--bootstrap-servers", "127.0.0.1:1", "--config", tmp.resolve("none").toString())
                .isOneLineUsageError("none");

        Result verbose = run(CompressionJobMain::run, "--bootstrap-servers", "127.0.0.1:1", "--verbose");
        assertEquals(LlmLinguaCli.EXIT_USAGE, verbose.code());
        assertTrue(verbose.err().contains("\tat "), "--verbose prints the stack trace: " + verbose.err());
    }

    @Test
    void backfillMistakesAreOneLineAndExitCode2() {
        String[] jsonl = {"--source", "jsonl", "--sink", "jsonl", "--input", tmp.resolve("in").toString(),
                "--output", tmp.resolve("out").toString(), "--failures", tmp.resolve("failed").toString()};
        run(BackfillJobMain::run, jsonl).isOneLineUsageError("backfill: ", "--model");
        List<String> typo = new ArrayList<>(List.of(jsonl));
        typo.addAll(List.of("--model", tmp.toString(), "-Dllmlingua.force-token=x"));
        run(BackfillJobMain::run, typo.toArray(String[]::new))
                .isOneLineUsageError("unknown option 'llmlingua.force-token' (-D); did you mean 'llmlingua.force-tokens'?");
        List<String> bad = new ArrayList<>(List.of(jsonl));
        bad.addAll(List.of("--model", tmp.toString(), "-Dllmlingua.batch.max-wait=-1 ms"));
        run(BackfillJobMain::run, bad.toArray(String[]::new)).isOneLineUsageError("llmlingua.batch.max-wait");
        run(BackfillJobMain::run, "--source", "jsonl").isOneLineUsageError("--sink");
        run(BackfillJobMain::run, "--source", "csv", "--sink", "jsonl").isOneLineUsageError("csv");
        List<String> interval = new ArrayList<>(List.of(jsonl));
        interval.addAll(List.of("--model", tmp.toString(), "--progress-interval", "often"));
        run(BackfillJobMain::run, interval.toArray(String[]::new)).isOneLineUsageError("'often' is not a duration");
    }

    @Test
    void sqlCommandMistakesAreOneLineAndExitCode2() throws Exception {
        Path script = tmp.resolve("s.sql");
        Files.writeString(script, "SET 'pipeline.global-job-parameters' = 'llmlingua.model.path:/m,llmlingua.rat:0.3';\n");
        CliRunner.Run r = CliRunner.run("", "sql", "--file", script.toString());
        new Result(r.exitCode(), r.stderr()).isOneLineUsageError("unknown option 'llmlingua.rat'",
                "did you mean 'llmlingua.rate'?");
        CliRunner.Run none = CliRunner.run("", "sql", "--file", tmp.resolve("none.sql").toString());
        new Result(none.exitCode(), none.stderr()).isOneLineUsageError("no such file");
    }

    @Test
    void theSqlRunnerPutsTheClustersOptionsUnderTheScriptsJobParameters() throws Exception {
        Configuration cluster = new Configuration();
        cluster.setString("llmlingua.rate", "0.2");
        cluster.setString("llmlingua.target-token", "50");
        StreamTableEnvironment tEnv = SqlScriptRunner.tableEnvironment(cluster);
        SqlScript script = SqlScript.parse("SET 'pipeline.global-job-parameters' = "
                + "'llmlingua.model.path:/m,llmlingua.rate:0.4,other:x';\n", Map.of());
        new SqlScriptRunner(new PrintStream(java.io.OutputStream.nullOutputStream()), true, false).run(script, tEnv);
        Map<String, String> params = tEnv.getConfig().get(PipelineOptions.GLOBAL_JOB_PARAMETERS);
        assertEquals("0.4", params.get("llmlingua.rate"), "the script wins");
        assertEquals("50", params.get("llmlingua.target-token"), "the cluster's option is honoured");
        assertEquals("/m", params.get("llmlingua.model.path"));
        assertEquals("x", params.get("other"));

        Configuration typo = new Configuration();
        typo.setString("llmlingua.modle.path", "/m");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SqlScriptRunner(
                new PrintStream(java.io.OutputStream.nullOutputStream()), true, false)
                .run(SqlScript.parse("SET 'a' = 'b';", Map.of()), SqlScriptRunner.tableEnvironment(typo)));
        assertEquals("unknown option 'llmlingua.modle.path' (cluster configuration); did you mean "
                + "'llmlingua.model.path'?", e.getMessage());
    }

    @Test
    void aPlainRunExitsWithTheCodeAndAClusterContextThrows() {
        List<Integer> exits = new ArrayList<>();
        EntryPoint.finish("x", 0, false, exits::add);
        EntryPoint.finish("x", 2, false, exits::add);
        assertEquals(List.of(2), exits, "exit only on failure, with its code");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> EntryPoint.finish("x", 2, true, exits::add));
        assertTrue(e.getMessage().contains("exit code 2"), e.getMessage());
        assertEquals(List.of(2), exits, "never System.exit in a cluster context");
        assertFalse(EntryPoint.inCluster(), "a plain JVM (no context environment) is not a cluster");
    }

    /** The real main in its own JVM: exit status 2 and one line, no embedded broker without --bootstrap-servers. */
    @Test
    void theJobMainInAPlainJvmExitsWith2() throws Exception {
        Path model = Files.createDirectories(tmp.resolve("m"));
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), CompressionJobMain.class.getName(),
                "--model", model.toString())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the main returned");
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        List<String> lines = err.strip().lines().filter(l -> l.startsWith("compress-job:")).toList();
        assertEquals(2, p.exitValue(), err);
        assertEquals(1, lines.size(), err);
        assertTrue(lines.get(0).contains("missing --bootstrap-servers"), err);
        assertFalse(err.contains("\tat "), err);
    }
}
