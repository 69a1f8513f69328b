package io.flinkllmlingua.bench;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * A run split at its first and its last compressed chunk: start-up (from the start of the run until the first
 * compressed chunk left the compressor: job deployment, source start, engine open, the first model call), steady
 * state (from the first compressed chunk to the last: the tokens of the chunks that completed after the first),
 * and wind-down (from the last chunk to the end of the run: end of input, final checkpoint and commit); and the
 * process's CPU time during the steady state, in all and by thread role ({@link ThreadCpu}; empty where not read).
 */
public record Phases(double startupSeconds, long steadyTokens, double steadySeconds, double windDownSeconds,
                     double steadyCpuSeconds, Map<ThreadCpu.Role, Double> steadyCpuByRole) {
    public static final Phases NONE = new Phases(Double.NaN, 0, Double.NaN, Double.NaN, Double.NaN, Map.of());

    public Phases {
        // In the roles' order, so that results.json lists them alike in every run.
        steadyCpuByRole = steadyCpuByRole.isEmpty() ? Map.of()
                : Collections.unmodifiableMap(new EnumMap<>(steadyCpuByRole));
    }

    /**
     * @param tokensAtFirst tokens already compressed when the first compressed chunk was seen (excluded from the
     *                      steady state, whose clock starts then)
     */
    public static Phases of(long startNanos, long firstNanos, long tokensAtFirst, long lastNanos, long tokensAtLast,
                            long endNanos, double steadyCpuSeconds, Map<ThreadCpu.Role, Double> cpuByRole) {
        if (firstNanos == 0 || lastNanos <= firstNanos) {
            return NONE;
        }
        return new Phases((firstNanos - startNanos) / 1e9, tokensAtLast - tokensAtFirst,
                (lastNanos - firstNanos) / 1e9, (endNanos - lastNanos) / 1e9, steadyCpuSeconds, cpuByRole);
    }

    /**
     * CPU time of this process so far, in seconds (all threads: on a machine shared with other work, tokens per
     * CPU-second compare runs that wall time cannot), NaN where the JVM does not tell.
     */
    public static double processCpuSeconds() {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            long nanos = os.getProcessCpuTime();
            return nanos < 0 ? Double.NaN : nanos / 1e9;
        }
        return Double.NaN;
    }

    /** Steady-state tokens per CPU-second of the whole process. */
    public double tokensPerCpuSecond() {
        return steadyCpuSeconds > 0 ? steadyTokens / steadyCpuSeconds : Double.NaN;
    }

    public double steadyTokensPerSecond() {
        return steadySeconds > 0 ? steadyTokens / steadySeconds : Double.NaN;
    }
}
