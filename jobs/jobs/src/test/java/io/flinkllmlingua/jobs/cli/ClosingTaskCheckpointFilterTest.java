package io.flinkllmlingua.jobs.cli;

import org.apache.flink.runtime.checkpoint.CheckpointException;
import org.apache.flink.runtime.checkpoint.CheckpointFailureReason;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.ConfigurationSource;
import org.apache.logging.log4j.core.filter.Filterable;
import org.apache.logging.log4j.core.impl.Log4jLogEvent;
import org.apache.logging.log4j.core.config.xml.XmlConfiguration;
import org.apache.logging.log4j.message.SimpleMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URL;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The local runs' logging configuration, as log4j loads it with the filter added, drops exactly the checkpoints that closing tasks declined. */
class ClosingTaskCheckpointFilterTest {
    private static LoggerContext context;
    private static Filterable stderr;

    @BeforeAll
    static void loadJobLogging() throws Exception {
        URL url = JobLog.class.getClassLoader().getResource(JobLog.LOG_CONFIG);
        assertNotNull(url, JobLog.LOG_CONFIG);
        context = new LoggerContext("closing-task-checkpoint-filter-test");
        XmlConfiguration config = new XmlConfiguration(context, ConfigurationSource.fromUri(url.toURI()));
        config.initialize();
        ClosingTaskCheckpointFilter.addTo(config);
        stderr = (Filterable) config.getAppender(ClosingTaskCheckpointFilter.APPENDER);
        assertNotNull(stderr, "the appender of " + JobLog.LOG_CONFIG);
        assertInstanceOf(ClosingTaskCheckpointFilter.class, stderr.getFilter());
    }

    @AfterAll
    static void stop() {
        context.stop();
    }

    private static LogEvent warning(String logger, Throwable thrown) {
        return Log4jLogEvent.newBuilder().setLoggerName(logger).setLevel(Level.WARN)
                .setMessage(new SimpleMessage("Failed to trigger or complete checkpoint 3 for job 70f4."))
                .setThrown(thrown).build();
    }

    @Test
    void aCheckpointDeclinedByAClosingTaskIsDropped() {
        assertTrue(stderr.isFiltered(warning(ClosingTaskCheckpointFilter.LOGGER,
                new CheckpointException(CheckpointFailureReason.CHECKPOINT_DECLINED_TASK_CLOSING))));
    }

    @Test
    void everyOtherCheckpointFailureIsLogged() {
        for (CheckpointFailureReason reason : CheckpointFailureReason.values()) {
            if (reason != CheckpointFailureReason.CHECKPOINT_DECLINED_TASK_CLOSING) {
                assertFalse(stderr.isFiltered(warning(ClosingTaskCheckpointFilter.LOGGER, new CheckpointException(reason))),
                        reason.name());
            }
        }
        assertFalse(stderr.isFiltered(warning(ClosingTaskCheckpointFilter.LOGGER, new IllegalStateException("x"))));
        assertFalse(stderr.isFiltered(warning(ClosingTaskCheckpointFilter.LOGGER, null)));
    }

    @Test
    void otherLoggersPassWhateverTheyCarry() {
        assertFalse(stderr.isFiltered(warning("org.apache.flink.runtime.checkpoint.CheckpointCoordinator",
                new CheckpointException(CheckpointFailureReason.CHECKPOINT_DECLINED_TASK_CLOSING))));
        assertFalse(stderr.isFiltered(warning("io.flinkllmlingua.jobs.cli.JobLog", null)));
    }
}
