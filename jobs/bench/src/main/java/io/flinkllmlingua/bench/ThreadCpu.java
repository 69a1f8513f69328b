package io.flinkllmlingua.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Where a run's CPU time went, by the role of each thread of this process: the model's calls, the engine's other
 * stages, the in-process Kafka broker, Flink and the Kafka clients, the JVM's own threads (JIT compiler, garbage
 * collector) and the rest. Java threads are read from {@link ThreadMXBean} (a thread's CPU time includes its native
 * calls, so ONNX Runtime's work shows under the batcher thread that called it); the JVM's own threads are not Java
 * threads, so their share is the process's CPU time less that of the Java threads. A sample of 300 threads took
 * 0.6-0.9 ms (reading {@code /proc/self/task} instead took 11 ms: at four samples a second, 4 % of a core taken from
 * the run it measures).
 *
 * <p>A run opens a {@link Window} at the start of its window, then {@link Window#update}s it from time to time
 * and at the end: a thread that ends inside the window counts up to its last sample (the rest of its time then
 * falls into the JVM's share). Roles come from thread names ({@link Role#of}).
 */
final class ThreadCpu {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final boolean AVAILABLE = THREADS.isThreadCpuTimeSupported() && THREADS.isThreadCpuTimeEnabled()
            && Double.isFinite(Phases.processCpuSeconds());

    /** What a thread does, from its name. */
    enum Role {
        MODEL("model calls"),
        ENGINE("engine stages"),
        BROKER("Kafka broker (in-process)"),
        JOB("Flink and Kafka clients"),
        JVM("JVM (JIT compiler, GC)"),
        OTHER("other");

        final String label;

        Role(String label) {
            this.label = label;
        }

        private static final List<String> BROKER_PREFIXES = List.of("data-plane-", "quorum-", "broker-",
                "controller-", "group-coordinator", "share-", "raft-", "TxnMarkerSender", "AddPartitionsTo",
                "ExpirationReaper", "LogDirFailureHandler", "transaction-", "metrics-meter-", "SensorExpiryThread",
                "persister-", "PersisterState", "network-partition", "client-metrics-", "executor-",
                "kafka-scheduler", "kafka-log-cleaner");

        /** KRaft's threads: kafka-<node id>-raft-io-thread, kafka-<node id>-metadata-loader-..., */
        private static final Pattern KRAFT = Pattern.compile("kafka-\\d+-.*");

        private static final List<String> JOB_PREFIXES = List.of("flink-", "Flink", "Source", "kafka: ",
                "kafka-producer-", "kafka-coordinator", "kafka-admin-client", "llmlingua-", "jobmanager",
                "taskmanager", "mini-cluster", "backfill", "AsyncOperations", "OutputFlusher", "Time Trigger",
                "System Time Trigger", "Checkpoint", "IOManager");

        static Role of(String name) {
            if (name.startsWith("llmlingua-batcher")) {
                return MODEL;
            }
            if (name.startsWith("llmlingua-worker") || name.startsWith("pool-")) {
                return ENGINE; // the operator's worker pool; the engine-only run's callers
            }
            if (name.startsWith("llmlingua-bench")) {
                return OTHER; // this benchmark's own progress thread
            }
            if (KRAFT.matcher(name).matches()) {
                return BROKER;
            }
            for (String p : BROKER_PREFIXES) {
                if (name.startsWith(p)) {
                    return BROKER;
                }
            }
            for (String p : JOB_PREFIXES) {
                if (name.startsWith(p)) {
                    return JOB;
                }
            }
            return OTHER;
        }
    }

    private ThreadCpu() {}

    /** Whether this JVM measures the CPU time of threads and of the process. */
    static boolean available() {
        return AVAILABLE;
    }

    /** CPU time used per role between the window's first sample and its latest. */
    static final class Window {
        private final Map<Long, String> names = new HashMap<>();
        private final Map<Long, Long> first = new HashMap<>();
        private final Map<Long, Long> last = new HashMap<>();
        // The process's CPU time is read here, at the same instants as the thread samples, rather than taken from the
        // run's own steady-state reading (which ends at the last chunk, up to a sample interval later): the JVM's
        // share is the difference of the two, and a later end would count model time as the JVM's.
        private final double processFirst;
        private double processLast;

        /** Starts a window now; empty ({@link #seconds()} gives nothing) where {@link #available()} is false. */
        Window() {
            processFirst = Phases.processCpuSeconds();
            read(first);
            last.putAll(first);
            processLast = processFirst;
        }

        /** Takes a sample; threads gone since keep their last one. */
        synchronized void update() {
            read(last);
            processLast = Phases.processCpuSeconds();
        }

        private void read(Map<Long, Long> into) {
            if (!AVAILABLE) {
                return;
            }
            for (long id : THREADS.getAllThreadIds()) {
                long nanos = THREADS.getThreadCpuTime(id);
                if (nanos < 0) {
                    continue; // ended meanwhile
                }
                if (!names.containsKey(id)) {
                    ThreadInfo info = THREADS.getThreadInfo(id, 0);
                    names.put(id, info == null ? "" : info.getThreadName());
                }
                into.put(id, nanos);
            }
        }

        synchronized Map<Role, Double> seconds() {
            Map<Role, Double> out = new EnumMap<>(Role.class);
            if (!AVAILABLE) {
                return out;
            }
            double javaThreads = 0;
            for (Map.Entry<Long, Long> e : last.entrySet()) {
                double s = (e.getValue() - first.getOrDefault(e.getKey(), 0L)) / 1e9;
                javaThreads += s;
                out.merge(Role.of(names.get(e.getKey())), s, Double::sum);
            }
            out.put(Role.JVM, Math.max(0, processLast - processFirst - javaThreads));
            return out;
        }
    }

    /**
     * One line: {@code model calls 30.8 s (86 %), JVM (JIT compiler, GC) 1.5 s (4 %), ...}, largest first, without
     * the roles under a twentieth of a second (a thread of an earlier run winding down).
     */
    static String describe(Map<Role, Double> seconds) {
        double total = seconds.values().stream().mapToDouble(Double::doubleValue).sum();
        StringBuilder sb = new StringBuilder();
        seconds.entrySet().stream().filter(e -> e.getValue() >= 0.05)
                .sorted(Map.Entry.<Role, Double>comparingByValue().reversed())
                .forEach(e -> sb.append(sb.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT,
                        "%s %.1f s (%.0f %%)", e.getKey().label, e.getValue(), 100 * e.getValue() / total)));
        return sb.toString();
    }
}
