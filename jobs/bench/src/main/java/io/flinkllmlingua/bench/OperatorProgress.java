package io.flinkllmlingua.bench;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * When the LLMLingua operator of a local (MiniCluster) run compressed its first and its last chunk, read from the
 * operator's own Flink metrics: an in-process metric reporter ({@link Factory}, configured on the MiniCluster by
 * {@link #configure}) hands this watcher every subtask's {@code llmlingua.recordsCompressed} and
 * {@code llmlingua.originalTokens} counters, and a thread polls their sums every {@value #POLL_MILLIS} ms, noting
 * the time of the first compressed chunk and of each later change (polled every millisecond, the watcher itself took
 * 1 % of the 2 cores from the job it measured; 10 ms is 0.1 % of a steady state of 10 s). The counters are incremented as a chunk's compression
 * completes, just before the record is handed to the operator's output, so the first change is the first compressed
 * record leaving the operator (to within the poll interval). Nothing in the job is changed for the measurement.
 */
public final class OperatorProgress implements AutoCloseable {
    static final long POLL_MILLIS = 10;
    /** Least time between two reads of every thread's CPU time ({@link ThreadCpu}). */
    private static final long THREAD_CPU_NANOS = 250_000_000L;
    private static final String RUN_KEY = "run";
    private static final String REPORTER = "llmlingua-bench";
    private static final AtomicInteger RUNS = new AtomicInteger();
    private static final Map<String, OperatorProgress> ACTIVE = new ConcurrentHashMap<>();

    private final String run = "run-" + RUNS.incrementAndGet();
    private final List<Counter> records = new CopyOnWriteArrayList<>();
    private final List<Counter> tokens = new CopyOnWriteArrayList<>();
    private final Thread poller;
    private volatile boolean stopped;
    private volatile long startNanos;
    private volatile long firstNanos;
    private volatile long tokensAtFirst;
    private volatile long lastNanos;
    private volatile long tokensAtLast;
    private volatile long recordsAtLast;
    private volatile double cpuAtFirst;
    private volatile double cpuAtLast;
    private volatile ThreadCpu.Window cpuByRole;

    private OperatorProgress() {
        ACTIVE.put(run, this);
        poller = new Thread(this::poll, "llmlingua-bench-progress");
        poller.setDaemon(true);
    }

    /** A watcher for one run; pass the configuration it returns through {@link #configure} to the MiniCluster. */
    public static OperatorProgress create() {
        return new OperatorProgress();
    }

    /** {@code conf} with this watcher's reporter (a copy). */
    public Configuration configure(Configuration conf) {
        Configuration c = new Configuration(conf);
        c.setString("metrics.reporter." + REPORTER + ".factory.class", Factory.class.getName());
        c.setString("metrics.reporter." + REPORTER + "." + RUN_KEY, run);
        return c;
    }

    /** Call right before submitting the job: the start of the run, and of the polling. */
    public void start() {
        startNanos = System.nanoTime();
        poller.start();
    }

    /** Call when the job has ended: the split of the run at its first and last compressed chunk. */
    public Phases finish() {
        long end = System.nanoTime();
        stop();
        ThreadCpu.Window roles = cpuByRole;
        return Phases.of(startNanos, firstNanos, tokensAtFirst, lastNanos, tokensAtLast, end, cpuAtLast - cpuAtFirst,
                roles == null ? Map.of() : roles.seconds());
    }

    /** Compressed chunks the counters showed at the last change. */
    public long recordsSeen() {
        return recordsAtLast;
    }

    private void poll() {
        long seen = 0;
        long rolesReadAt = 0;
        while (!stopped) {
            long n = sum(records);
            if (n != seen) {
                long now = System.nanoTime();
                long t = sum(tokens);
                double cpu = Phases.processCpuSeconds();
                if (seen == 0) {
                    firstNanos = now;
                    tokensAtFirst = t;
                    cpuAtFirst = cpu;
                    cpuByRole = new ThreadCpu.Window();
                    rolesReadAt = now;
                } else if (now - rolesReadAt >= THREAD_CPU_NANOS) {
                    cpuByRole.update();
                    rolesReadAt = now;
                }
                cpuAtLast = cpu;
                lastNanos = now;
                tokensAtLast = t;
                recordsAtLast = n;
                seen = n;
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static long sum(List<Counter> counters) {
        long s = 0;
        for (Counter c : counters) {
            s += c.getCount();
        }
        return s;
    }

    private void stop() {
        stopped = true;
        poller.interrupt();
        try {
            poller.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ACTIVE.remove(run);
    }

    @Override
    public void close() {
        stop();
    }

    /** The reporter: hands the operator's counters of its run to the watcher. */
    public static final class Reporter implements MetricReporter {
        private volatile OperatorProgress target;

        @Override
        public void open(MetricConfig config) {
            target = ACTIVE.get(config.getString(RUN_KEY, ""));
        }

        @Override
        public void close() {}

        @Override
        public void notifyOfAddedMetric(Metric metric, String name, MetricGroup group) {
            OperatorProgress t = target;
            if (t == null || !(metric instanceof Counter c) || !group.getMetricIdentifier(name).contains(".llmlingua.")) {
                return;
            }
            if (name.equals("recordsCompressed")) {
                t.records.add(c);
            } else if (name.equals("originalTokens")) {
                t.tokens.add(c);
            }
        }

        @Override
        public void notifyOfRemovedMetric(Metric metric, String name, MetricGroup group) {
            // keep the counter: its last value still counts
        }
    }

    /** Found by Flink through {@code META-INF/services}, named by {@code metrics.reporter.*.factory.class}. */
    public static final class Factory implements MetricReporterFactory {
        @Override
        public MetricReporter createMetricReporter(Properties properties) {
            return new Reporter();
        }
    }
}
