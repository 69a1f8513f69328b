package io.flinkllmlingua.jobs.cli;

import io.flinkllmlingua.jobs.HostileTally;
import io.flinkllmlingua.testkit.HostileCorpus;
import io.flinkllmlingua.testkit.HostileCorpus.Case;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hostile corpus as one JSONL file through {@code compress --jsonl --chunks}: one output line or one dead letter
 * per record, of the right class, carrying the original bytes; blank lines counted in the summary.
 */
class HostileCorpusCliTest {
    @TempDir
    Path tmp;

    @Test
    void everyHostileLineGivesOneOutcomeOfItsClass() throws Exception {
        Path model = TinyTestModel.create(tmp.resolve("model"));
        List<Case> cases = HostileCorpus.cases();
        Path input = Files.write(tmp.resolve("hostile.jsonl"), HostileCorpus.jsonl(cases));
        Path out = tmp.resolve("out.jsonl");
        Path errors = tmp.resolve("errors.jsonl");
        CliRunner.Run r = CliRunner.run("", "compress", "--model=" + model, "--jsonl", "--chunks",
                "--output=" + out, "--errors=" + errors, input.toString());
        assertEquals(LlmLinguaCli.EXIT_RECORD_FAILURES, r.exitCode(), r::toString);

        HostileTally tally = new HostileTally(cases, Case::jsonl);
        CliRunner.parseLines(Files.readString(out)).forEach(tally::output);
        CliRunner.parseLines(Files.readString(errors)).forEach(tally::deadLetter);
        System.out.println("CLI compress --jsonl --chunks: " + tally.row());
        tally.assertEachCaseOnceWithItsClass();

        long blank = cases.stream().filter(c -> HostileCorpus.BLANK_LINE.equals(c.jsonl())).count();
        assertTrue(r.stderr().contains(", " + blank + " blank lines skipped;"), r.stderr());
    }
}
