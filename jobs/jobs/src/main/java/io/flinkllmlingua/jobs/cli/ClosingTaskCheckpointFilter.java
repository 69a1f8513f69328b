package io.flinkllmlingua.jobs.cli;

import org.apache.flink.runtime.checkpoint.CheckpointException;
import org.apache.flink.runtime.checkpoint.CheckpointFailureReason;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.filter.AbstractFilter;
import org.apache.logging.log4j.core.filter.AbstractFilterable;

/**
 * Drops Flink's warning for a checkpoint that a task declined because it was closing, in the logging of local runs
 * ({@link JobLog#LOG_CONFIG}). At the end of a bounded run (the demo, a Kafka job with an end offset) the checkpoint
 * coordinator still triggers checkpoints while the finished tasks close; each one is declined and logged as a WARN
 * with two stack traces, several hundred lines after the last record was committed, although nothing failed. Every
 * other checkpoint failure passes.
 *
 * <p>Hand-written because log4j's own filters match the message text, and the message ("Failed to trigger or complete
 * checkpoint N") is the same for real failures; only the exception's reason tells them apart. Added in code rather
 * than named in the XML: a log4j plugin needs a plugin cache file in our jar, and the shaded CLI jar keeps one such
 * file only, which then hid log4j's own plugins (its pattern layout).
 */
final class ClosingTaskCheckpointFilter extends AbstractFilter {
    /** The logger of Flink's checkpoint failure warnings. */
    static final String LOGGER = "org.apache.flink.runtime.checkpoint.CheckpointFailureManager";
    /** The appender of {@link JobLog#LOG_CONFIG} that the filter guards. */
    static final String APPENDER = "stderr";

    ClosingTaskCheckpointFilter() {
        super(Result.DENY, Result.NEUTRAL);
    }

    /** Adds the filter to the running log4j configuration's {@link #APPENDER}, if it has one. */
    static void install() {
        if (LogManager.getContext(false) instanceof LoggerContext context) {
            addTo(context.getConfiguration());
        }
    }

    static void addTo(Configuration config) {
        if (config.getAppender(APPENDER) instanceof AbstractFilterable appender) {
            appender.addFilter(new ClosingTaskCheckpointFilter());
        }
    }

    @Override
    public Result filter(LogEvent event) {
        return LOGGER.equals(event.getLoggerName()) && declinedByClosingTask(event.getThrown()) ? onMatch : onMismatch;
    }

    private static boolean declinedByClosingTask(Throwable thrown) {
        return thrown instanceof CheckpointException e
                && e.getCheckpointFailureReason() == CheckpointFailureReason.CHECKPOINT_DECLINED_TASK_CLOSING;
    }
}
