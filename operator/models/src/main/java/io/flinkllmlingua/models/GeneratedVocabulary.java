package io.flinkllmlingua.models;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * The deterministic built-in vocabulary of the generated tokenizers: printable ASCII, Latin-1, Latin Extended-A and
 * Extended Additional, Greek, Cyrillic, general punctuation and common symbols, box drawing, CJK punctuation, kana,
 * the whole CJK Unified Ideographs block, a Hangul subset, full-width forms, two-digit numbers and a hand-written list
 * of common English and documentation words (with capitalised forms, {@code ##}/{@code ▁} variants and suffixes).
 */
final class GeneratedVocabulary {
    static final String METASPACE = "\u2581";
    static final String WORDPIECE_PREFIX = "##";

    static final List<String> WORDPIECE_SPECIALS = List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]");
    static final int WP_PAD = 0;
    static final int WP_UNK = 100;
    static final int WP_CLS = 101;
    static final int WP_SEP = 102;
    static final int WP_MASK = 103;

    static final int SP_BOS = 0;
    static final int SP_PAD = 1;
    static final int SP_EOS = 2;
    static final int SP_UNK = 3;

    /** Suffix pieces, as {@code ##suffix} (WordPiece) or bare (Unigram, after a {@code ▁word}). */
    private static final List<String> SUFFIXES = List.of(
            "s", "es", "ed", "d", "ing", "er", "ers", "est", "ly", "ion", "ions", "ation", "ations", "tion", "tions",
            "ment", "ments", "ness", "able", "ible", "al", "ally", "ity", "ive", "ize", "ized", "izes", "ise", "ised",
            "ful", "less", "ous", "ic", "ical", "ies", "ied", "y", "e", "en", "ence", "ance", "ant", "ent", "ist",
            "ism", "ure", "ary", "ory", "ship", "ward", "wise", "'s", "n't");

    /** Hangul final-consonant indexes left out (rare clusters ㄳ ㄼ ㄽ ㄾ ㄿ): the kept subset covers ordinary text. */
    private static final int[] RARE_HANGUL_FINALS = {3, 11, 12, 13, 14};

    private final List<String> pieces;
    private final double[] scores;
    private final int naturalSize;

    private GeneratedVocabulary(List<String> pieces, double[] scores, int naturalSize) {
        this.pieces = Collections.unmodifiableList(pieces);
        this.scores = scores;
        this.naturalSize = naturalSize;
    }

    /** Pieces in id order. */
    List<String> pieces() {
        return pieces;
    }

    /** Unigram log-probabilities in id order (null for WordPiece). */
    double[] scores() {
        return scores;
    }

    int size() {
        return pieces.size();
    }

    /** Size before padding with filler pieces. */
    int naturalSize() {
        return naturalSize;
    }

    static GeneratedVocabulary of(GeneratedFamily family, int targetSize) {
        return family == GeneratedFamily.WORDPIECE ? wordPiece(targetSize) : unigram(targetSize);
    }

    /**
     * mBERT layout: {@code [PAD]}=0, {@code [unused1..99]}, {@code [UNK]}=100, {@code [CLS]}=101, {@code [SEP]}=102,
     * {@code [MASK]}=103, then the pieces.
     */
    static GeneratedVocabulary wordPiece(int targetSize) {
        Pieces p = new Pieces();
        p.add("[PAD]", 0);
        for (int i = 1; i < WP_UNK; i++) {
            p.add("[unused" + i + "]", 0);
        }
        p.add("[UNK]", 0);
        p.add("[CLS]", 0);
        p.add("[SEP]", 0);
        p.add("[MASK]", 0);
        for (int cp : characters()) {
            p.add(new String(Character.toChars(cp)), 0);
        }
        for (int cp : characters()) {
            if (!isCjkIdeograph(cp)) { // the normaliser isolates ideographs, so they never continue a word
                p.add(WORDPIECE_PREFIX + new String(Character.toChars(cp)), 0);
            }
        }
        for (int i = 0; i < 100; i++) {
            String two = String.format(Locale.ROOT, "%02d", i);
            p.add(two, 0);
            p.add(WORDPIECE_PREFIX + two, 0);
        }
        for (String w : words()) {
            if (!w.chars().allMatch(c -> (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
                continue; // BertPreTokenizer splits at apostrophes: such a piece could never match
            }
            p.add(w, 0);
            p.add(capitalise(w), 0);
            if (w.length() >= 2) {
                p.add(WORDPIECE_PREFIX + w, 0);
            }
        }
        for (String s : SUFFIXES) {
            if (Character.isLetter(s.charAt(0))) {
                p.add(WORDPIECE_PREFIX + s, 0);
            }
        }
        int natural = p.size();
        for (int n = WP_UNK; p.size() < targetSize; n++) {
            p.add("[unused" + n + "]", 0); // BertPreTokenizer splits at '[': filler never matches text
        }
        return p.build(natural, targetSize, false);
    }

    /**
     * XLM-R layout: {@code <s>}=0, {@code <pad>}=1, {@code </s>}=2, {@code <unk>}=3, the pieces, {@code <mask>} last.
     * Scores make whole words beat word + suffix, which beats characters:
     * {@code ▁word} -8.5, {@code ▁Word} -9.5, suffix -10, bare word -10.5, two digits -11, ASCII character -12,
     * other characters -12.5 to -13.5; {@code ▁} alone -3.
     */
    static GeneratedVocabulary unigram(int targetSize) {
        Pieces p = new Pieces();
        p.add("<s>", 0);
        p.add("<pad>", 0);
        p.add("</s>", 0);
        p.add("<unk>", 0);
        p.add(METASPACE, -3.0);
        List<String> words = words();
        for (String w : words) {
            p.add(METASPACE + w, -8.5);
        }
        for (String w : words) {
            p.add(METASPACE + capitalise(w), -9.5);
        }
        for (String s : SUFFIXES) {
            p.add(s, -10.0);
        }
        for (String w : words) {
            p.add(w, -10.5);
        }
        for (int i = 0; i < 100; i++) {
            p.add(String.format(Locale.ROOT, "%02d", i), -11.0);
        }
        for (int cp : characters()) {
            double score = cp < 0x80 ? -12.0 : cp < 0x2000 ? -12.5 : cp < 0x3400 ? -13.0 : -13.5;
            p.add(new String(Character.toChars(cp)), score);
        }
        int natural = p.size() + 1; // + <mask>
        for (int n = 0; p.size() < targetSize - 1; n++) {
            p.add("<unused" + n + ">", -100.0);
        }
        p.add("<mask>", 0);
        return p.build(natural, targetSize, true);
    }

    /** Code points with a piece of their own, in id order. */
    static List<Integer> characters() {
        List<Integer> cps = new ArrayList<>();
        range(cps, 0x21, 0x7E);                 // printable ASCII (space excluded: it separates words)
        range(cps, 0xA1, 0xAC);                 // Latin-1 symbols (U+00AD soft hyphen is removed by clean_text)
        range(cps, 0xAE, 0xFF);                 // Latin-1 symbols and letters
        range(cps, 0x100, 0x17F);               // Latin Extended-A
        range(cps, 0x386, 0x386);               // Greek letters, with tonos and dialytika
        range(cps, 0x388, 0x38A);
        range(cps, 0x38C, 0x38C);
        range(cps, 0x38E, 0x3A1);
        range(cps, 0x3A3, 0x3CE);
        range(cps, 0x400, 0x45F);               // Cyrillic
        range(cps, 0x1E00, 0x1EFF);             // Latin Extended Additional (Vietnamese and others)
        range(cps, 0x2010, 0x2027);             // dashes, quotes, bullets, ellipsis
        range(cps, 0x2030, 0x205E);             // per mille, primes, guillemets, ...
        range(cps, 0x20A0, 0x20BF);             // currency signs
        cps.add(0x2103);                        // ℃
        cps.add(0x2116);                        // №
        cps.add(0x2122);                        // ™
        range(cps, 0x2190, 0x21FF);             // arrows
        range(cps, 0x2200, 0x22FF);             // mathematical operators
        range(cps, 0x2460, 0x2473);             // circled numbers ①..⑳
        range(cps, 0x2500, 0x257F);             // box drawing (tables in manual pages)
        range(cps, 0x25A0, 0x25FF);             // geometric shapes (■ ● ○ ◆ ...)
        range(cps, 0x3001, 0x303F);             // CJK symbols and punctuation: 、。〈〉《》「」『』【】〜
        range(cps, 0x3041, 0x3096);             // hiragana
        range(cps, 0x309B, 0x30FF);             // kana marks, katakana, ・ and ー
        range(cps, 0x4E00, 0x9FFF);             // CJK Unified Ideographs
        for (int s = 0xAC00; s <= 0xD7A3; s++) { // Hangul syllables without the rarest final clusters
            int fin = (s - 0xAC00) % 28;
            boolean rare = false;
            for (int r : RARE_HANGUL_FINALS) {
                rare |= fin == r;
            }
            if (!rare) {
                cps.add(s);
            }
        }
        range(cps, 0xFF01, 0xFF5E);             // full-width forms: ！（），：；？ and letters
        return cps;
    }

    static boolean isCjkIdeograph(int cp) {
        return cp >= 0x4E00 && cp <= 0x9FFF;
    }

    private static void range(List<Integer> out, int from, int toInclusive) {
        for (int c = from; c <= toInclusive; c++) {
            out.add(c);
        }
    }

    /** The built-in word list, deduplicated and sorted (so the file's order does not matter). */
    static List<String> words() {
        TreeSet<String> set = new TreeSet<>();
        try (InputStream in = GeneratedVocabulary.class.getResourceAsStream("english-words.txt")) {
            if (in == null) {
                throw new IllegalStateException("english-words.txt missing from the classpath");
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                line = line.strip();
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                for (String w : line.split("\\s+")) {
                    set.add(w);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new ArrayList<>(set);
    }

    private static String capitalise(String w) {
        return w.substring(0, 1).toUpperCase(Locale.ROOT) + w.substring(1);
    }

    /** Insertion-ordered, first occurrence wins. */
    private static final class Pieces {
        private final Map<String, Double> map = new LinkedHashMap<>();

        void add(String piece, double score) {
            map.putIfAbsent(piece, score);
        }

        int size() {
            return map.size();
        }

        GeneratedVocabulary build(int natural, int targetSize, boolean withScores) {
            if (targetSize > 0 && map.size() != targetSize) {
                throw new IllegalArgumentException("vocabSize " + targetSize + " is smaller than the built-in vocabulary ("
                        + natural + " pieces); use 0 or at least " + natural);
            }
            List<String> list = new ArrayList<>(map.keySet());
            double[] s = null;
            if (withScores) {
                s = new double[list.size()];
                int i = 0;
                for (double v : map.values()) {
                    s[i++] = v;
                }
            }
            return new GeneratedVocabulary(list, s, natural);
        }
    }
}
