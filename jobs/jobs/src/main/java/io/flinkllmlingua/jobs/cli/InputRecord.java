package io.flinkllmlingua.jobs.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flinkllmlingua.engine.CompressionOptions;
import io.flinkllmlingua.flink.InputChunk;
import io.flinkllmlingua.flink.SourceRecord;

import java.util.List;

/**
 * One unit of work read from the input: a JSONL line or a plain-text file.
 *
 * @param file     the input file, or null for stdin
 * @param line     1-based line of a JSONL record, or 0 for a plain-text input
 * @param raw      the original JSONL line (null for plain text)
 * @param ids      {@code id}, {@code doc_id}, {@code chunk_id} as given (empty when none)
 * @param contexts the texts to compress together (null when {@code error} is set)
 * @param options  the options of this record (the command's, with per-record overrides)
 * @param error    why the record cannot be compressed, or null
 * @param chunk    with {@code --chunks}: the line as the pipeline's input chunk (null when it could not be read,
 *                 or for a prompt record)
 * @param origin   with {@code --chunks}: the line as a source record (file, line number, bytes), for dead letters
 * @param errorClass with {@code --chunks}: the dead-letter error class of a line that is not an input chunk
 */
record InputRecord(String file, long line, String raw, ObjectNode ids, List<String> contexts,
                   CompressionOptions options, String error, InputChunk chunk, SourceRecord origin,
                   String errorClass) {

    InputRecord(String file, long line, String raw, ObjectNode ids, List<String> contexts,
                CompressionOptions options, String error) {
        this(file, line, raw, ids, contexts, options, error, null, null, null);
    }

    static InputRecord failed(String file, long line, String raw, ObjectNode ids, String error) {
        return new InputRecord(file, line, raw, ids, null, null, error);
    }

    /** A {@code --chunks} line: the chunk, or (chunk null) the reason it is not one. */
    static InputRecord chunk(String file, long line, String raw, InputChunk chunk, SourceRecord origin,
                             String errorClass, String error) {
        return new InputRecord(file, line, raw, null, null, null, error, chunk, origin, errorClass);
    }

    /** True for a {@code --chunks} line. */
    boolean isChunkRecord() {
        return origin != null;
    }
}
