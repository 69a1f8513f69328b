package io.flinkllmlingua.jobs.backfill;

import io.flinkllmlingua.flink.JsonLines;
import io.flinkllmlingua.flink.ChunkOutcome;
import io.flinkllmlingua.flink.InputChunk;
import io.flinkllmlingua.flink.LlmLinguaConfig;
import io.flinkllmlingua.flink.LlmLinguaOperator;
import io.flinkllmlingua.jobs.backfill.internal.ExistingChunk;
import io.flinkllmlingua.jobs.backfill.internal.Inputs;
import io.flinkllmlingua.jobs.backfill.internal.OutputEnricher;
import io.flinkllmlingua.jobs.backfill.internal.Progress;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.core.execution.JobClient;
import io.flinkllmlingua.jobs.backfill.internal.SkipUpToDate;
import io.flinkllmlingua.jobs.backfill.internal.Targets;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bounded backfill: a source of existing chunks (JSONL files, a Kafka range or a PostgreSQL table), the same
 * LLMLingua-2 operator and options as the streaming job, and a sink of the same output records plus
 * {@code content_hash} (the RAG-index topic, JSONL files or a PostgreSQL table upserted by (doc_id, chunk_id)).
 * Runs in Flink's BATCH mode. Chunks whose content hash and model already match the target are skipped, so a
 * rerun writes nothing and an interrupted run can be restarted.
 */
public final class BackfillJob {
    private static final Logger LOG = LoggerFactory.getLogger(BackfillJob.class);

    private BackfillJob() {}

    /**
     * Adds the backfill to {@code env} (switching it to BATCH mode). {@code total} is the number of input records
     * for the progress line ({@link #countInput}); {@code beforeSink} is an optional step before the sinks
     * (throttling or fault injection in tests), null for none.
     */
    public static void build(StreamExecutionEnvironment env, BackfillSettings s, long total,
                             MapFunction<ChunkOutcome, ChunkOutcome> beforeSink) throws Exception {
        LlmLinguaConfig config = LlmLinguaConfig.fromMap(s.llmlingua);
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        if (s.parallelism > 0) {
            env.setParallelism(s.parallelism);
        }
        Configuration batch = new Configuration();
        // See Targets: a backfill is recovered by rerunning it, not by Flink rewriting a region's records.
        batch.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        env.configure(batch);

        Targets.prepare(s);
        // Each record is parsed once, here, into an InputChunk that carries its ids and origin; records that are not
        // chunks leave as dead letters on the side output.
        SingleOutputStreamOperator<InputChunk> chunks = LlmLinguaOperator.decode(Inputs.create(env, s));

        DataStream<ExistingChunk> existing = Targets.existing(env, s);
        DataStream<InputChunk> toCompress;
        if (existing != null) {
            toCompress = chunks
                    .keyBy(new ChunkKey())
                    .connect(existing.keyBy(e -> e.key))
                    .process(new SkipUpToDate(config))
                    .returns(InputChunk.class)
                    .name("skip-up-to-date").uid("backfill-skip-up-to-date");
        } else {
            // Spread the chunks over every subtask's engine: a source has as many splits as files (or partitions,
            // or ranges), and one JSONL file chained straight into the operator kept all chunks on one subtask.
            toCompress = chunks.rebalance();
        }

        // The operator runs at the job's parallelism, set explicitly: BATCH mode's adaptive scheduler sizes the
        // other steps by bytes (16 MiB per subtask by default), and 1,000 chunks (0.4 MB, a minute of model time
        // on CPU) got one subtask, half the cores idle since each subtask's engine has its slot's share of them.
        SingleOutputStreamOperator<ChunkOutcome> compressed = LlmLinguaOperator.compress(toCompress, config);
        int parallelism = s.parallelism > 0 ? s.parallelism : env.getParallelism();
        if (parallelism > 0) {
            compressed.setParallelism(parallelism);
        }
        DataStream<ChunkOutcome> outputs = compressed
                .union(chunks.getSideOutput(LlmLinguaOperator.DECODE_FAILURES))
                .map(new OutputEnricher(total)).returns(ChunkOutcome.class)
                .name("backfill-output").uid("backfill-output");
        if (beforeSink != null) {
            outputs = outputs.map(beforeSink).returns(ChunkOutcome.class).name("before-sink").uid("backfill-before-sink");
        }
        Targets.sink(outputs, s);
    }

    /** The number of input records, counted before the run (JSONL lines, Kafka offsets, {@code count(*)}). */
    public static long countInput(BackfillSettings s) throws Exception {
        return Inputs.count(s);
    }

    /** Builds and runs the backfill to the end, logs and returns its report (also written to the report file). */
    public static BackfillReport run(StreamExecutionEnvironment env, BackfillSettings s) throws Exception {
        JsonLines.LineCounts counts = Inputs.countWithBlankLines(s);
        long total = counts.records();
        LOG.info("backfill: {} input records from {}, to {}", total, s.source, s.sink);
        long start = System.nanoTime();
        build(env, s, total, null);
        JobClient job = env.executeAsync("llmlingua-backfill");
        JobExecutionResult result;
        try (Progress progress = Progress.start(job, total, s.progressInterval)) {
            result = job.getJobExecutionResult().get();
        }
        BackfillReport report = BackfillReport.of(result, total, counts.blankLines(), System.nanoTime() - start);
        LOG.info("backfill report: {}", report.toJson());
        if (s.reportFile != null) {
            report.write(s.reportFile);
        }
        return report;
    }

    static final class ChunkKey implements KeySelector<InputChunk, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String getKey(InputChunk c) {
            return SkipUpToDate.key(c);
        }
    }
}
