package io.flinkllmlingua.jobs.cli;

import io.flinkllmlingua.flink.LlmLinguaConfig;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/** What the job mains say while they run: a start-up line, then a progress line at each interval until the job ends. */
public final class JobLog {
    /** The logging configuration of a plain {@code java} run of a job main. */
    static final String LOG_CONFIG = "io/flinkllmlingua/jobs/log4j2-job.xml";

    private JobLog() {}

    /** Not a static field: loading this class must not start log4j before {@link #configureLocalLogging()} ran. */
    private static Logger log() {
        return LoggerFactory.getLogger(JobLog.class);
    }

    /**
     * Points log4j at {@link #LOG_CONFIG} (our INFO lines, Flink and Kafka at WARN) unless a configuration was chosen:
     * Flink's own scripts (cluster JVMs, {@code flink run}) always choose one. Must run before the first logger. Starts
     * log4j with that configuration and adds {@link ClosingTaskCheckpointFilter} to it.
     */
    public static void configureLocalLogging() {
        if (System.getProperty("log4j2.configurationFile") == null
                && System.getProperty("log4j.configurationFile") == null) {
            System.setProperty("log4j2.configurationFile", LOG_CONFIG);
            try {
                ClosingTaskCheckpointFilter.install();
            } catch (LinkageError noLog4jCore) {
                // another logging backend on the class path: its own configuration applies, without the filter
            }
        }
    }

    /** The start-up line: model, provider, what the job reads and writes, parallelism, checkpointing. */
    public static String started(String name, LlmLinguaConfig config, String topics, StreamExecutionEnvironment env) {
        String line = String.format(Locale.ROOT, "%s: starting: model %s (%s), provider %s, %s, parallelism %d, %s",
                name, config.modelId(), config.engine().modelDir(), config.engine().executionProvider(), topics,
                env.getParallelism(), checkpointing(env));
        log().info(line);
        return line;
    }

    private static String checkpointing(StreamExecutionEnvironment env) {
        long interval = env.getCheckpointConfig().getCheckpointInterval();
        if (interval <= 0) {
            return "checkpointing off";
        }
        ReadableConfig c = env.getConfiguration();
        String dir = c.getOptional(CheckpointingOptions.CHECKPOINTS_DIRECTORY).orElse(null);
        String storage = c.getOptional(CheckpointingOptions.CHECKPOINT_STORAGE).orElse(dir == null ? "jobmanager" : "filesystem");
        return "checkpoints every " + Duration.ofMillis(interval).toString().substring(2).toLowerCase(Locale.ROOT)
                + " (storage " + storage + (dir == null ? "" : " " + dir) + ")";
    }

    /**
     * Waits for {@code job} to end, logging {@code progress} every {@code every}; rethrows the job's failure.
     *
     * @param progress the current progress (null or an exception: the line is skipped)
     */
    public static void awaitWithProgress(JobClient job, Duration every, Supplier<String> progress) throws Exception {
        while (true) {
            try {
                job.getJobExecutionResult().get(Math.max(1, every.toMillis()), TimeUnit.MILLISECONDS);
                log().info("job {} finished", job.getJobID());
                return;
            } catch (TimeoutException e) {
                String line;
                try {
                    line = progress.get();
                } catch (RuntimeException failed) {
                    line = "progress unavailable: " + failed.getMessage();
                }
                if (line != null) {
                    log().info("job {}: {}", job.getJobID(), line);
                }
            }
        }
    }
}
