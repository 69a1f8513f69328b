package io.flinkllmlingua.bench;

import io.flinkllmlingua.jobs.cli.EntryPoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The session-sharing benchmark on the generated tiny model: both layouts timed, both memory probes in fresh JVMs. */
class SessionSharingBenchmarkTest {

    @Test
    void timesBothLayoutsAndProbesTheirMemory(@TempDir Path tmp) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream was = System.out;
        int rc;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            rc = EntryPoint.commandLine(new SessionSharingBenchmark(), "session-sharing-bench", System.err)
                    .execute("--models", "tiny", "--chunks", "4", "--rounds", "1",
                            "--corpus", BenchCorpusTest.corpusFile().toString(), "--cache", tmp.toString());
        } finally {
            System.setOut(was);
        }
        String printed = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, rc, printed);
        String row = printed.lines().filter(l -> l.startsWith("| tiny |")).findFirst().orElseThrow(() ->
                new AssertionError("no row for the tiny model: " + printed));
        double[] cells = Arrays.stream(row.split("\\|")).map(String::trim).skip(2).mapToDouble(Double::parseDouble)
                .toArray();
        assertEquals(6, cells.length, row);
        assertTrue(cells[0] > 0 && cells[1] > 0, "both layouts ran: " + row);
        assertEquals(cells[0] / cells[1], cells[2], 0.006, "the ratio is shared / two: " + row);
        assertTrue(cells[3] > 0 && cells[4] > 0, "both probes reported a peak: " + row);
        assertEquals(cells[4] - cells[3], cells[5], 1.0, "saved = two - shared: " + row);
    }
}
