package io.flinkllmlingua.jobs.backfill.internal;

import io.flinkllmlingua.flink.SourceRecord;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.util.Collector;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;

/**
 * Reads one key range of the PostgreSQL source table per input element (the range's index), on its own connection,
 * streaming the rows with a cursor.
 *
 * <p>Why not the JDBC connector's {@code JdbcSource} here: in flink-connector-jdbc 4.0.0-2.0 every split reader
 * of a subtask shares the source's connection provider, and a split reader closed after its split (when its fetcher
 * goes idle) closes the connection the next split's reader is using: with several key ranges per subtask the run
 * fails with "An I/O error occurred while sending to the backend ... Socket closed" (seen in the tests, also with a
 * per-thread provider, since fetcher threads are pooled). With a single split it is safe, which is how the target
 * table is read ({@link Targets}); the connector's {@code JdbcSink} writes the target.
 */
public final class PostgresRangeReader extends RichFlatMapFunction<Long, SourceRecord> {
    private static final long serialVersionUID = 1L;

    private final String url;
    private final String user;
    private final String password;
    private final String sql;
    /** {@code [from, to]} per range, inclusive; empty for one query without a range. */
    private final long[][] ranges;
    private final Inputs.RowToRecord rows;
    private transient Connection connection;

    public PostgresRangeReader(String url, String user, String password, String sql, long[][] ranges, String table) {
        this.url = url;
        this.user = user;
        this.password = password;
        this.sql = sql;
        this.ranges = ranges;
        this.rows = new Inputs.RowToRecord(table);
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        connection = DriverManager.getConnection(url, user, password);
        // A cursor (fetch size) is only used by the PostgreSQL driver outside auto-commit.
        connection.setAutoCommit(false);
        connection.setReadOnly(true);
    }

    @Override
    public void flatMap(Long range, Collector<SourceRecord> out) throws Exception {
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            ps.setFetchSize(1000);
            if (ranges.length > 0) {
                ps.setLong(1, ranges[range.intValue()][0]);
                ps.setLong(2, ranges[range.intValue()][1]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.collect(rows.extract(rs));
                }
            }
        }
        connection.commit();
    }

    @Override
    public void close() throws Exception {
        if (connection != null) {
            connection.close();
        }
    }

    /** {@code count} ranges of about equal width covering {@code [min, max]}. */
    static long[][] ranges(long min, long max, int count) {
        long width = max - min + 1;
        int n = (int) Math.max(1, Math.min(count, width));
        long[][] out = new long[n][];
        long from = min;
        for (int i = 0; i < n; i++) {
            long size = width / n + (i < width % n ? 1 : 0);
            out[i] = new long[] {from, from + size - 1};
            from += size;
        }
        return out;
    }
}
