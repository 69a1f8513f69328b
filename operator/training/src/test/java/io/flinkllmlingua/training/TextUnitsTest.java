package io.flinkllmlingua.training;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TextUnitsTest {
    private static List<String> units(String text) {
        return TextUnits.split(text).stream().map(s -> s.of(text)).toList();
    }

    @Test
    void punctuationAndSpacesAreNotUnits() {
        assertEquals(List.of("John", "So", "I", "ve", "been", "10", "minute", "1", "5"),
                units("John: So, I've been... 10-minute (1.5)!"));
    }

    @Test
    void eachHanCharacterIsAUnitAndLatinRunsInsideStayWhole() {
        assertEquals(List.of("有", "关", "Perl", "的", "问", "题", "2003"), units("有关 Perl 的问题（2003）"));
    }

    @Test
    void combiningMarksStayInsideTheirWordAndSupplementaryLettersCount() {
        assertEquals(List.of("cafe\u0301", "𝐀𝐁"), units("cafe\u0301 -- 𝐀𝐁."));
        List<TextUnits.Span> spans = TextUnits.split("a 𝐀𝐁 b");
        assertEquals(new TextUnits.Span(2, 6), spans.get(1));
    }

    @Test
    void keysFoldCaseAndWidth() {
        assertEquals(TextUnits.key("２月"), TextUnits.key("2月"));
        assertEquals("project", TextUnits.key("PROJECT"));
    }
}
