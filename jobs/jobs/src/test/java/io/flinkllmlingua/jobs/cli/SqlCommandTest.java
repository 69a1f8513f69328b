package io.flinkllmlingua.jobs.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code llmlingua sql}: argument handling and variable substitution (no Flink job is started here). */
class SqlCommandTest {
    @Test
    void dryRunPrintsTheSubstitutedBuiltInScript() {
        CliRunner.Run r = CliRunner.run("", "sql", "--file", "builtin:kafka-ml-predict.sql", "--dry-run",
                "-Dbootstrap_servers=127.0.0.1:19092", "-Dinput_topic=chunks", "-Doutput_topic=compressed",
                "-Dmodel_path=/models/x", "-Drate=0.33");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.stdout().contains("'properties.bootstrap.servers' = '127.0.0.1:19092'"), r.stdout());
        assertTrue(r.stdout().contains("'model-path' = '/models/x'"), r.stdout());
        assertTrue(r.stdout().contains("'rate' = '0.33'"), r.stdout());
        assertTrue(r.stdout().contains("'scan.bounded.mode' = 'unbounded'"), "defaults apply: " + r.stdout());
        assertFalse(r.stdout().contains("${"), r.stdout());
        assertFalse(r.stdout().contains("--"), "comments are dropped: " + r.stdout());
    }

    @Test
    void undefinedVariablesAreAUsageError(@TempDir Path dir) throws Exception {
        Path script = dir.resolve("job.sql");
        Files.writeString(script, "-- a job\nCREATE TABLE t (s STRING) WITH ('topic' = '${topic}');\n"
                + "INSERT INTO t SELECT '${greeting:-hi}' FROM ${source};\n", StandardCharsets.UTF_8);
        CliRunner.Run r = CliRunner.run("", "sql", "--file", script.toString(), "-Dunused=1");
        assertEquals(LlmLinguaCli.EXIT_USAGE, r.exitCode());
        assertTrue(r.stderr().contains("undefined variables ${topic} (line 2), ${source} (line 3)"), r.stderr());
        assertEquals("", r.stdout());

        CliRunner.Run ok = CliRunner.run("", "sql", "-f", script.toString(), "--dry-run", "-Dtopic=a", "-Dsource=b");
        assertEquals(0, ok.exitCode(), ok.toString());
        assertEquals("CREATE TABLE t (s STRING) WITH ('topic' = 'a');\n\nINSERT INTO t SELECT 'hi' FROM b;\n\n",
                ok.stdout());
    }

    @Test
    void missingScriptsAreUsageErrors() {
        CliRunner.Run file = CliRunner.run("", "sql", "--file", "/nonexistent/x.sql");
        assertEquals(LlmLinguaCli.EXIT_USAGE, file.exitCode());
        assertTrue(file.stderr().contains("no such file: /nonexistent/x.sql"), file.stderr());
        CliRunner.Run builtin = CliRunner.run("", "sql", "--file", "builtin:nope.sql");
        assertEquals(LlmLinguaCli.EXIT_USAGE, builtin.exitCode());
        assertTrue(builtin.stderr().contains("no built-in script 'nope.sql'"), builtin.stderr());
        CliRunner.Run none = CliRunner.run("", "sql");
        assertEquals(LlmLinguaCli.EXIT_USAGE, none.exitCode());
        assertTrue(none.stderr().contains("Missing required option: '--file=FILE'"), none.stderr());
    }

    @Test
    void aFailingStatementNamesItsPosition(@TempDir Path dir) throws Exception {
        Path script = dir.resolve("bad.sql");
        Files.writeString(script, "SET 'parallelism.default' = '1';\n\nCREATE TEMPORARY TABLE t (s STRING) WITH "
                + "('connector' = 'no-such-connector');\nINSERT INTO t SELECT 'x';\n", StandardCharsets.UTF_8);
        CliRunner.Run r = CliRunner.run("", "sql", "--file", script.toString());
        assertEquals(LlmLinguaCli.EXIT_ERROR, r.exitCode(), r.toString());
        assertTrue(r.stderr().contains("statement 3 (line 4, INSERT INTO t SELECT 'x') failed")
                && r.stderr().contains("no-such-connector"), r.stderr());
    }
}
