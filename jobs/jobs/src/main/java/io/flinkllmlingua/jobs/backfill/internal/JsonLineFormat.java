package io.flinkllmlingua.jobs.backfill.internal;

import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.reader.SimpleStreamFormat;
import org.apache.flink.connector.file.src.reader.StreamFormat;
import org.apache.flink.core.fs.FSDataInputStream;

import io.flinkllmlingua.flink.JsonLines;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Lines of a JSON Lines file as raw bytes, for Flink's file source. Flink's {@code TextLineInputFormat} decodes with
 * replacement characters, which would hide invalid UTF-8; here the operator sees the original bytes and reports such
 * a line as {@code NotUtf8}. The line rule is {@link JsonLines}'s (the CLI's too).
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
                for (byte[] bytes; (bytes = JsonLines.readLine(in, line)) != null; ) {
                    if (!JsonLines.isBlank(bytes)) {
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

    @Override
    public TypeInformation<byte[]> getProducedType() {
        return PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO;
    }
}
