package io.flinkllmlingua.jobs.backfill;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flinkllmlingua.jobs.HostileTally;
import io.flinkllmlingua.testkit.HostileCorpus;
import io.flinkllmlingua.testkit.HostileCorpus.Case;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The hostile corpus as one JSONL file through the backfill (JSONL to JSONL, MiniCluster): one output or one dead
 * letter per record, of the right class, carrying the original bytes; blank lines counted in the report.
 */
class HostileCorpusBackfillTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(1).build());

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void everyHostileLineGivesOneOutcomeOfItsClass() throws Exception {
        List<Case> cases = HostileCorpus.cases();
        Path input = Files.createDirectories(tmp.resolve("in"));
        Files.write(input.resolve("hostile.jsonl"), HostileCorpus.jsonl(cases));
        BackfillSettings s = BackfillFixtures.settings(BackfillFixtures.tinyModel(tmp));
        s.llmlingua.remove("llmlingua.max-text-bytes"); // the default, which the 1 and 5 MiB cases straddle
        s.source = BackfillSettings.SourceKind.JSONL;
        s.inputPath = input.toString();
        s.sink = BackfillSettings.SinkKind.JSONL;
        s.outputPath = tmp.resolve("out").toString();
        s.failuresPath = tmp.resolve("failures").toString();
        s.reportFile = tmp.resolve("report.json");
        BackfillReport report = BackfillJob.run(StreamExecutionEnvironment.getExecutionEnvironment(), s);

        HostileTally tally = new HostileTally(cases, Case::jsonl);
        readJsonl(tmp.resolve("out")).forEach(tally::output);
        readJsonl(tmp.resolve("failures")).forEach(tally::deadLetter);
        System.out.println("backfill JSONL: " + tally.row() + "; " + report.summary());
        tally.assertEachCaseOnceWithItsClass();

        long blank = cases.stream().filter(c -> HostileCorpus.BLANK_LINE.equals(c.jsonl())).count();
        long records = cases.stream().filter(c -> c.jsonl() != null).count() - blank;
        assertEquals(records, report.total, report.summary());
        assertEquals(blank, report.blankLinesSkipped, report.summary());
        assertEquals(blank, JSON.readTree(s.reportFile.toFile()).path("blank_lines_skipped").asLong());
    }

    /** The JSON lines of the visible files under {@code dir}, split at {@code \n} only. */
    private static List<JsonNode> readJsonl(Path dir) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)
                    .filter(p -> !p.getFileName().toString().startsWith("."))::iterator) {
                for (String line : new String(Files.readAllBytes(f), StandardCharsets.UTF_8).split("\n")) {
                    if (!line.isEmpty()) {
                        out.add(JSON.readTree(line));
                    }
                }
            }
        }
        return out;
    }
}
