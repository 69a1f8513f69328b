package io.flinkllmlingua.jobs.streaming;

import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.RecoveryClaimMode;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How the ingestion job survives failures: file-system checkpoint storage with retained checkpoints (so that a crash
 * of the whole local job can resume from the newest one instead of from the group offsets, which are committed
 * after the outputs), the restore path, and a bounded restart strategy with one final line when it gives up.
 *
 * <p>Everything here is applied only where {@link JobSettings} sets it: a null field leaves the environment's own
 * configuration (on a cluster: the cluster's), so tests and embedders that configure the environment themselves
 * keep their settings.
 */
public final class JobRecovery {
    /** The local job's state directory, relative to the working directory (see {@link #localCheckpointDir}). */
    public static final String LOCAL_STATE_DIR = "flink-llmlingua-state";
    /** Checkpoints kept when the job sets the checkpoint directory itself: a spare in case the newest is unreadable. */
    public static final int DEFAULT_RETAINED_CHECKPOINTS = 3;
    /** Restarts in a row (without a quiet hour between them) before the job fails for good. */
    public static final int DEFAULT_RESTART_ATTEMPTS = 10;
    public static final String DEFAULT_RESTART_DELAY = "1 s";
    /** The restart delay grows by {@link #RESTART_BACKOFF_MULTIPLIER} per attempt up to this. */
    public static final Duration MAX_RESTART_DELAY = Duration.ofMinutes(1);
    public static final double RESTART_BACKOFF_MULTIPLIER = 2.0;
    /** After running this long without a failure the attempt count and the delay start again. */
    public static final Duration RESTART_RESET_AFTER = Duration.ofHours(1);

    /** A complete checkpoint: a {@code chk-N} directory holding {@code _metadata} (written last, when it completed). */
    private static final Pattern CHECKPOINT_DIR = Pattern.compile("chk-(\\d+)");
    private static final String METADATA = "_metadata";
    /** A scheme of two letters or more ({@code C:\\} is a Windows path). */
    private static final Pattern URI_SCHEME = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]+:");

    private JobRecovery() {}

    /**
     * The local job's default checkpoint directory: {@code ./flink-llmlingua-state/<group-id>/checkpoints}. Under
     * the working directory rather than {@code java.io.tmpdir}, which is often cleared on reboot, exactly when a
     * resume is needed; named by the consumer group, which already identifies the job's input position.
     */
    public static String localCheckpointDir(String groupId) {
        return toUri(Path.of(LOCAL_STATE_DIR, groupId.replaceAll("[^A-Za-z0-9._-]", "_"), "checkpoints").toString());
    }

    /** A URI as given ({@code s3://...}, {@code file:///...}); a plain path as an absolute {@code file:} URI. */
    public static String toUri(String pathOrUri) {
        if (URI_SCHEME.matcher(pathOrUri).lookingAt()) {
            return pathOrUri;
        }
        return Path.of(pathOrUri).toAbsolutePath().normalize().toUri().toString();
    }

    /**
     * The newest complete checkpoint under {@code dir}: {@code dir/<job-id>/chk-N/_metadata} (Flink's layout, one
     * job id per run) or {@code dir/chk-N/_metadata}; newest by the time {@code _metadata} was written (checkpoint
     * numbers start again in each run), then by N. Empty when there is none or the directory does not exist.
     */
    public static Optional<String> latestCheckpoint(String dir) throws IOException {
        org.apache.flink.core.fs.Path root = new org.apache.flink.core.fs.Path(toUri(dir));
        FileSystem fs = root.getFileSystem();
        if (!fs.exists(root)) {
            return Optional.empty();
        }
        Candidate best = null;
        for (FileStatus child : list(fs, root)) {
            if (!child.isDir()) {
                continue;
            }
            best = newer(best, candidate(fs, child.getPath()));
            if (!CHECKPOINT_DIR.matcher(child.getPath().getName()).matches()) {
                for (FileStatus grandchild : list(fs, child.getPath())) {
                    if (grandchild.isDir()) {
                        best = newer(best, candidate(fs, grandchild.getPath()));
                    }
                }
            }
        }
        return Optional.ofNullable(best).map(c -> c.dir.toString());
    }

    private record Candidate(org.apache.flink.core.fs.Path dir, long written, long number) {}

    private static Candidate candidate(FileSystem fs, org.apache.flink.core.fs.Path dir) throws IOException {
        Matcher m = CHECKPOINT_DIR.matcher(dir.getName());
        if (!m.matches()) {
            return null;
        }
        org.apache.flink.core.fs.Path metadata = new org.apache.flink.core.fs.Path(dir, METADATA);
        if (!fs.exists(metadata)) {
            return null; // still in progress, or abandoned
        }
        FileStatus status = fs.getFileStatus(metadata);
        return status.getLen() == 0 ? null : new Candidate(dir, status.getModificationTime(), Long.parseLong(m.group(1)));
    }

    private static Candidate newer(Candidate a, Candidate b) {
        if (a == null || b == null) {
            return a == null ? b : a;
        }
        if (a.written != b.written) {
            return a.written > b.written ? a : b;
        }
        return a.number >= b.number ? a : b;
    }

    private static FileStatus[] list(FileSystem fs, org.apache.flink.core.fs.Path dir) throws IOException {
        FileStatus[] children = fs.listStatus(dir);
        return children == null ? new FileStatus[0] : children;
    }

    /** What {@code s} sets of checkpoint storage, retention, restore path and restart strategy. */
    static Configuration configuration(JobSettings s) {
        Configuration c = new Configuration();
        if (s.checkpointDir != null) {
            c.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
            c.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, toUri(s.checkpointDir));
            // Kept when the job is cancelled or fails for good, so that --resume finds them.
            c.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION, ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        }
        if (s.retainedCheckpoints != null) {
            c.set(CheckpointingOptions.MAX_RETAINED_CHECKPOINTS, s.retainedCheckpoints);
        }
        if (s.restoreFrom != null) {
            c.set(StateRecoveryOptions.SAVEPOINT_PATH, s.restoreFrom);
            // A resumed job owns its retained checkpoint (it is removed once subsumed, so crashes do not pile up
            // state); a savepoint stays the user's.
            c.set(StateRecoveryOptions.RESTORE_MODE, s.restoreClaimed ? RecoveryClaimMode.CLAIM : RecoveryClaimMode.NO_CLAIM);
        }
        if (s.restartAttempts != null) {
            c.set(RestartStrategyOptions.RESTART_STRATEGY, "exponential-delay");
            c.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_ATTEMPTS, s.restartAttempts);
            c.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_INITIAL_BACKOFF, s.restartDelay);
            c.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF,
                    s.restartDelay.compareTo(MAX_RESTART_DELAY) > 0 ? s.restartDelay : MAX_RESTART_DELAY);
            c.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_BACKOFF_MULTIPLIER, RESTART_BACKOFF_MULTIPLIER);
            c.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_RESET_BACKOFF_THRESHOLD, RESTART_RESET_AFTER);
        }
        return c;
    }

    /** Applies {@link #configuration(JobSettings)} to {@code env}. */
    public static void configure(StreamExecutionEnvironment env, JobSettings s) {
        env.configure(configuration(s));
    }

    /**
     * Runs the job; when it fails for good (the restart strategy gave up, or restarts are off) the exception is one
     * line naming the last failure's cause, with the original attached as suppressed for {@code --verbose}.
     */
    public static JobExecutionResult execute(StreamExecutionEnvironment env, JobSettings s, String name) throws Exception {
        return execute(s, name, () -> env.execute(name));
    }

    /** As {@link #execute(StreamExecutionEnvironment, JobSettings, String)}, for a job run and awaited by {@code run}. */
    public static <T> T execute(JobSettings s, String name, java.util.concurrent.Callable<T> run) throws Exception {
        try {
            return run.call();
        } catch (Exception e) {
            Throwable last = lastFailure(e);
            if (last == null) {
                throw e;
            }
            JobFailedException failed = new JobFailedException("job '" + name + "' failed for good"
                    + (s.restartAttempts == null ? "" : " after " + s.restartAttempts + " restart attempt(s) (--restart-attempts)")
                    + "; last failure: " + describe(last));
            failed.addSuppressed(e);
            throw failed;
        }
    }

    /** The job failed and was not restarted again; the message is the one line to print. */
    public static final class JobFailedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        JobFailedException(String message) {
            super(message);
        }
    }

    /** The failure under Flink's "Recovery is suppressed by ..." (the job gave up on it); null if there is none. */
    private static Throwable lastFailure(Throwable e) {
        for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
            if (t.getMessage() != null && t.getMessage().startsWith("Recovery is suppressed by") && t.getCause() != null) {
                return t.getCause();
            }
        }
        return null;
    }

    /** {@code Class: message}, with the root cause's when it is another exception. */
    private static String describe(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String line = one(t);
        return root == t ? line : line + " (caused by " + one(root) + ")";
    }

    private static String one(Throwable t) {
        String m = t.getMessage();
        return t.getClass().getName() + (m == null || m.isBlank() ? "" : ": " + m.strip().replace("\n", " "));
    }
}
