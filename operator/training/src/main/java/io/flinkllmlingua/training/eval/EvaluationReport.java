package io.flinkllmlingua.training.eval;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@link Evaluator} measured: per text and per language. The headline is the micro average over units
 * (summed counts of all texts of a language), so a long text weighs by its words; the macro average (mean of the
 * texts' F1) is reported beside it.
 *
 * @param model      the model directory, or null when only the baselines ran
 * @param references where the reference labels come from
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EvaluationReport(String model, String references, int randomDraws, long randomSeed,
                               List<TextResult> texts, List<LanguageResult> languages) {

    /**
     * One text.
     *
     * @param kept              the reference's kept count: every method keeps this many
     * @param unitsWithoutToken units no token of the model's tokenizer overlaps (scored 0); null without a model
     * @param classUnits        the text's units per class
     * @param metrics           per method ({@value Evaluator#MODEL}, {@value Evaluator#RANDOM}, {@value Evaluator#STOPWORD})
     * @param keptByClass       per method and {@value Evaluator#REFERENCE}: kept units per class
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record TextResult(String id, String language, int units, int kept, Integer unitsWithoutToken,
                             ClassCounts classUnits, Map<String, KeepMetrics> metrics,
                             Map<String, ClassCounts> keptByClass) {
        @JsonProperty("keptShares")
        public Map<String, ClassCounts.Shares> keptShares() {
            Map<String, ClassCounts.Shares> out = new LinkedHashMap<>();
            keptByClass.forEach((m, c) -> out.put(m, c.shareOf(classUnits)));
            return out;
        }
    }

    /**
     * One language's texts together.
     *
     * @param micro   per method: the summed counts (headline: their F1)
     * @param macroF1 per method: the mean of the texts' F1
     * @param keptShares per method and the reference: share of the language's numbers, entities, content words kept
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record LanguageResult(String language, int texts, int units, int kept, Integer unitsWithoutToken,
                                 Map<String, KeepMetrics> micro, Map<String, Double> macroF1,
                                 ClassCounts classUnits, Map<String, ClassCounts.Shares> keptShares) {
        public double microF1(String method) {
            return micro.get(method).f1();
        }
    }

    static EvaluationReport of(String model, String references, int draws, long seed, List<TextResult> texts) {
        Map<String, List<TextResult>> byLanguage = new LinkedHashMap<>();
        for (TextResult t : texts) {
            byLanguage.computeIfAbsent(t.language(), l -> new ArrayList<>()).add(t);
        }
        List<LanguageResult> languages = new ArrayList<>();
        byLanguage.forEach((language, ts) -> {
            int units = 0;
            int kept = 0;
            Integer without = null;
            ClassCounts classUnits = ClassCounts.ZERO;
            Map<String, KeepMetrics> micro = new LinkedHashMap<>();
            Map<String, Double> macro = new LinkedHashMap<>();
            Map<String, ClassCounts> keptByClass = new LinkedHashMap<>();
            for (TextResult t : ts) {
                units += t.units();
                kept += t.kept();
                if (t.unitsWithoutToken() != null) {
                    without = (without == null ? 0 : without) + t.unitsWithoutToken();
                }
                classUnits = classUnits.plus(t.classUnits());
                t.metrics().forEach((m, v) -> {
                    micro.merge(m, v, KeepMetrics::plus);
                    macro.merge(m, v.f1() / ts.size(), Double::sum);
                });
                t.keptByClass().forEach((m, c) -> keptByClass.merge(m, c, ClassCounts::plus));
            }
            Map<String, ClassCounts.Shares> shares = new LinkedHashMap<>();
            ClassCounts totals = classUnits;
            keptByClass.forEach((m, c) -> shares.put(m, c.shareOf(totals)));
            languages.add(new LanguageResult(language, ts.size(), units, kept, without, micro, macro, classUnits,
                    shares));
        });
        return new EvaluationReport(model, references, draws, seed, List.copyOf(texts), List.copyOf(languages));
    }

    public LanguageResult language(String language) {
        return languages.stream().filter(l -> l.language().equals(language)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no texts in language " + language));
    }

    public String toJson() {
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the report as JSON", e);
        }
    }

    /** Three tables: F1 per language, the downstream view per language, F1 per text. */
    public String toMarkdown() {
        List<String> methods = methods();
        StringBuilder sb = new StringBuilder();
        sb.append("Keep-decision F1 against ").append(references).append(" at the reference's rate")
                .append(model == null ? " (baselines only)" : " for " + model)
                .append("; micro over units (headline) / macro over texts; random = mean of ").append(randomDraws)
                .append(" seeded draws.\n\n");
        sb.append("| language | texts | units | kept |");
        methods.forEach(m -> sb.append(' ').append(m).append(" F1 micro / macro |"));
        sb.append(model == null ? "" : " units without token |").append('\n');
        sb.append("|---|---:|---:|---:|").append("---:|".repeat(methods.size() + (model == null ? 0 : 1))).append('\n');
        for (LanguageResult l : languages) {
            sb.append("| ").append(l.language()).append(" | ").append(l.texts()).append(" | ").append(l.units())
                    .append(" | ").append(l.kept()).append(" |");
            methods.forEach(m -> sb.append(' ').append(f(l.micro().get(m).f1())).append(" / ")
                    .append(f(l.macroF1().get(m))).append(" |"));
            sb.append(model == null ? "" : " " + l.unitsWithoutToken() + " |").append('\n');
        }
        List<String> shareMethods = new ArrayList<>(methods);
        shareMethods.add(Evaluator.REFERENCE);
        sb.append("\nShare kept of each class (numbers: units with a digit; entities: heuristic; content: non-stopwords).\n\n");
        sb.append("| language | class | units |");
        shareMethods.forEach(m -> sb.append(' ').append(m).append(" |"));
        sb.append('\n').append("|---|---|---:|").append("---:|".repeat(shareMethods.size())).append('\n');
        for (LanguageResult l : languages) {
            row(sb, l, "numbers", l.classUnits().numbers(), shareMethods, ClassCounts.Shares::numbers);
            row(sb, l, "entities", l.classUnits().entities(), shareMethods, ClassCounts.Shares::entities);
            row(sb, l, "content", l.classUnits().content(), shareMethods, ClassCounts.Shares::content);
        }
        sb.append("\n| text | language | units | kept |");
        methods.forEach(m -> sb.append(' ').append(m).append(" F1 |"));
        sb.append('\n').append("|---|---|---:|---:|").append("---:|".repeat(methods.size())).append('\n');
        for (TextResult t : texts) {
            sb.append("| ").append(t.id()).append(" | ").append(t.language()).append(" | ").append(t.units())
                    .append(" | ").append(t.kept()).append(" |");
            methods.forEach(m -> sb.append(' ').append(f(t.metrics().get(m).f1())).append(" |"));
            sb.append('\n');
        }
        return sb.toString();
    }

    private List<String> methods() {
        return texts.isEmpty() ? List.of() : List.copyOf(texts.get(0).metrics().keySet());
    }

    private static void row(StringBuilder sb, LanguageResult l, String name, double units, List<String> methods,
                            java.util.function.Function<ClassCounts.Shares, Double> share) {
        sb.append("| ").append(l.language()).append(" | ").append(name).append(" | ").append((long) units).append(" |");
        methods.forEach(m -> {
            Double v = share.apply(l.keptShares().get(m));
            sb.append(' ').append(v == null ? "-" : f(v)).append(" |");
        });
        sb.append('\n');
    }

    private static String f(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }
}
