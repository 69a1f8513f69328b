package io.flinkllmlingua.flink;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * THE JSON Lines rule of every path that reads JSONL (the backfill's file source, the CLI): a record ends at
 * {@code \n} only; a {@code \r} right before it belongs to the line ending ({@code \r\n} files work), a lone
 * {@code \r} is part of the record. Blank lines (only spaces, tabs, carriage returns) are not records; they are
 * counted ({@link #count}) and reported. Lines stay bytes: {@link RecordCodec} decodes them strictly. No Flink
 * types, so the CLI's jar can use it without the file connector.
 */
public final class JsonLines {
    private JsonLines() {}

    /**
     * The next line of {@code in} without its {@code \n} (and a {@code \r} right before it), or null at the end; a
     * last line without {@code \n} is a line. {@code buffer} is scratch space.
     */
    public static byte[] readLine(InputStream in, ByteArrayOutputStream buffer) throws IOException {
        buffer.reset();
        int b;
        boolean any = false;
        while ((b = in.read()) != -1) {
            any = true;
            if (b == '\n') {
                byte[] line = buffer.toByteArray();
                int n = line.length;
                return n > 0 && line[n - 1] == '\r' ? Arrays.copyOf(line, n - 1) : line;
            }
            buffer.write(b);
        }
        return any ? buffer.toByteArray() : null;
    }

    /** A line that is not a record: only spaces, tabs and carriage returns (or nothing). */
    public static boolean isBlank(byte[] line) {
        for (byte b : line) {
            if (b != ' ' && b != '\t' && b != '\r') {
                return false;
            }
        }
        return true;
    }


    /** Records and blank lines of a JSONL input. */
    public record LineCounts(long records, long blankLines) {
        public LineCounts plus(LineCounts o) {
            return new LineCounts(records + o.records, blankLines + o.blankLines);
        }
    }

    /** Counts the records a JSONL reader yields from {@code in} (for the progress total). */
    public static long countRecords(InputStream in) throws IOException {
        return count(in).records();
    }

    /** Counts the records a JSONL reader yields from {@code in} and the blank lines it skips. */
    public static LineCounts count(InputStream in) throws IOException {
        InputStream b = new BufferedInputStream(in, 1 << 16);
        ByteArrayOutputStream buffer = new ByteArrayOutputStream(1024);
        long records = 0;
        long blank = 0;
        for (byte[] line; (line = readLine(b, buffer)) != null; ) {
            if (isBlank(line)) {
                blank++;
            } else {
                records++;
            }
        }
        return new LineCounts(records, blank);
    }
}
