package io.flinkllmlingua.jobs.backfill.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flinkllmlingua.flink.ChunkOutcome;
import io.flinkllmlingua.jobs.backfill.BackfillOutput;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.metrics.MetricGroup;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns the operator's outcome into a backfill output: the streaming job's output record with
 * {@code content_hash} added (what a rerun compares), or the dead-letter record with the row's {@code doc_id} and
 * {@code chunk_id} added. Removes the internal headers of {@link ChunkKeys}. Counts what it sees for the
 * progress line and the report (accumulators, see {@link Progress}) and as metrics (group {@code backfill}:
 * {@code chunksCompressed}, {@code chunksFailed}, {@code tokensIn}, {@code tokensOut}, {@code tokensInPerSecond},
 * {@code chunksTotal}; the skip step adds {@code chunksSkipped}).
 */
public final class OutputEnricher extends RichMapFunction<ChunkOutcome, BackfillOutput> {
    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final long total;
    private transient LongCounter compressed;
    private transient LongCounter failed;
    private transient LongCounter tokensIn;
    private transient LongCounter tokensOut;
    private transient Counter compressedMetric;
    private transient Counter failedMetric;
    private transient Counter tokensInMetric;
    private transient Counter tokensOutMetric;

    /** {@code total}: the input records of the whole run (a gauge, for dashboards' percentages). */
    public OutputEnricher(long total) {
        this.total = total;
    }

    @Override
    public void open(OpenContext openContext) {
        compressed = getRuntimeContext().getLongCounter(Progress.COMPRESSED);
        failed = getRuntimeContext().getLongCounter(Progress.FAILED);
        tokensIn = getRuntimeContext().getLongCounter(Progress.TOKENS_IN);
        tokensOut = getRuntimeContext().getLongCounter(Progress.TOKENS_OUT);
        MetricGroup g = getRuntimeContext().getMetricGroup().addGroup("backfill");
        compressedMetric = g.counter("chunksCompressed");
        failedMetric = g.counter("chunksFailed");
        tokensInMetric = g.counter("tokensIn");
        tokensOutMetric = g.counter("tokensOut");
        g.meter("tokensInPerSecond", new MeterView(tokensInMetric));
        g.gauge("chunksTotal", (Gauge<Long>) () -> total);
    }

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
        if (out.failure) {
            failed.add(1);
            failedMetric.inc();
        } else {
            compressed.add(1);
            compressedMetric.inc();
            tokensIn.add(out.originalTokens);
            tokensOut.add(out.compressedTokens);
            tokensInMetric.inc(out.originalTokens);
            tokensOutMetric.inc(out.compressedTokens);
        }
        return out;
    }
}
