package io.flinkllmlingua.training.teacher;

import java.util.List;
import java.util.Set;

/**
 * What the rule teacher needs to know about one language: its OpenNLP models (Universal Dependencies tokens and UPOS
 * tags, so the class ordering of {@link RuleTeacher} applies unchanged) and its word lists. Adding a language is one
 * more constant here plus its {@code opennlp-models-pos-<lang>} and {@code opennlp-models-tokenizer-<lang>} jars.
 * Every word is in {@link io.flinkllmlingua.training.TextUnits#key} form (NFKC, lower case).
 *
 * @param tag                 BCP 47 tag written into the labelled texts
 * @param posModelResource    classpath name of the OpenNLP POS model (UD tag set)
 * @param tokenModelResource  classpath name of the OpenNLP tokenizer model (the tokenisation the POS model was trained on)
 * @param fillers             hesitation sounds, dropped wherever they occur
 * @param parentheticals      multi-word fillers, dropped when set off as an aside: a comma after ("I mean, ..."), or
 *                            a sentence start or comma before and a sentence end or comma after ("..., you know.")
 * @param hedges              "kind of" hedges, dropped unless their first word follows a determiner or adjective
 *                            (then it is the noun: "a kind of file")
 * @param discourseMarkers    dropped at the start of a sentence when a comma follows ("Well, ...", "So, ...")
 * @param asideFillers        dropped when set off by commas or tagged INTJ ("like" as a filler)
 * @param negations           words that flip a statement; scored as their own class, above verbs
 * @param negationSuffixes    endings that make a token a negation ("doesn't", which the tokenizer keeps whole)
 * @param questionWords       interrogatives; in a sentence ending with "?" they name what is asked, so they score
 *                            as a verb at least
 * @param abbreviations       words that a full stop after does not end a sentence ("e.g.", "Dr.")
 */
public record TeacherLanguage(
        String tag,
        String posModelResource,
        String tokenModelResource,
        Set<String> fillers,
        List<List<String>> parentheticals,
        List<List<String>> hedges,
        Set<String> discourseMarkers,
        Set<String> asideFillers,
        Set<String> negations,
        Set<String> negationSuffixes,
        Set<String> questionWords,
        Set<String> abbreviations) {

    /**
     * English, with the UD English-EWT models of Apache OpenNLP 2.5.4. "n't" is the tokenizer's form of the negation
     * in "don't"; "yes" and "no" are not discourse markers since an answer's polarity is content.
     */
    public static final TeacherLanguage ENGLISH = new TeacherLanguage(
            "en",
            "opennlp-en-ud-ewt-pos-1.3-2.5.4.bin",
            "opennlp-en-ud-ewt-tokens-1.3-2.5.4.bin",
            Set.of("um", "umm", "uh", "uhm", "uhh", "erm", "er", "ah", "hmm", "hm", "mm", "mhm", "huh"),
            List.of(List.of("you", "know"), List.of("i", "mean"), List.of("you", "see"),
                    List.of("i", "guess"), List.of("i", "think")),
            List.of(List.of("kind", "of"), List.of("sort", "of")),
            Set.of("well", "so", "okay", "ok", "oh", "now", "anyway", "anyways", "actually", "basically",
                    "right", "yeah", "alright", "look", "listen", "honestly", "like"),
            Set.of("like", "basically", "literally", "actually", "really"),
            Set.of("not", "n't", "no", "never", "nor", "neither", "none", "nothing", "nobody", "nowhere",
                    "cannot", "without"),
            Set.of("n't", "n’t"),
            Set.of("what", "which", "who", "whom", "whose", "when", "where", "why", "how"),
            Set.of("e.g", "i.e", "etc", "vs", "cf", "mr", "mrs", "ms", "dr", "prof", "st", "no", "fig", "eq",
                    "approx", "inc", "ltd", "jr", "sr", "a.m", "p.m", "u.s", "al", "resp", "viz", "ca"));
}
