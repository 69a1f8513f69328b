package io.flinkllmlingua.jobs.backfill.internal;

import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.reader.SimpleStreamFormat;
import org.apache.flink.connector.file.src.reader.StreamFormat;
import org.apache.flink.core.fs.FSDataInputStream;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Lines of a JSON Lines file as raw bytes. Flink's {@code TextLineInputFormat} decodes with replacement
 * characters, which would hide invalid UTF-8; here the operator sees the original bytes and reports such a line as
 * {@code NotUtf8}. THE JSONL line rule of the backfill and the CLI: a record ends at {@code \n} only; a {@code \r}
 * right before it belongs to the line ending ({@code \r\n} files work), a lone {@code \r} is part of the record.
 * Blank lines (only spaces, tabs, carriage returns) are not records; the pre-scan ({@link #count}) counts them for
 * the report.
 */
public final class JsonLineFormat extends SimpleStreamFormat<byte[]> {
    private static final long serialVersionUID = 1L;

    @Override
    public StreamFormat.Reader<byte[]> createReader(Configuration config, FSDataInputStream stream) {
        InputStream in = new BufferedInputStream(stream, 1 << 16);
        return new StreamFormat.Reader<>() {
            private final ByteArrayOutputStream line = new ByteArrayOutputStream(1024);

            @Override
            public byte[] read() throws IOException {
                for (byte[] bytes; (bytes = readLine(in, line)) != null; ) {
                    if (!isBlank(bytes)) {
                        return bytes;
                    }
                }
                return null;
            }

            @Override
            public void close() throws IOException {
                in.close();
            }
        };
    }

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

    @Override
    public TypeInformation<byte[]> getProducedType() {
        return PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO;
    }

    /** Records and blank lines of a JSONL input. */
    public record LineCounts(long records, long blankLines) {
        public LineCounts plus(LineCounts o) {
            return new LineCounts(records + o.records, blankLines + o.blankLines);
        }
    }

    /** Counts the records {@link #createReader} yields from {@code in} (for the progress total). */
    public static long countRecords(InputStream in) throws IOException {
        return count(in).records();
    }

    /** Counts the records {@link #createReader} yields from {@code in} and the blank lines it skips. */
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
