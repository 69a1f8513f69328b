package io.flinkllmlingua.training;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The JSONL forms of training data, their errors with line numbers, and rejected pairs. */
class TrainingDataTest {
    @TempDir
    Path tmp;

    private TrainingData.Loaded read(String... lines) throws Exception {
        Path f = tmp.resolve("data.jsonl");
        Files.write(f, List.of(lines));
        return TrainingData.read(List.of(f), TrainingData.PairLimits.DEFAULTS);
    }

    @Test
    void pairsInEveryFieldNamingAreAligned() throws Exception {
        TrainingData.Loaded d = read(
                "{\"id\":\"m1\",\"prompt\":\"The meeting is now called to order by the chair.\","
                        + "\"compressed_prompt\":\"meeting called to order chair\"}",
                "{\"prompt_list\":[\"Item one is the budget of the city.\",\"Item two is the park.\"],"
                        + "\"compressed_prompt_list\":[\"Item one budget city\",\"Item two park\"]}",
                "{\"original\":\"Please review the attached report today.\",\"compressed\":\"review report\","
                        + "\"language\":\"en\"}");
        assertEquals(4, d.pairs());
        assertEquals(4, d.texts().size());
        assertTrue(d.rejected().isEmpty());
        LabeledText first = d.texts().get(0);
        assertEquals("m1", first.id());
        // The meeting is now called to order by the chair
        assertArrayEquals(new boolean[] {false, true, false, false, true, true, true, false, false, true},
                first.labels());
        assertTrue(d.texts().get(1).id().endsWith("#0"), d.texts().get(1).id());
        assertEquals("en", d.texts().get(3).language());
        assertArrayEquals(new boolean[] {false, true, false, false, true, false}, d.texts().get(3).labels());
    }

    @Test
    void aPairTheQualityChecksRefuseIsCountedAndListed() throws Exception {
        TrainingData.Loaded d = read("{\"id\":\"bad\",\"original\":\"The budget was approved by the council.\","
                + "\"compressed\":\"Weather sunny tomorrow afternoon with light winds\"}");
        assertEquals(1, d.pairs());
        assertEquals(0, d.texts().size());
        assertEquals("bad", d.rejected().get(0).id());
        assertTrue(d.rejected().get(0).variationRate() > 0.5, d.rejected().toString());
    }

    @Test
    void wordLabelsGoToTheUnitsInsideEachWord() throws Exception {
        TrainingData.Loaded d = read(
                "{\"words\":[\"Hello,\",\"big\",\"world-wide\",\"!\"],\"labels\":[1,0,true,false]}",
                "{\"text\":\"Hi  there, you.\",\"words\":[\"Hi\",\"there,\",\"you.\"],\"labels\":[false,true,false]}");
        LabeledText a = d.texts().get(0);
        assertEquals("Hello, big world-wide !", a.text());
        assertArrayEquals(new boolean[] {true, false, true, true}, a.labels());
        assertEquals("wide", a.unitText(3));
        LabeledText b = d.texts().get(1);
        assertEquals("there", b.unitText(1));
        assertArrayEquals(new boolean[] {false, true, false}, b.labels());
        assertEquals(2, d.labelled());
    }

    @Test
    void labeledTextJsonRoundTrips() throws Exception {
        LabeledText t = LabeledText.of("x", "de", "Grüße aus Köln, 2024!", new boolean[] {true, false, true, true});
        TrainingData.Loaded d = read(LabeledTextJson.toLine(t));
        assertEquals(t, d.texts().get(0));
    }

    @Test
    void aBadLineFailsWithItsFileAndLineNumber() {
        String good = "{\"words\":[\"a\"],\"labels\":[1]}";
        for (String[] bad : List.of(new String[] {good, "{not json"}, new String[] {good, "{\"foo\":1}"},
                new String[] {good, "{\"words\":[\"a\",\"b\"],\"labels\":[1]}"},
                new String[] {good, "{\"words\":[\"a\"],\"labels\":[2]}"},
                new String[] {good, "{\"prompt\":\"a b\"}"},
                new String[] {good, "{\"text\":\"abc\",\"units\":[{\"start\":2,\"end\":9,\"keep\":true}]}"},
                new String[] {good, "{\"prompt_list\":[\"a\"],\"compressed_prompt_list\":[]}"})) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> read(bad));
            assertTrue(e.getMessage().contains("data.jsonl:2: "), e.getMessage());
        }
    }
}
