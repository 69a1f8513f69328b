package io.flinkllmlingua.training.teacher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flinkllmlingua.training.LabeledText;
import io.flinkllmlingua.training.LabeledTextJson;
import io.flinkllmlingua.testkit.TestData;
import io.flinkllmlingua.training.TextUnits;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TeacherCorpusTest {
    @TempDir
    Path dir;

    /** A hand-written document of {@code sentences} sentences of 12 units each. */
    private static String document(int sentences) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < sentences; i++) {
            sb.append("Engineers in Dublin replaced ").append(i).append(" faulty sensors on the northern "
                    + "bridge last spring. ");
        }
        return sb.toString().trim();
    }

    @Test
    void cutsOnSentenceBoundariesWithinTheUnitRange() {
        String text = document(100); // 1,200 units
        List<TeacherCorpus.Piece> pieces = TeacherCorpus.cut("doc", text, TeacherLanguage.ENGLISH);
        assertTrue(pieces.size() >= 3, String.valueOf(pieces.size()));
        StringBuilder joined = new StringBuilder();
        for (TeacherCorpus.Piece p : pieces) {
            int units = TextUnits.split(p.text()).size();
            assertTrue(units <= TeacherCorpus.MAX_UNITS + TeacherCorpus.MIN_UNITS / 2, String.valueOf(units));
            assertTrue(p.text().startsWith("Engineers") && p.text().endsWith("spring."), p.text());
            joined.append(joined.isEmpty() ? "" : " ").append(p.text());
        }
        assertEquals(text, joined.toString());
    }

    @Test
    void sentenceSplitIgnoresAbbreviationsAndInitials() {
        String text = "Dr. Chen met J. Smith at 10 a.m. on Monday. They signed e.g. the lease. Done!\nNext line";
        List<String> sentences = Sentences.split(text, TeacherLanguage.ENGLISH.abbreviations()).stream()
                .map(s -> s.of(text)).toList();
        assertEquals(List.of("Dr. Chen met J. Smith at 10 a.m. on Monday.", "They signed e.g. the lease.", "Done!",
                "Next line"), sentences);
    }

    @Test
    void buildWritesLabelledJsonlThatRoundTrips() throws IOException {
        Path input = dir.resolve("docs.jsonl");
        Files.writeString(input, "{\"chunk_id\":\"a#000\",\"text\":\"" + document(40) + "\",\"metadata\":{\"lang\":\"en\"}}\n"
                + "{\"chunk_id\":\"b#000\",\"text\":\"Der Hund schläft.\",\"metadata\":{\"lang\":\"de\"}}\n"
                + "{\"id\":\"c\",\"text\":\"The invoice of 12 March lists 3 items and no tax.\"}\n",
                StandardCharsets.UTF_8);
        Path output = dir.resolve("out/labels.jsonl");
        TeacherCorpus.Stats stats = TeacherCorpus.build(List.of(input), output, List.of(0.3, 0.5, 0.7),
                TeacherLanguage.ENGLISH);
        assertEquals(1, stats.skipped());
        assertEquals(2, stats.documents());
        assertEquals(stats.pieces() * 3, stats.records());
        List<LabeledText> read = new java.util.ArrayList<>();
        for (String line : Files.readAllLines(output)) {
            read.add(LabeledTextJson.fromJson(new com.fasterxml.jackson.databind.ObjectMapper().readTree(line), "?"));
        }
        assertEquals(stats.records(), read.size());
        assertTrue(read.stream().anyMatch(l -> l.id().equals("c/0@0.5")));
        for (LabeledText l : read) {
            assertEquals(l, LabeledTextJson.fromJson(new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(LabeledTextJson.toLine(l)), "?"));
            double rate = Double.parseDouble(l.id().substring(l.id().indexOf('@') + 1));
            assertEquals(Math.round(rate * l.units().size()), l.keptCount());
        }
        // the same inputs give byte-identical output
        Path again = dir.resolve("again.jsonl");
        TeacherCorpus.build(List.of(input), again, List.of(0.3, 0.5, 0.7), TeacherLanguage.ENGLISH);
        assertEquals(Files.readString(output), Files.readString(again));
    }

    @Test
    void labelsTheBundledEnglishCorporaIntoPiecesOfTheUnitRange() throws IOException {
        int[] skipped = new int[1];
        List<Path> corpora = io.flinkllmlingua.training.demo.TeacherDemoModel.copyCorpus(dir.resolve("corpus"));
        List<TeacherCorpus.Piece> pieces = TeacherCorpus.pieces(corpora, TeacherLanguage.ENGLISH, skipped);
        assertEquals(0, skipped[0]);
        Set<String> ids = new HashSet<>();
        long inRange = 0;
        for (TeacherCorpus.Piece p : pieces) {
            assertTrue(ids.add(p.id()), p.id());
            int units = TextUnits.split(p.text()).size();
            assertTrue(units > 0 && units <= TeacherCorpus.MAX_UNITS + TeacherCorpus.MIN_UNITS / 2, p.id() + ": " + units);
            if (units >= TeacherCorpus.MIN_UNITS / 2) {
                inRange++;
            }
        }
        // documents shorter than the minimum stay whole; nearly every piece is a full one
        assertTrue(inRange >= pieces.size() * 0.9, inRange + " of " + pieces.size());
        assertTrue(ids.contains("debian/wordnet-base/examples#000/0"));
    }
}
