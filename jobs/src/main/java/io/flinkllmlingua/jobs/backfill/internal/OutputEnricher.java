package io.flinkllmlingua.jobs.backfill.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flinkllmlingua.flink.ChunkOutcome;
import io.flinkllmlingua.jobs.backfill.BackfillOutput;
import org.apache.flink.api.common.functions.MapFunction;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns the operator's outcome into a backfill output: the streaming job's output record with
 * {@code content_hash} added (what a rerun compares), or the dead-letter record with the row's {@code doc_id} and
 * {@code chunk_id} added. Removes the internal headers of {@link ChunkKeys}.
 */
public final class OutputEnricher implements MapFunction<ChunkOutcome, BackfillOutput> {
    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public BackfillOutput map(ChunkOutcome o) throws Exception {
        BackfillOutput out = new BackfillOutput();
        out.failure = o.deadLetter;
        out.key = o.key;
        out.timestamp = o.timestamp;
        out.contentHash = ChunkKeys.header(o.headerNames, o.headerValues, ChunkKeys.HASH_HEADER);
        out.docId = ChunkKeys.header(o.headerNames, o.headerValues, ChunkKeys.DOC_HEADER);
        out.chunkId = ChunkKeys.header(o.headerNames, o.headerValues, ChunkKeys.CHUNK_HEADER);
        List<String> names = new ArrayList<>();
        List<byte[]> values = new ArrayList<>();
        for (int i = 0; i < o.headerNames.length; i++) {
            if (!o.headerNames[i].startsWith("llmlingua.backfill.")) {
                names.add(o.headerNames[i]);
                values.add(o.headerValues[i]);
            }
        }
        out.headerNames = names.toArray(new String[0]);
        out.headerValues = values.toArray(new byte[0][]);

        ObjectNode record = (ObjectNode) JSON.readTree(o.value);
        if (o.deadLetter) {
            out.errorClass = o.errorClass;
            out.errorMessage = record.path("error").path("message").asText(null);
            ObjectNode withKeys = JSON.createObjectNode();
            withKeys.put("doc_id", out.docId);
            withKeys.put("chunk_id", out.chunkId);
            withKeys.setAll(record);
            record = withKeys;
        } else {
            record.put("content_hash", out.contentHash);
            out.model = record.path("model").asText();
            out.compressedText = record.path("compressed_text").asText();
            out.originalTokens = record.path("original_tokens").asLong();
            out.compressedTokens = record.path("compressed_tokens").asLong();
            JsonNode ratio = record.path("ratio");
            out.ratio = ratio.isNumber() ? ratio.asDouble() : Double.NaN;
        }
        out.json = JSON.writeValueAsBytes(record);
        return out;
    }

    /** The progress event of an output. */
    public static ProgressEvent progress(BackfillOutput o) {
        return o.failure ? new ProgressEvent(ProgressEvent.FAILED, 0, 0)
                : new ProgressEvent(ProgressEvent.COMPRESSED, o.originalTokens, o.compressedTokens);
    }
}
