package io.flinkllmlingua.jobs.backfill.internal;

import io.flinkllmlingua.flink.InputChunk;
import io.flinkllmlingua.flink.LlmLinguaConfig;
import io.flinkllmlingua.flink.ChunkPolicy;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.metrics.Counter;

import java.util.HashSet;
import java.util.Set;

/**
 * Drops the chunks whose content hash and model already match the target; forwards the others to the operator.
 * The hash is the one the operator writes ({@link ChunkPolicy#contentHash}: the text and the resolved options).
 *
 * <p>Why this shape: the target is read once as a second bounded input, and both inputs are keyed by
 * (doc_id, chunk_id). In BATCH execution Flink sorts keyed inputs and processes one key at a time, with state
 * scoped to that key and dropped after it, so memory stays bounded for any corpus size and the target is scanned
 * once (one lookup per chunk against Kafka or files is not possible, against PostgreSQL it is a round trip per
 * row). Flink does not promise in which order the two inputs' records of one key arrive, so the decision waits for
 * an event-time timer: in BATCH mode timers fire when the key's records are all processed (the watermark jumps to
 * the end of time between keys).
 */
public final class SkipUpToDate extends KeyedCoProcessFunction<String, InputChunk, ExistingChunk, InputChunk> {
    private static final long serialVersionUID = 1L;

    private final LlmLinguaConfig config;
    private transient ListState<InputChunk> candidates;
    private transient ListState<String> existing;
    private transient LongCounter skipped;
    private transient Counter skippedMetric;

    public SkipUpToDate(LlmLinguaConfig config) {
        this.config = config;
    }

    /** The key of a chunk, as {@link ExistingChunk#key}. */
    public static String key(InputChunk c) {
        return ExistingChunk.key(c.docId(), c.chunkId());
    }

    @Override
    public void open(OpenContext openContext) {
        candidates = getRuntimeContext().getListState(
                new ListStateDescriptor<>("candidates", TypeInformation.of(InputChunk.class)));
        existing = getRuntimeContext().getListState(new ListStateDescriptor<>("existing", String.class));
        skipped = getRuntimeContext().getLongCounter(Progress.SKIPPED);
        skippedMetric = getRuntimeContext().getMetricGroup().addGroup("backfill").counter("chunksSkipped");
    }

    @Override
    public void processElement1(InputChunk c, Context ctx, Collector<InputChunk> out) throws Exception {
        candidates.add(c);
        ctx.timerService().registerEventTimeTimer(Long.MAX_VALUE);
    }

    @Override
    public void processElement2(ExistingChunk e, Context ctx, Collector<InputChunk> out) throws Exception {
        existing.add(e.contentHash + '\u0000' + e.model);
        ctx.timerService().registerEventTimeTimer(Long.MAX_VALUE);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<InputChunk> out) throws Exception {
        Set<String> upToDate = new HashSet<>();
        for (String s : existing.get()) {
            upToDate.add(s);
        }
        for (InputChunk c : candidates.get()) {
            String hash = ChunkPolicy.of(config).contentHash(c);
            if (hash != null && upToDate.contains(hash + '\u0000' + config.modelId())) {
                skipped.add(1);
                skippedMetric.inc();
            } else {
                out.collect(c);
            }
        }
        candidates.clear();
        existing.clear();
    }
}
