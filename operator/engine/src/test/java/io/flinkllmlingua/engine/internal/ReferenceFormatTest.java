package io.flinkllmlingua.engine.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Spec §3.3 (statistics strings, Python "{:.1f}") and §7.8 C. */
class ReferenceFormatTest {

    /** §7.8 C: 98 original, 30 compressed ⇒ "3.3x", "30.6%", ", Saving $0.0 in GPT-4.". */
    @Test
    void workedExampleC() {
        double ratio = ReferenceFormat.ratio(98, 30);
        assertEquals(98.0 / 30, ratio);
        assertEquals("3.3x", ReferenceFormat.ratioText(ratio));
        assertEquals("30.6%", ReferenceFormat.rateText(ratio));
        assertEquals(", Saving $0.0 in GPT-4.", ReferenceFormat.savingText(98, 30));
    }

    /** The other golden rows of §10 (origin, compressed, ratio, rate). */
    @ParameterizedTest(name = "{0}/{1} -> {2} {3}")
    @CsvSource({
        "98, 34, 2.9x, 34.7%",
        "422, 203, 2.1x, 48.1%",
        "464, 154, 3.0x, 33.2%",
        "726, 161, 4.5x, 22.2%",
        "8389, 870, 9.6x, 10.4%"
    })
    void goldenStatistics(int origin, int compressed, String ratioText, String rateText) {
        double ratio = ReferenceFormat.ratio(origin, compressed);
        assertEquals(ratioText, ReferenceFormat.ratioText(ratio));
        assertEquals(rateText, ReferenceFormat.rateText(ratio));
    }

    /**
     * Python rounds the exact binary value half-to-even: 2.25 and 0.25 are exact ties (→ even digit), 0.15 and
     * 0.35 are stored slightly below the tie (0.1499999…, 0.3499999…), 0.45 and 0.05 slightly above.
     * Java's String.format would give "2.3", "0.2", "0.3", "0.4" for the first four.
     */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "2.25, 2.2",
        "0.15, 0.1",
        "0.25, 0.2",
        "0.35, 0.3",
        "0.45, 0.5",
        "0.05, 0.1",
        "2.75, 2.8",
        "0.0, 0.0",
        "1.0, 1.0",
        "100.0, 100.0",
        "-0.05, -0.1",
        "-2.25, -2.2"
    })
    void pythonOneDecimal(double x, String expected) {
        assertEquals(expected, ReferenceFormat.oneDecimal(x));
    }

    /** Python prints a small negative value (and negative zero) rounded to zero as "-0.0". */
    @Test
    void negativeZero() {
        assertEquals("-0.0", ReferenceFormat.oneDecimal(-0.0));
        assertEquals("-0.0", ReferenceFormat.oneDecimal(-6e-05));
        assertEquals("-0.0", ReferenceFormat.oneDecimal(-0.04));
        // compressed larger than origin: (98 - 99) * 0.06 / 1000 = -6e-05
        assertEquals(", Saving $-0.0 in GPT-4.", ReferenceFormat.savingText(98, 99));
    }

    @Test
    void savingRoundsOnExactValue() {
        // (1098 - 98) * 0.06 / 1000 = 0.06 → "0.1"; (16766 - 99) * 0.06 / 1000 = 1.00002 → "1.0"
        assertEquals(", Saving $0.1 in GPT-4.", ReferenceFormat.savingText(1098, 98));
        assertEquals(", Saving $1.0 in GPT-4.", ReferenceFormat.savingText(16_766, 99));
    }

    /** §3.3: ratio is 1 when nothing is left, so "1.0x" and "100.0%". */
    @Test
    void ratioOneWhenCompressedIsZero() {
        double ratio = ReferenceFormat.ratio(98, 0);
        assertEquals(1.0, ratio);
        assertEquals("1.0x", ReferenceFormat.ratioText(ratio));
        assertEquals("100.0%", ReferenceFormat.rateText(ratio));
        assertEquals(", Saving $0.0 in GPT-4.", ReferenceFormat.savingText(98, 0));
        assertEquals(1.0, ReferenceFormat.ratio(0, 0));
    }

    /** rate = (1 / ratio) * 100 in that order (not compressed / origin * 100). */
    @Test
    void rateIsComputedFromRatio() {
        double ratio = ReferenceFormat.ratio(98, 30);
        assertEquals((1.0 / ratio) * 100, ReferenceFormat.ratePercent(ratio));
        assertEquals(30.612244897959183, ReferenceFormat.ratePercent(ratio));
    }
}
