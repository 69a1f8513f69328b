package io.flinkllmlingua.training.teacher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flinkllmlingua.training.LabeledText;
import io.flinkllmlingua.training.TextUnits;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The rule teacher on hand-written sentences (none from the golden cases). */
class RuleTeacherTest {
    static final String SHIPPING = "Um, so the warehouse in Rotterdam shipped 1200 pallets to Lisbon on Tuesday, "
            + "and I mean, the trucks were not late.";
    static final String MEETING = "Well, you know, we should probably move the budget review to March because "
            + "Priya has not finished the forecast for the Oslo office.";

    static RuleTeacher teacher;

    @BeforeAll
    static void loadModelsFromClasspath() {
        // The models come from the opennlp-models jars on the classpath; nothing here can reach a network.
        teacher = new RuleTeacher(TeacherLanguage.ENGLISH, WordRarity.of(List.of(SHIPPING, MEETING)));
    }

    private static double score(String text, String unit) {
        List<String> keys = TextUnits.keys(text);
        int i = keys.indexOf(unit);
        assertTrue(i >= 0, unit + " is not a unit of " + text);
        return teacher.scores(text)[i];
    }

    @Test
    void modelsComeFromJarsOnTheClasspath() {
        for (String name : List.of(TeacherLanguage.ENGLISH.posModelResource(),
                TeacherLanguage.ENGLISH.tokenModelResource())) {
            java.net.URL url = RuleTeacher.class.getClassLoader().getResource(name);
            assertTrue(url != null && url.getProtocol().equals("jar") && url.getPath().contains("opennlp-models-"),
                    name + " at " + url);
        }
    }

    @Test
    void posModelTagsUniversalDependenciesClasses() {
        List<String> tags = teacher.tokens("The cat sat on the mat.").stream().map(RuleTeacher.Token::upos).toList();
        assertEquals(List.of("DET", "NOUN", "VERB", "ADP", "DET", "NOUN", "PUNCT"), tags);
    }

    @Test
    void numbersAndNamesOutrankDeterminersAuxiliariesAndFillers() {
        for (String content : List.of("1200", "rotterdam", "lisbon", "pallets")) {
            for (String function : List.of("the", "were", "um", "so", "and", "to")) {
                assertTrue(score(SHIPPING, content) > score(SHIPPING, function), content + " over " + function);
            }
        }
        assertTrue(score(MEETING, "priya") > score(MEETING, "we"));
        assertTrue(score(MEETING, "march") > score(MEETING, "to"));
        assertTrue(score(MEETING, "budget") > score(MEETING, "has"));
    }

    @Test
    void fillersAndAsidesScoreZeroButNegationsStay() {
        assertEquals(0.0, score(SHIPPING, "um"));
        assertEquals(0.0, score(SHIPPING, "mean"));
        assertEquals(0.0, score(MEETING, "well"));
        assertEquals(0.0, score(MEETING, "know"));
        assertTrue(score(SHIPPING, "not") > score(SHIPPING, "were"));
        assertTrue(score(MEETING, "not") > score(MEETING, "the"));
        // "you know" as an object is content, not an aside
        String plain = "Tell me what you know about the contract.";
        assertTrue(score(plain, "know") > 0.3);
    }

    @Test
    void likeIsAFillerOnlyAsAnAside() {
        String filler = "It was, like, three hours late.";
        String verb = "Customers like the new dashboard.";
        assertEquals(0.0, score(filler, "like"));
        assertTrue(score(verb, "like") > 0.3);
    }

    @Test
    void contractedNegationKeepsBothUnits() {
        String text = "The server doesn't restart after 5 failures.";
        boolean[] keep = teacher.label("t", text, List.of(0.7)).get(0).labels();
        List<String> keys = TextUnits.keys(text);
        assertTrue(keep[keys.indexOf("doesn")] && keep[keys.indexOf("t")], String.valueOf(keys));
        assertTrue(keep[keys.indexOf("5")]);
    }

    @Test
    void labelsAtRateKeepRoundedShareOfUnits() {
        for (String text : List.of(SHIPPING, MEETING)) {
            int n = TextUnits.split(text).size();
            for (LabeledText labeled : teacher.label("x", text, List.of(0.0, 0.3, 0.5, 0.7, 1.0))) {
                double rate = Double.parseDouble(labeled.id().substring(2));
                assertEquals(Math.round(rate * n), labeled.keptCount(), labeled.id());
                assertEquals(n, labeled.units().size());
                assertEquals("en", labeled.language());
            }
        }
    }

    @Test
    void higherRateKeepsASuperset() {
        List<LabeledText> labeled = teacher.label("x", MEETING, List.of(0.3, 0.5, 0.7));
        for (int r = 1; r < labeled.size(); r++) {
            boolean[] lower = labeled.get(r - 1).labels();
            boolean[] higher = labeled.get(r).labels();
            for (int i = 0; i < lower.length; i++) {
                assertTrue(!lower[i] || higher[i], "unit " + i + " kept at the lower rate but not the higher");
            }
        }
    }

    @Test
    void deterministicAcrossInstances() {
        RuleTeacher other = new RuleTeacher(TeacherLanguage.ENGLISH, WordRarity.of(List.of(SHIPPING, MEETING)));
        assertArrayEquals(teacher.scores(MEETING), other.scores(MEETING));
        assertArrayEquals(teacher.scores(SHIPPING), teacher.scores(SHIPPING));
    }

    @Test
    void scoresLieInUnitInterval() {
        for (double s : teacher.scores(SHIPPING + "\n" + MEETING)) {
            assertTrue(s >= 0 && s <= 1, String.valueOf(s));
        }
    }

    @Test
    void tiesGoToTheEarlierUnit() {
        assertArrayEquals(new boolean[] {true, false, true, false},
                RuleTeacher.keepTop(new double[] {0.5, 0.2, 0.5, 0.5}, 0.5));
    }

    @Test
    void interrogativesOfAQuestionScoreAsVerbsAndTurnsStartAfterAColon() {
        String question = "How many tickets did the museum sell in May?";
        String statement = "The museum sold tickets how the guide suggested.";
        assertTrue(score(question, "how") > score(statement, "how"));
        assertTrue(score(question, "how") > score(question, "did"));
        assertEquals(0.0, score("Speaker 2: Well, the museum opened at 9.", "well"));
    }
}
