package io.flinkllmlingua.training.teacher;

import io.flinkllmlingua.training.LabeledText;
import io.flinkllmlingua.training.TextUnits;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import opennlp.tools.postag.POSModel;
import opennlp.tools.postag.POSTagFormat;
import opennlp.tools.postag.POSTaggerME;
import opennlp.tools.tokenize.TokenizerME;
import opennlp.tools.tokenize.TokenizerModel;
import opennlp.tools.util.Span;

/**
 * A rule teacher that imitates the compressions LLMLingua-2 was distilled from (Pan et al. 2024, "Data
 * Distillation"): GPT-4 was told to remove unimportant words only, without reordering, changing, abbreviating or
 * adding any; what it kept were content words (numbers, names, nouns, main verbs, adjectives, negations) and what it
 * dropped were fillers, articles, auxiliaries, most prepositions, pronouns, conjunctions and discourse markers. This
 * class gives every {@link TextUnits unit} a score in [0, 1] from three sources, and a rate's labels keep the top
 * units by score. It is a demo teacher, not LLMLingua-2.
 *
 * <p><b>Word class</b> (weight {@value #CLASS_WEIGHT}): the unit's Universal Dependencies POS tag from Apache
 * OpenNLP, through a fixed prior ({@link #classPrior}). The ordering follows what a compressor must keep for the
 * text to still answer questions: numbers and names are the facts a reader cannot recover (1.0, 0.95); nouns carry
 * the topic (0.85); negations flip a statement and are scored as their own class above verbs (0.8); verbs and
 * adjectives say what happens and which (0.7); symbols and unknown tokens are often identifiers (0.5); adverbs are
 * mostly degree and manner (0.4); pronouns, prepositions and interjections (0.2), auxiliaries and subordinators
 * (0.15), conjunctions and particles (0.1) and determiners (0.05) are what the paper's compressions drop. A token
 * with a digit is a number whatever its tag; a contraction tagged "AUX+PART" takes the higher of its classes.
 *
 * <p><b>Rarity</b> (weight {@value #RARITY_WEIGHT}): {@link WordRarity}, −log frequency over the corpus being
 * labelled. Within a class a rare word carries more information than a common one ("ssh-agent" over "use").
 *
 * <p><b>Rules</b>: hesitation sounds ("um", "uh"), the asides "you know", "I mean" and the like, hedges ("kind of"),
 * sentence-initial (or turn-initial, after a colon) discourse markers before a comma ("Well, ...") and "like" as a
 * filler score 0, since the paper's instruction names exactly such words as removable; an interrogative in a
 * question scores as a verb at least ({@value #QUESTION_WORD_PRIOR}), since it says what is asked; a repeated unit loses {@value #REPEAT_PENALTY} per earlier
 * mention in the same text (at most {@value #MAX_REPEAT_PENALTY}), since a compressor can drop what the reader
 * already has.
 *
 * <p>Deterministic: the same text and rarity table give the same scores; ties in {@link #keepTop} go to the earlier
 * unit. Not thread-safe (OpenNLP's taggers keep state); use one instance per thread.
 */
public final class RuleTeacher {
    static final double CLASS_WEIGHT = 0.7;
    static final double RARITY_WEIGHT = 0.3;
    static final double REPEAT_PENALTY = 0.04;
    static final double MAX_REPEAT_PENALTY = 0.12;
    /** The prior of a negation, a class of its own (UD tags "not" PART, "no" DET, "never" ADV). */
    static final double NEGATION_PRIOR = 0.8;
    private static final double NUMBER_PRIOR = 1.0;
    /** An interrogative in a question names what is asked ("how many", "when"): at least a verb's prior. */
    static final double QUESTION_WORD_PRIOR = 0.7;

    private final TeacherLanguage language;
    private final WordRarity rarity;
    private final TokenizerME tokenizer;
    private final POSTaggerME tagger;

    public RuleTeacher(TeacherLanguage language, WordRarity rarity) {
        this.language = language;
        this.rarity = rarity;
        try (InputStream tokens = resource(language.tokenModelResource());
                InputStream pos = resource(language.posModelResource())) {
            this.tokenizer = new TokenizerME(new TokenizerModel(tokens));
            this.tagger = new POSTaggerME(new POSModel(pos), POSTagFormat.UD);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the OpenNLP models of " + language.tag(), e);
        }
    }

    public TeacherLanguage language() {
        return language;
    }

    /** The prior of a UPOS tag: the documented ordering of the class comment. */
    static double classPrior(String upos) {
        return switch (upos) {
            case "NUM" -> NUMBER_PRIOR;
            case "PROPN" -> 0.95;
            case "NOUN" -> 0.85;
            case "VERB", "ADJ" -> 0.7;
            case "SYM", "X" -> 0.5;
            case "ADV" -> 0.4;
            case "PRON", "ADP", "INTJ" -> 0.2;
            case "AUX", "SCONJ" -> 0.15;
            case "CCONJ", "PART" -> 0.1;
            case "DET" -> 0.05;
            default -> 0.0; // PUNCT
        };
    }

    /** A token of a sentence: its span in the whole text, its UPOS tag, its prior, whether a rule drops it. */
    record Token(int start, int end, String upos, double prior, boolean filler) {}

    /** The tagged tokens of {@code text}, sentence by sentence. */
    List<Token> tokens(String text) {
        List<Token> out = new ArrayList<>();
        for (TextUnits.Span sentence : Sentences.split(text, language.abbreviations())) {
            String s = sentence.of(text);
            Span[] spans = tokenizer.tokenizePos(s);
            String[] words = Span.spansToStrings(spans, s);
            String[] keys = new String[words.length];
            for (int i = 0; i < words.length; i++) {
                keys[i] = TextUnits.key(words[i]);
            }
            String[] tags = tagger.tag(words);
            boolean[] filler = fillers(keys, tags);
            boolean question = s.endsWith("?");
            for (int i = 0; i < spans.length; i++) {
                double prior;
                if (keys[i].chars().anyMatch(Character::isDigit)) {
                    prior = NUMBER_PRIOR;
                } else if (isNegation(keys[i])) {
                    prior = NEGATION_PRIOR;
                } else {
                    prior = 0;
                    for (String upos : tags[i].split("\\+")) { // a contraction is tagged "AUX+PART"
                        prior = Math.max(prior, classPrior(upos));
                    }
                    if (question && language.questionWords().contains(keys[i])) {
                        prior = Math.max(prior, QUESTION_WORD_PRIOR);
                    }
                }
                out.add(new Token(sentence.start() + spans[i].getStart(), sentence.start() + spans[i].getEnd(),
                        tags[i], prior, filler[i]));
            }
        }
        return out;
    }

    private boolean isNegation(String key) {
        return language.negations().contains(key)
                || language.negationSuffixes().stream().anyMatch(key::endsWith);
    }

    private boolean[] fillers(String[] keys, String[] tags) {
        int n = keys.length;
        boolean[] out = new boolean[n];
        boolean atStart = true; // only punctuation and fillers so far: "Um, so, ..." starts with "so"
        for (int i = 0; i < n; i++) {
            if (i > 0 && keys[i - 1].equals(":")) {
                atStart = true; // "Speaker 2: Well, ..." starts the quoted turn anew
            } else if (i > 0 && !out[i - 1] && !TextUnits.split(keys[i - 1]).isEmpty()) {
                atStart = false;
            }
            if (language.fillers().contains(keys[i])) {
                out[i] = true;
            }
            boolean commaBefore = i > 0 && keys[i - 1].equals(",");
            boolean commaAfter = i + 1 < n && keys[i + 1].equals(",");
            if (atStart && commaAfter && language.discourseMarkers().contains(keys[i])) {
                out[i] = true;
            }
            if (language.asideFillers().contains(keys[i])
                    && (tags[i].equals("INTJ") || (commaBefore && commaAfter))) {
                out[i] = true;
            }
            for (List<String> phrase : language.parentheticals()) {
                if (matches(keys, i, phrase)) {
                    int after = i + phrase.size();
                    boolean asideBefore = atStart || commaBefore;
                    boolean asideAfter = after == n || isBoundary(keys[after]);
                    if (after < n && keys[after].equals(",") || asideBefore && asideAfter) {
                        Arrays.fill(out, i, after, true);
                    }
                }
            }
            for (List<String> phrase : language.hedges()) {
                if (matches(keys, i, phrase)) {
                    boolean nounUse = i > 0 && Set.of("DET", "ADJ", "PRON", "NUM").contains(tags[i - 1]);
                    if (!nounUse) {
                        Arrays.fill(out, i, i + phrase.size(), true);
                    }
                }
            }
        }
        return out;
    }

    private static boolean isBoundary(String key) {
        return key.equals(",") || key.equals(".") || key.equals("?") || key.equals("!") || key.equals(";");
    }

    private static boolean matches(String[] keys, int at, List<String> phrase) {
        if (at + phrase.size() > keys.length) {
            return false;
        }
        for (int j = 0; j < phrase.size(); j++) {
            if (!keys[at + j].equals(phrase.get(j))) {
                return false;
            }
        }
        return true;
    }

    /** One score in [0, 1] per unit of {@code text} ({@link TextUnits#split}), higher = keep first. */
    public double[] scores(String text) {
        List<TextUnits.Span> units = TextUnits.split(text);
        List<Token> tokens = tokens(text);
        double[] out = new double[units.size()];
        Map<String, Integer> seen = new HashMap<>();
        int t = 0;
        for (int u = 0; u < units.size(); u++) {
            TextUnits.Span unit = units.get(u);
            while (t < tokens.size() && tokens.get(t).end() <= unit.start()) {
                t++;
            }
            double prior = -1;
            boolean anyToken = false;
            for (int k = t; k < tokens.size() && tokens.get(k).start() < unit.end(); k++) {
                anyToken = true;
                if (!tokens.get(k).filler()) {
                    prior = Math.max(prior, tokens.get(k).prior());
                }
            }
            String key = TextUnits.key(unit.of(text));
            int earlier = seen.merge(key, 1, Integer::sum) - 1;
            if (anyToken && prior < 0) {
                out[u] = 0.0; // every token under the unit is a filler
                continue;
            }
            if (!anyToken) {
                prior = classPrior("X");
            }
            double score = CLASS_WEIGHT * prior + RARITY_WEIGHT * rarity.of(key)
                    - Math.min(MAX_REPEAT_PENALTY, REPEAT_PENALTY * earlier);
            out[u] = Math.max(0.0, Math.min(1.0, score));
        }
        return out;
    }

    /**
     * Keeps the {@code Math.round(rate * n)} units with the highest scores; equal scores go to the earlier unit.
     */
    public static boolean[] keepTop(double[] scores, double rate) {
        if (!(rate >= 0 && rate <= 1)) {
            throw new IllegalArgumentException("rate must be in [0, 1], got " + rate);
        }
        int n = scores.length;
        int keep = (int) Math.round(rate * n);
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.<Integer>comparingDouble(i -> -scores[i]).thenComparingInt(i -> i));
        boolean[] out = new boolean[n];
        for (int i = 0; i < keep; i++) {
            out[order[i]] = true;
        }
        return out;
    }

    /**
     * One labelled copy of {@code text} per rate, keeping the top share of units by score: a student trained on the
     * binary labels of several rates sees each unit kept at the rates its score clears, so it learns a graded score
     * and can be run at any rate. Ids get {@code @<rate>}.
     */
    public List<LabeledText> label(String id, String text, List<Double> rates) {
        double[] scores = scores(text);
        List<LabeledText> out = new ArrayList<>(rates.size());
        for (double rate : rates) {
            out.add(LabeledText.of(id + "@" + rate, language.tag(), text, keepTop(scores, rate)));
        }
        return out;
    }

    /** The kept units of {@code labeled} joined by spaces: the teacher's own compression, for reading. */
    public static String compressed(LabeledText labeled) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < labeled.units().size(); i++) {
            if (labeled.units().get(i).keep()) {
                if (!sb.isEmpty()) {
                    sb.append(' ');
                }
                sb.append(labeled.unitText(i));
            }
        }
        return sb.toString();
    }

    private static InputStream resource(String name) throws IOException {
        InputStream in = RuleTeacher.class.getClassLoader().getResourceAsStream(name);
        if (in == null) {
            throw new IOException("OpenNLP model " + name + " is not on the classpath (add its opennlp-models jar)");
        }
        return in;
    }
}
