package io.flinkllmlingua.jobs.backfill;

import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Backfill from a PostgreSQL table into a PostgreSQL table, on a real server and a Flink MiniCluster. */
class PostgresBackfillTest {
    @RegisterExtension
    static final LocalPostgres PG = new LocalPostgres();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder()
                    // the test cluster on 127.0.0.1 only, like every local run
                    .setConfiguration(io.flinkllmlingua.jobs.cli.LocalFlink.loopback(new org.apache.flink.configuration.Configuration()))
                    .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    private static Path model;
    private static List<String> texts;

    @TempDir
    static Path modelDir;

    @BeforeAll
    static void setUp() throws Exception {
        model = BackfillFixtures.tinyModel(modelDir);
        texts = BackfillFixtures.texts();
    }

    /** {@code rows} good rows, then four others: two null texts, an empty text (passed through), an oversize text. */
    private static void createDocuments(String table, int rows) throws SQLException {
        try (Connection c = PG.connect(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE " + table + " (id bigserial PRIMARY KEY, doc_id text NOT NULL, chunk_id text NOT NULL,"
                    + " text text, metadata jsonb, UNIQUE (doc_id, chunk_id))");
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table
                    + " (doc_id, chunk_id, text, metadata) VALUES (?, ?, ?, ?::jsonb)")) {
                for (int i = 0; i < rows; i++) {
                    ps.setString(1, "doc-" + (i / 10));
                    ps.setString(2, "doc-" + (i / 10) + "#" + (i % 10));
                    ps.setString(3, texts.get(i % texts.size()));
                    ps.setString(4, "{\"n\": " + i + "}");
                    ps.addBatch();
                }
                String[][] bad = {{"bad", "bad#null1", null}, {"bad", "bad#null2", null}, {"bad", "bad#empty", ""},
                        {"bad", "bad#oversize", "word ".repeat(6000)}};
                for (String[] b : bad) {
                    ps.setString(1, b[0]);
                    ps.setString(2, b[1]);
                    ps.setString(3, b[2]);
                    ps.setString(4, null);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            c.commit();
        }
    }

    private static BackfillSettings settings(String source, String target) {
        BackfillSettings s = BackfillFixtures.settings(model);
        s.source = BackfillSettings.SourceKind.POSTGRES;
        s.sink = BackfillSettings.SinkKind.POSTGRES;
        s.jdbcUrl = PG.jdbcUrl();
        s.jdbcUser = PG.user();
        s.sourceTable = source;
        s.sourceSplitColumn = "id";
        s.sourceSplits = 4;
        s.targetTable = target;
        return s;
    }

    private static long count(String sql) {
        try (Connection c = PG.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            return -1; // the table is not there yet
        }
    }

    @Test
    void compressesAllRowsReportsBadOnesAndRerunIsNoOp() throws Exception {
        createDocuments("docs_a", 2000);
        BackfillSettings s = settings("docs_a", "out_a");
        BackfillReport first = BackfillJob.run(StreamExecutionEnvironment.getExecutionEnvironment(), s);

        assertEquals(2004, first.total);
        // The empty text is passed through (the policy of every path): 2000 good rows and it are in the target.
        assertEquals(2001, first.compressed, first.summary());
        assertEquals(3, first.failed, first.summary());
        assertEquals(0, first.skippedUpToDate);
        assertTrue(first.tokensIn > first.tokensOut && first.tokensOut > 0, first.summary());
        assertEquals(2001, count("SELECT count(*) FROM out_a"));
        assertEquals(1, count("SELECT count(*) FROM out_a WHERE chunk_id = 'bad#empty' AND compressed_text = ''"
                + " AND original_tokens = 0 AND compressed_tokens = 0 AND ratio = 1"
                + " AND (record::jsonb ->> 'kept_fraction')::float8 = 1"));
        assertEquals(2000, count("SELECT count(*) FROM out_a o JOIN docs_a d USING (doc_id, chunk_id)"
                + " WHERE o.model = 'tiny-test' AND length(o.content_hash) = 64 AND o.compressed_text <> ''"
                + " AND o.record::jsonb ->> 'content_hash' = o.content_hash"
                + " AND (o.record::jsonb -> 'metadata' ->> 'n')::int = (d.metadata ->> 'n')::int"));
        assertEquals(first.tokensIn, count("SELECT sum(original_tokens) FROM out_a"));
        Map<String, String> failures = new HashMap<>();
        try (Connection c = PG.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT chunk_id, error_class, record FROM out_a_failures WHERE doc_id = 'bad'")) {
            while (rs.next()) {
                failures.put(rs.getString(1), rs.getString(2));
                assertTrue(rs.getString(3).contains("\"value\""), rs.getString(3));
            }
        }
        assertEquals(3, failures.size(), failures.toString());
        assertEquals("Oversize", failures.get("bad#oversize"));
        assertEquals("MissingField", failures.get("bad#null1"));
        assertEquals(null, failures.get("bad#empty"), "passed through, not a failure");

        // A rerun writes nothing to the target: every row is up to date (the bad rows are reported again).
        BackfillSettings again = settings("docs_a", "out_a");
        BackfillReport second = BackfillJob.run(StreamExecutionEnvironment.getExecutionEnvironment(), again);
        assertEquals(2001, second.skippedUpToDate, second.summary());
        assertEquals(0, second.compressed, second.summary());
        assertEquals(3, second.failed);
        assertEquals(2001, count("SELECT count(*) FROM out_a WHERE run_id = '" + s.runId + "'"));

        // Changed texts, and only those, are compressed again.
        try (Connection c = PG.connect(); Statement st = c.createStatement()) {
            st.executeUpdate("UPDATE docs_a SET text = text || ' Changed.' WHERE id <= 7");
        }
        BackfillSettings third = settings("docs_a", "out_a");
        BackfillReport changed = BackfillJob.run(StreamExecutionEnvironment.getExecutionEnvironment(), third);
        assertEquals(7, changed.compressed, changed.summary());
        assertEquals(1994, changed.skippedUpToDate);
        assertEquals(7, count("SELECT count(*) FROM out_a WHERE run_id = '" + third.runId + "'"));
        assertEquals(2001, count("SELECT count(*) FROM out_a"));
    }

    @Test
    void interruptedRunRestartedCompressesEachRowOnce() throws Exception {
        createDocuments("docs_b", 2000);
        BackfillSettings s = settings("docs_b", "out_b");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        BackfillJob.build(env, s, BackfillJob.countInput(s), BackfillFixtures::slow);
        JobClient job = env.executeAsync("interrupted backfill");
        long written = BackfillFixtures.cancelAfter(job, () -> count("SELECT count(*) FROM out_b"), 300);
        assertTrue(written >= 300 && written < 2001, "written before the interruption: " + written);

        BackfillSettings resumed = settings("docs_b", "out_b");
        BackfillReport report = BackfillJob.run(StreamExecutionEnvironment.getExecutionEnvironment(), resumed);
        assertEquals(written, report.skippedUpToDate, report.summary());
        // 2000 good rows and the passed-through empty one
        assertEquals(2001 - written, report.compressed, report.summary());
        assertEquals(2001, count("SELECT count(*) FROM out_b"));
        // The rows of the first run were not compressed again.
        assertEquals(written, count("SELECT count(*) FROM out_b WHERE run_id = '" + s.runId + "'"));
        assertEquals(2001 - written, count("SELECT count(*) FROM out_b WHERE run_id = '" + resumed.runId + "'"));
        assertEquals(0, count("SELECT count(*) FROM docs_b d LEFT JOIN out_b o USING (doc_id, chunk_id)"
                + " WHERE o.doc_id IS NULL AND d.doc_id <> 'bad'"));
    }
}
