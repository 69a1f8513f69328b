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

/**
 * Lines of a JSON Lines file as raw bytes. Flink's {@code TextLineInputFormat} decodes with replacement
 * characters, which would hide invalid UTF-8; here the operator sees the original bytes and reports such a line as
 * {@code NotUtf8}. Blank lines are not records (a trailing newline is common), {@code \r\n} endings are accepted.
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
                while (true) {
                    line.reset();
                    int b;
                    boolean any = false;
                    while ((b = in.read()) != -1) {
                        any = true;
                        if (b == '\n') {
                            break;
                        }
                        line.write(b);
                    }
                    if (!any) {
                        return null;
                    }
                    byte[] bytes = line.toByteArray();
                    int end = bytes.length;
                    if (end > 0 && bytes[end - 1] == '\r') {
                        end--;
                    }
                    if (!isBlank(bytes, end)) {
                        return end == bytes.length ? bytes : java.util.Arrays.copyOf(bytes, end);
                    }
                }
            }

            @Override
            public void close() throws IOException {
                in.close();
            }
        };
    }

    static boolean isBlank(byte[] b, int end) {
        for (int i = 0; i < end; i++) {
            if (b[i] != ' ' && b[i] != '\t' && b[i] != '\r') {
                return false;
            }
        }
        return true;
    }

    @Override
    public TypeInformation<byte[]> getProducedType() {
        return PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO;
    }

    /** Counts the records {@link #createReader} yields from {@code in} (for the progress total). */
    public static long countRecords(InputStream in) throws IOException {
        InputStream b = new BufferedInputStream(in, 1 << 16);
        long n = 0;
        boolean content = false;
        int c;
        while ((c = b.read()) != -1) {
            if (c == '\n') {
                if (content) {
                    n++;
                }
                content = false;
            } else if (c != ' ' && c != '\t' && c != '\r') {
                content = true;
            }
        }
        return content ? n + 1 : n;
    }
}
