package io.flinkllmlingua.jobs.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The fault-tolerance results of the cluster tests, one row per fault, written as Markdown (the operations guide and
 * the closing note quote it).
 */
final class FaultReport {
    record Row(String fault, int recordsIn, long recordsOut, int distinctOut, int duplicates, int losses,
               String recovery, String notes) {}

    private final List<Row> rows = new ArrayList<>();
    private final Path file;
    private final String setup;

    FaultReport(Path file) {
        this(file, "Standalone Flink 2.2.1 cluster (JobManager and TaskManagers as separate JVMs from Maven jars), Kafka "
                + "broker as a separate JVM (KRaft), job jar submitted over REST, checkpoints every second, EXACTLY_ONCE "
                + "Kafka sink; output read with isolation.level=read_committed. Written by StandaloneClusterFaultToleranceIT");
    }

    /** With {@code setup} describing what ran (the report adds when). */
    FaultReport(Path file, String setup) {
        this.file = file;
        this.setup = setup;
    }

    /** Compares the committed output with the input ids and adds a row; returns it for the assertions. */
    synchronized Row add(String fault, List<String> inputIds, CommittedOutput out, String recovery, String notes) {
        Map<String, Integer> counts = out.counts();
        int duplicates = 0;
        for (int c : counts.values()) {
            duplicates += c - 1;
        }
        int losses = 0;
        for (String id : inputIds) {
            if (!counts.containsKey(id)) {
                losses++;
            }
        }
        Row r = new Row(fault, inputIds.size(), out.records(), counts.size(), duplicates, losses, recovery, notes);
        rows.add(r);
        write();
        return r;
    }

    private void write() {
        StringBuilder s = new StringBuilder("# Fault tolerance on processes\n\n")
                .append(setup).append(" at ").append(Instant.now()).append(".\n\n")
                .append("| fault | records in | records out | distinct out | duplicates | losses | recovery | notes |\n")
                .append("|---|---|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            s.append("| ").append(r.fault).append(" | ").append(r.recordsIn).append(" | ").append(r.recordsOut).append(" | ")
                    .append(r.distinctOut).append(" | ").append(r.duplicates).append(" | ").append(r.losses).append(" | ")
                    .append(r.recovery).append(" | ").append(r.notes).append(" |\n");
        }
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, s);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
