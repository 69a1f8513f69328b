package io.flinkllmlingua.jobs.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flinkllmlingua.engine.CompressionOptions;

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
 */
record InputRecord(String file, long line, String raw, ObjectNode ids, List<String> contexts,
                   CompressionOptions options, String error) {

    static InputRecord failed(String file, long line, String raw, ObjectNode ids, String error) {
        return new InputRecord(file, line, raw, ids, null, null, error);
    }
}
