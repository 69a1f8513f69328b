package io.flinkllmlingua.jobs.sql;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import io.flinkllmlingua.engine.CompressionOptions;
import io.flinkllmlingua.engine.CompressionResult;
import io.flinkllmlingua.engine.EngineConfig;
import io.flinkllmlingua.engine.ExecutionProvider;
import io.flinkllmlingua.engine.PromptCompressor;
import io.flinkllmlingua.flink.table.LlmLinguaCompress;
import io.flinkllmlingua.models.GeneratedFamily;
import io.flinkllmlingua.models.TinyModelGenerator;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * LLMLINGUA_COMPRESS and the llmlingua2 model on a MiniCluster with a generated model, without Kafka: results equal
 * the engine's, the empty-text and invalid-input policies, configuration errors and option validation.
 */
class SqlFunctionAndModelTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder()
                    // the test cluster on 127.0.0.1 only, like every local run
                    .setConfiguration(io.flinkllmlingua.jobs.cli.LocalFlink.loopback(new org.apache.flink.configuration.Configuration()))
                    .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    private static final Encoding CL100K = Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);
    private static final String A = "The quick brown fox jumps over the lazy dog. It was a sunny day in the park.";
    private static final String B = "Flink runs the compression in every parallel subtask! Rows share one engine.";

    private static Path model;
    private static PromptCompressor engine;

    @BeforeAll
    static void setUp() throws Exception {
        model = Files.createTempDirectory("sql-model");
        TinyModelGenerator.generateTiny(model, GeneratedFamily.WORDPIECE);
        engine = PromptCompressor.open(EngineConfig.builder(model).executionProvider(ExecutionProvider.CPU).build());
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (engine != null) {
            engine.close();
        }
        try (var paths = Files.walk(model)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static CompressionResult expected(String text, double rate) {
        return engine.compress(List.of(text), CompressionOptions.builder().rate(rate)
                .forceTokens(List.of("\n", ".", "!", "?")).build());
    }

    /** A streaming table environment on the test MiniCluster with a view {@code v(id, txt, r)}. */
    private static StreamTableEnvironment env(Map<String, String> jobParameters, Object[]... rows) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        StreamTableEnvironment t = StreamTableEnvironment.create(env);
        if (!jobParameters.isEmpty()) {
            List<String> kv = new ArrayList<>();
            jobParameters.forEach((k, v) -> kv.add(k + ":" + v));
            t.getConfig().set("pipeline.global-job-parameters", String.join(",", kv));
        }
        List<Row> data = new ArrayList<>();
        for (Object[] r : rows) {
            data.add(Row.of(r));
        }
        t.createTemporaryView("v", t.fromDataStream(env.fromData(data,
                Types.ROW_NAMED(new String[] {"id", "txt", "r"}, Types.STRING, Types.STRING, Types.DOUBLE))));
        return t;
    }

    private static Map<String, String> params(String... kv) {
        Map<String, String> m = new HashMap<>();
        m.put("llmlingua.model.path", model.toString());
        m.put("llmlingua.provider", "CPU");
        m.put("llmlingua.threads", "1");
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    private static Map<String, Row> collect(StreamTableEnvironment t, String sql) throws Exception {
        Map<String, Row> out = new HashMap<>();
        try (CloseableIterator<Row> it = t.executeSql(sql).collect()) {
            it.forEachRemaining(r -> out.put((String) r.getField(0), r));
        }
        return out;
    }

    /** Flink's own failure when a task fails while its source's coordinator is still sending it NoMoreSplitEvent. */
    private static final String LOST_COORDINATOR_EVENT = "An OperatorEvent from an OperatorCoordinator to a task was lost";

    /**
     * Runs a query that must fail and returns the messages of its failure. A bounded source's coordinator sends
     * NoMoreSplitEvent while the task fails; when that event's loss reaches the scheduler first, Flink reports it
     * as the job's failure instead of the task's own exception. Such a run is repeated (at most three times).
     */
    private static String jobFailure(StreamTableEnvironment t, String sql) {
        String m = "";
        for (int attempt = 0; attempt < 3; attempt++) {
            m = messages(assertThrows(Exception.class, () -> collect(t, sql)));
            if (!m.contains(LOST_COORDINATOR_EVENT)) {
                return m;
            }
        }
        return m;
    }

    private static String messages(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            sb.append(c).append('\n');
        }
        return sb.toString();
    }

    private static void assertCompressed(Row r, int offset, String text, double rate) {
        CompressionResult e = expected(text, rate);
        assertEquals(e.compressedPrompt(), r.getField(offset));
        assertEquals(CL100K.countTokensOrdinary(text), r.getField(offset + 1));
        assertEquals(CL100K.countTokensOrdinary(e.compressedPrompt()), r.getField(offset + 2));
        assertTrue((int) r.getField(offset + 2) < (int) r.getField(offset + 1));
        assertEquals((int) r.getField(offset + 1) / (double) (int) r.getField(offset + 2), (double) r.getField(offset + 3), 1e-9);
        assertEquals((int) r.getField(offset + 2) / (double) (int) r.getField(offset + 1), (double) r.getField(offset + 4), 1e-9);
    }

    @Test
    void functionMatchesTheEngineAndAppliesTheEmptyTextPolicy() throws Exception {
        Object[][] rows = {{"a", A, 0.3}, {"b", B, null}, {"empty", "", 0.3}, {"blank", " \n\t ", null},
                {"null", null, 0.3}};
        StreamTableEnvironment t = env(params("llmlingua.rate", "0.5"), rows);
        t.executeSql("CREATE TEMPORARY SYSTEM FUNCTION LLMLINGUA_COMPRESS AS '" + LlmLinguaCompress.class.getName() + "'");
        Map<String, Row> out = collect(t, "SELECT id, c.compressed_text, c.original_tokens, c.compressed_tokens, c.ratio, "
                + "c.kept_fraction FROM (SELECT id, LLMLINGUA_COMPRESS(txt) AS c FROM v)");
        assertEquals(5, out.size());
        assertCompressed(out.get("a"), 1, A, 0.5);
        assertCompressed(out.get("b"), 1, B, 0.5);
        // PASS_THROUGH (the default): the text is its own result, ratio and kept fraction 1
        assertEquals(Row.of("empty", "", 0, 0, 1.0, 1.0), out.get("empty"));
        int blankTokens = CL100K.countTokensOrdinary(" \n\t ");
        assertEquals(Row.of("blank", " \n\t ", blankTokens, blankTokens, 1.0, 1.0), out.get("blank"));
        // Flink does not call an async scalar function with a null text: the ROW is null
        assertEquals(Row.of("null", null, null, null, null, null), out.get("null"));

        Map<String, Row> perRow = collect(t, "SELECT id, c.compressed_text, c.original_tokens, c.compressed_tokens, "
                + "c.ratio, c.kept_fraction FROM (SELECT id, LLMLINGUA_COMPRESS(txt, COALESCE(r, 0.7)) AS c FROM v)");
        assertCompressed(perRow.get("a"), 1, A, 0.3);
        assertCompressed(perRow.get("b"), 1, B, 0.7);
        // A null rate without COALESCE: Flink 2.2.1's AsyncCalc hands the function -1.0 for a NULL DOUBLE (the column
        // itself reads -1.0 after the AsyncCalc); the function must then refuse it (NULL_RESULT), never compress
        // with a made-up rate.
        Map<String, Row> nullRate = collect(t, "SELECT id, c.compressed_text, c.original_tokens, c.compressed_tokens, "
                + "c.ratio, c.kept_fraction FROM (SELECT id, LLMLINGUA_COMPRESS(txt, r) AS c FROM v)");
        Row b = nullRate.get("b");
        if (b.getField(1) != null) {
            assertCompressed(b, 1, B, 0.5);
        }

        StreamTableEnvironment nullPolicy = env(params("llmlingua.sql.empty-text", "NULL_RESULT"), rows);
        nullPolicy.executeSql("CREATE TEMPORARY SYSTEM FUNCTION F AS '" + LlmLinguaCompress.class.getName() + "'");
        Map<String, Row> nulls = collect(nullPolicy, "SELECT id, F(COALESCE(txt, '')).original_tokens IS NULL FROM v");
        assertEquals(Map.of("a", false, "b", false, "empty", true, "blank", true, "null", true),
                Map.of("a", nulls.get("a").getField(1), "b", nulls.get("b").getField(1), "empty",
                        nulls.get("empty").getField(1), "blank", nulls.get("blank").getField(1), "null",
                        nulls.get("null").getField(1)));
    }

    @Test
    void functionInvalidRatesFollowThePolicy() throws Exception {
        Object[][] rows = {{"ok", A, 0.3}, {"zero", A, 0.0}, {"big", A, 1.5}, {"nan", A, Double.NaN}};
        StreamTableEnvironment t = env(params(), rows);
        t.createTemporarySystemFunction("F", new LlmLinguaCompress(params()));
        Map<String, Row> out = collect(t, "SELECT id, F(txt, r) FROM v");
        assertNotNull(out.get("ok").getField(1));
        assertNull(out.get("zero").getField(1));
        assertNull(out.get("big").getField(1));
        assertNull(out.get("nan").getField(1));

        StreamTableEnvironment failing = env(params(), rows);
        failing.getConfig().set("table.exec.async-scalar.max-attempts", "1");
        failing.createTemporarySystemFunction("F", new LlmLinguaCompress(params("llmlingua.sql.invalid-input", "FAIL")));
        String m = jobFailure(failing, "SELECT id, F(txt, r) FROM v");
        // the first invalid row to fail is any of them (rows run concurrently): each is refused by the builder's rule
        assertTrue(m.contains("LLMLINGUA_COMPRESS: rate must be ") && m.contains(", got ")
                && m.contains("llmlingua.sql.invalid-input = FAIL"), m);
    }

    @Test
    void functionConfigurationErrorsAreClear() throws Exception {
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> new LlmLinguaCompress(Map.of("llmlingua.async.capacity", "8")));
        assertTrue(unknown.getMessage().contains("unknown option 'llmlingua.async.capacity'")
                && unknown.getMessage().contains("llmlingua.model.path"), unknown.getMessage());

        StreamTableEnvironment t = env(Map.of(), new Object[] {"a", A, null});
        t.executeSql("CREATE TEMPORARY SYSTEM FUNCTION F AS '" + LlmLinguaCompress.class.getName() + "'");
        String m = jobFailure(t, "SELECT id, F(txt) FROM v");
        assertTrue(m.contains("LLMLINGUA_COMPRESS: missing required option 'llmlingua.model.path'")
                && m.contains("pipeline.global-job-parameters"), m);

        // (a configured rate of 0 is valid, as in the reference, but refuses every row that has tokens)
        StreamTableEnvironment badRate = env(params("llmlingua.rate", "1.5"), new Object[] {"a", A, null});
        badRate.executeSql("CREATE TEMPORARY SYSTEM FUNCTION F AS '" + LlmLinguaCompress.class.getName() + "'");
        String m2 = jobFailure(badRate, "SELECT id, F(txt) FROM v");
        assertTrue(m2.contains("invalid value for option 'llmlingua.rate': 1.5"), m2);

        // a misspelt job parameter is refused, naming the nearest key
        StreamTableEnvironment typo = env(params("llmlingua.rat", "0.3"), new Object[] {"a", A, null});
        typo.executeSql("CREATE TEMPORARY SYSTEM FUNCTION F AS '" + LlmLinguaCompress.class.getName() + "'");
        String m3 = jobFailure(typo, "SELECT id, F(txt) FROM v");
        assertTrue(m3.contains("unknown option 'llmlingua.rat'; did you mean 'llmlingua.rate'?"), m3);
    }

    @Test
    void scriptRunnerRunsStatementSetsAsOneJobAndAppliesSet() throws Exception {
        String script = "SET 'parallelism.default' = '1';\n"
                + "CREATE TEMPORARY TABLE src (s STRING) WITH ('connector' = 'datagen', 'number-of-rows' = '5');\n"
                + "CREATE TEMPORARY TABLE a (s STRING) WITH ('connector' = 'blackhole');\n"
                + "CREATE TEMPORARY TABLE b (n INT) WITH ('connector' = 'blackhole');\n"
                + "BEGIN STATEMENT SET;\nINSERT INTO a SELECT s FROM src;\nINSERT INTO b SELECT CHAR_LENGTH(s) FROM src;\nEND;\n"
                + "EXECUTE STATEMENT SET BEGIN INSERT INTO a SELECT s FROM src; INSERT INTO b SELECT 1 FROM src; END;\n"
                + "RESET 'parallelism.default';\n";
        java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
        StreamTableEnvironment t = SqlScriptRunner.tableEnvironment(new org.apache.flink.configuration.Configuration());
        List<SqlScriptRunner.Job> jobs = new SqlScriptRunner(new java.io.PrintStream(log, true), true, true)
                .run(SqlScript.parse(script, Map.of()), t);
        assertEquals(2, jobs.size(), log.toString());
        for (SqlScriptRunner.Job j : jobs) {
            assertNotNull(j.result(), "awaited");
        }
        assertEquals(5, jobs.get(0).statement());
        assertEquals(9, jobs.get(1).statement());
        assertTrue(log.toString().contains("statement set of 2 INSERT statements"), log.toString());
        assertFalse(t.getConfig().getConfiguration().containsKey("parallelism.default"), "RESET removed it");
    }

    private static String createModel(String name, String input, String output, String options) {
        return "CREATE TEMPORARY MODEL " + name + " INPUT (" + input + ") OUTPUT (" + output + ") WITH ("
                + "'provider' = 'llmlingua2', " + options + ")";
    }

    private String modelOptions(String extra) {
        return "'model-path' = '" + model + "', 'execution-provider' = 'CPU', 'threads' = '1'"
                + (extra.isEmpty() ? "" : ", " + extra);
    }

    @Test
    void modelMatchesTheEngineWithPerRowRatesAndAppliesThePolicies() throws Exception {
        Object[][] rows = {{"a", A, 0.3}, {"b", B, null}, {"empty", "", 0.3}, {"null", null, 0.3}, {"bad", A, 0.0}};
        StreamTableEnvironment t = env(Map.of(), rows);
        t.executeSql(createModel("m", "txt STRING, r DOUBLE",
                "compressed_text STRING, original_tokens INT, compressed_tokens INT, ratio DOUBLE, kept_fraction DOUBLE",
                modelOptions("'rate' = '0.5'")));
        Map<String, Row> out = collect(t, "SELECT id, compressed_text, original_tokens, compressed_tokens, ratio, kept_fraction "
                + "FROM ML_PREDICT(TABLE v, MODEL m, DESCRIPTOR(txt, r))");
        assertEquals(5, out.size(), out.toString());
        assertCompressed(out.get("a"), 1, A, 0.3);
        assertCompressed(out.get("b"), 1, B, 0.5); // null rate: the model's rate
        assertEquals(Row.of("empty", "", 0, 0, 1.0, 1.0), out.get("empty"));
        assertEquals(Row.of("null", null, 0, 0, 1.0, 1.0), out.get("null"));
        assertEquals(Row.of("bad", null, null, null, null, null), out.get("bad")); // invalid-input NULL_RESULT

        // NULL_RESULT keeps the row with null outputs; SKIP_ROW drops it; output columns by name, any order and subset
        t.executeSql(createModel("n", "txt STRING", "ratio DOUBLE, compressed_text STRING",
                modelOptions("'empty-text' = 'NULL_RESULT'")));
        Map<String, Row> nulls = collect(t, "SELECT id, ratio, compressed_text FROM ML_PREDICT(TABLE v, MODEL n, DESCRIPTOR(txt))");
        assertEquals(5, nulls.size());
        assertEquals(Row.of("empty", null, null), nulls.get("empty"));
        assertEquals(Row.of("null", null, null), nulls.get("null"));
        assertEquals(expected(A, 0.5).compressedPrompt(), nulls.get("a").getField(2));
        t.executeSql(createModel("s", "txt STRING", "compressed_text STRING",
                "'llmlingua.model.path' = '" + model + "', 'llmlingua.provider' = 'CPU', 'empty-text' = 'SKIP_ROW'"));
        assertEquals(List.of("a", "b", "bad").stream().sorted().toList(),
                collect(t, "SELECT id FROM ML_PREDICT(TABLE v, MODEL s, DESCRIPTOR(txt))").keySet().stream().sorted().toList());

        // the synchronous runtime ('async' = 'false') gives the same results
        Map<String, Row> sync = collect(t, "SELECT id, compressed_text FROM ML_PREDICT(TABLE v, MODEL s, DESCRIPTOR(txt), "
                + "MAP['async', 'false'])");
        assertEquals(expected(A, 0.5).compressedPrompt(), sync.get("a").getField(1));
    }

    @Test
    void modelInvalidRowsCanFailTheJob() {
        StreamTableEnvironment t = env(Map.of(), new Object[] {"bad", A, 2.0});
        t.executeSql(createModel("m", "txt STRING, r DOUBLE", "compressed_text STRING",
                modelOptions("'invalid-input' = 'FAIL'")));
        String m = jobFailure(t, "SELECT id, compressed_text FROM ML_PREDICT(TABLE v, MODEL m, DESCRIPTOR(txt, r))");
        assertTrue(m.contains("Model 'default_catalog.default_database.m' (provider 'llmlingua2'): rate must be >= 0 and <= 1")
                && m.contains("got 2.0"), m);
    }

    /** Plans a query on a model created with {@code options}; returns the planning error's messages. */
    private static String planningError(String input, String output, String options) {
        return planningError(input, output, options, "txt");
    }

    private static String planningError(String input, String output, String options, String descriptor) {
        StreamTableEnvironment t = env(Map.of(), new Object[] {"a", A, 0.5});
        t.executeSql(createModel("m", input, output, options));
        ValidationException e = assertThrows(ValidationException.class,
                () -> t.explainSql("SELECT * FROM ML_PREDICT(TABLE v, MODEL m, DESCRIPTOR(" + descriptor + "))"));
        return messages(e);
    }

    @Test
    void modelOptionsAndSchemasAreValidatedWhenPlanning() {
        String unknown = planningError("txt STRING", "compressed_text STRING", modelOptions("'rat' = '0.5'"));
        assertTrue(unknown.contains("Unsupported options found for 'llmlingua2'") && unknown.contains("rat")
                && unknown.contains("Supported options") && unknown.contains("model-path"), unknown);

        String badRate = planningError("txt STRING", "compressed_text STRING", modelOptions("'rate' = '1.5'"));
        assertTrue(badRate.contains("invalid value for option 'rate': 1.5: rate must be >= 0 and <= 1 (the fraction of "
                + "tokens to keep)"), badRate);

        // options that only the operator had before reach the model, validated by the same builders
        String badEfficiency = planningError("txt STRING", "compressed_text STRING",
                modelOptions("'batch.min-padding-efficiency' = '2'"));
        assertTrue(badEfficiency.contains("invalid value for option 'batch.min-padding-efficiency': 2.0"), badEfficiency);
        String badBucket = planningError("txt STRING", "compressed_text STRING",
                modelOptions("'llmlingua.batch.length-bucket' = '513'"));
        assertTrue(badBucket.contains("invalid value for option 'batch.length-bucket': 513"), badBucket);

        String notANumber = planningError("txt STRING", "compressed_text STRING", modelOptions("'rate' = 'half'"));
        assertTrue(notANumber.contains("Could not parse value 'half' for key 'rate'"), notANumber);

        String missing = planningError("txt STRING", "compressed_text STRING", "'rate' = '0.5'");
        assertTrue(missing.contains("One or more required options are missing") && missing.contains("model-path"), missing);

        String badPolicy = planningError("txt STRING", "compressed_text STRING", modelOptions("'empty-text' = 'DROP'"));
        assertTrue(badPolicy.contains("empty-text") && badPolicy.contains("PASS_THROUGH"), badPolicy);

        String badColumn = planningError("txt STRING", "summary STRING", modelOptions(""));
        assertTrue(badColumn.contains("unsupported OUTPUT column 'summary'")
                && badColumn.contains("compressed_text STRING, original_tokens INT"), badColumn);

        String badType = planningError("txt STRING", "original_tokens STRING", modelOptions(""));
        assertTrue(badType.contains("OUTPUT column 'original_tokens' must be INT, got STRING"), badType);

        String badInput = planningError("txt STRING, r DOUBLE, id STRING", "compressed_text STRING", modelOptions(""),
                "txt, r, id");
        assertTrue(badInput.contains("INPUT must be (text STRING) or (text STRING, rate DOUBLE), got (txt STRING, "
                + "r DOUBLE, id STRING)"), badInput);

        assertFalse(unknown.contains("llmlingua.rate'"), "model messages name the model's keys");
    }
}
