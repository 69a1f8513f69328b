package io.flinkllmlingua.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Peak resident memory of this process per measured path, on Linux: writing {@code 5} to
 * {@code /proc/self/clear_refs} resets the high-water mark {@code VmHWM} to the current RSS, so each path's peak
 * is read after resetting before it. The peak includes what the JVM already held (heap, loaded classes, earlier
 * sessions not yet collected), so it is an upper bound for the path, not its increment.
 */
public final class PeakRss {
    private static final Path CLEAR_REFS = Path.of("/proc/self/clear_refs");
    private static final Path STATUS = Path.of("/proc/self/status");

    private PeakRss() {}

    /** Resets the high-water mark; false where the platform has no such control. */
    public static boolean reset() {
        try {
            Files.writeString(CLEAR_REFS, "5");
            return true;
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }

    /** {@code VmHWM} in bytes, or -1 where not available. */
    public static long peakBytes() {
        long kb = statusKilobytes(STATUS, "VmHWM:");
        return kb < 0 ? -1 : kb * 1024;
    }

    static long statusKilobytes(Path status, String key) {
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith(key)) {
                    String[] parts = line.substring(key.length()).trim().split("\\s+");
                    return Long.parseLong(parts[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
