package io.flinkllmlingua.training.teacher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flinkllmlingua.training.LabeledText;
import io.flinkllmlingua.training.LabeledTextJson;
import io.flinkllmlingua.training.TextUnits;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Teacher labels for a corpus: reads JSONL documents (field {@code text}; id from {@code chunk_id}, {@code id} or
 * {@code doc_id}; language from {@code metadata.lang} or {@code lang}, English assumed when absent), cuts each text
 * into pieces of {@value #MIN_UNITS} to {@value #MAX_UNITS} units on sentence boundaries (the length of a RAG chunk
 * or a transcript excerpt, and within one model window), counts unit frequencies over all pieces, and writes one
 * labelled copy per piece and rate as {@link LabeledTextJson}. Documents in other languages than the teacher's are
 * skipped and counted.
 */
public final class TeacherCorpus {
    static final int MIN_UNITS = 200;
    static final int MAX_UNITS = 400;
    /** The rates of the labelled copies: a low, a middle and a high rate, so the labels grade the score. */
    public static final List<Double> DEFAULT_RATES = List.of(0.3, 0.5, 0.7);
    private static final ObjectMapper JSON = new ObjectMapper();

    private TeacherCorpus() {}

    /** A piece of a document to label. */
    public record Piece(String id, String text) {}

    /** What {@link #build} did. */
    public record Stats(int documents, int skipped, int pieces, long units, int records, long labelMillis) {}

    /** Reads the documents of {@code inputs} in the teacher's language and cuts them into pieces. */
    public static List<Piece> pieces(List<Path> inputs, TeacherLanguage language, int[] skipped) throws IOException {
        List<Piece> out = new ArrayList<>();
        for (Path input : inputs) {
            try (BufferedReader in = Files.newBufferedReader(input, StandardCharsets.UTF_8)) {
                String line;
                int number = 0;
                while ((line = in.readLine()) != null) {
                    number++;
                    if (line.isBlank()) {
                        continue;
                    }
                    JsonNode doc = JSON.readTree(line);
                    if (!doc.path("text").isTextual()) {
                        throw new IOException(input + ":" + number + ": no \"text\" field");
                    }
                    String lang = doc.path("metadata").path("lang").asText(doc.path("lang").asText(language.tag()));
                    if (!LabeledText.primaryLanguage(lang).equals(LabeledText.primaryLanguage(language.tag()))) {
                        skipped[0]++;
                        continue;
                    }
                    String id = firstText(doc, input.getFileName() + ":" + number, "chunk_id", "id", "doc_id");
                    out.addAll(cut(id, doc.get("text").asText(), language));
                }
            }
        }
        return out;
    }

    /**
     * Cuts {@code text} into pieces on sentence boundaries: each piece closes once it reaches a target length drawn
     * in [{@value #MIN_UNITS}, {@value #MAX_UNITS}] (seeded by the id, so reruns agree) or before the next sentence
     * would pass {@value #MAX_UNITS}; a sentence longer than that is cut between units; a last piece under half the
     * minimum joins the one before. A text shorter than the minimum is one piece.
     */
    static List<Piece> cut(String id, String text, TeacherLanguage language) {
        List<TextUnits.Span> sentences = new ArrayList<>();
        for (TextUnits.Span s : Sentences.split(text, language.abbreviations())) {
            sentences.addAll(splitLong(text, s));
        }
        Random random = new Random(id.hashCode());
        List<int[]> ranges = new ArrayList<>(); // start, end, units
        int start = -1;
        int end = -1;
        int units = 0;
        int target = MIN_UNITS + random.nextInt(MAX_UNITS - MIN_UNITS + 1);
        for (TextUnits.Span s : sentences) {
            int n = TextUnits.split(s.of(text)).size();
            if (units > 0 && units + n > MAX_UNITS) {
                ranges.add(new int[] {start, end, units});
                units = 0;
                target = MIN_UNITS + random.nextInt(MAX_UNITS - MIN_UNITS + 1);
            }
            if (units == 0) {
                start = s.start();
            }
            end = s.end();
            units += n;
            if (units >= target) {
                ranges.add(new int[] {start, end, units});
                units = 0;
                target = MIN_UNITS + random.nextInt(MAX_UNITS - MIN_UNITS + 1);
            }
        }
        if (units > 0) {
            int[] last = ranges.isEmpty() ? null : ranges.get(ranges.size() - 1);
            if (last != null && units < MIN_UNITS / 2) {
                last[1] = end;
                last[2] += units;
            } else {
                ranges.add(new int[] {start, end, units});
            }
        }
        List<Piece> out = new ArrayList<>();
        for (int i = 0; i < ranges.size(); i++) {
            int[] r = ranges.get(i);
            out.add(new Piece(id + "/" + i, text.substring(r[0], r[1])));
        }
        return out;
    }

    private static List<TextUnits.Span> splitLong(String text, TextUnits.Span sentence) {
        List<TextUnits.Span> units = TextUnits.split(sentence.of(text));
        if (units.size() <= MAX_UNITS) {
            return List.of(sentence);
        }
        List<TextUnits.Span> out = new ArrayList<>();
        int from = sentence.start();
        for (int i = MAX_UNITS; i < units.size(); i += MAX_UNITS) {
            int cut = sentence.start() + units.get(i).start();
            out.add(new TextUnits.Span(from, cut));
            from = cut;
        }
        out.add(new TextUnits.Span(from, sentence.end()));
        return out;
    }

    /** Labels {@code pieces} at {@code rates} and writes them to {@code out}. */
    public static Stats label(List<Piece> pieces, List<Double> rates, TeacherLanguage language, Writer out,
            int documents, int skipped) throws IOException {
        long t0 = System.nanoTime();
        WordRarity rarity = WordRarity.of(pieces.stream().map(Piece::text).toList());
        RuleTeacher teacher = new RuleTeacher(language, rarity);
        int records = 0;
        for (Piece p : pieces) {
            for (LabeledText labeled : teacher.label(p.id(), p.text(), rates)) {
                out.write(LabeledTextJson.toLine(labeled));
                out.write('\n');
                records++;
            }
        }
        return new Stats(documents, skipped, pieces.size(), rarity.total(), records,
                (System.nanoTime() - t0) / 1_000_000);
    }

    /** Reads, cuts, labels and writes: what the demo builder calls. */
    public static Stats build(List<Path> inputs, Path output, List<Double> rates, TeacherLanguage language)
            throws IOException {
        int[] skipped = new int[1];
        List<Piece> pieces = pieces(inputs, language, skipped);
        long documents = pieces.stream().map(p -> p.id().substring(0, p.id().lastIndexOf('/'))).distinct().count();
        Path parent = output.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try (Writer out = Files.newBufferedWriter(output, StandardCharsets.UTF_8)) {
            return label(pieces, rates, language, out, (int) documents, skipped[0]);
        }
    }

    private static String firstText(JsonNode doc, String fallback, String... fields) {
        for (String f : fields) {
            if (doc.path(f).isTextual() && !doc.path(f).asText().isEmpty()) {
                return doc.path(f).asText();
            }
        }
        return fallback;
    }

    /**
     * {@code TeacherCorpus OUT.jsonl INPUT.jsonl...} labels the inputs at {@link #DEFAULT_RATES} (English) and prints
     * what it did; {@code --rates 0.3,0.5} picks other rates.
     */
    public static void main(String[] args) throws IOException {
        List<String> rest = new ArrayList<>(Arrays.asList(args));
        List<Double> rates = DEFAULT_RATES;
        int r = rest.indexOf("--rates");
        if (r >= 0 && r + 1 < rest.size()) {
            rates = Arrays.stream(rest.get(r + 1).split(",")).map(Double::valueOf).toList();
            rest.remove(r + 1);
            rest.remove(r);
        }
        if (rest.size() < 2) {
            System.err.println("usage: TeacherCorpus [--rates 0.3,0.5,0.7] OUT.jsonl INPUT.jsonl...");
            System.exit(2);
        }
        Path output = Path.of(rest.get(0));
        List<Path> inputs = rest.subList(1, rest.size()).stream().map(Path::of).toList();
        Stats stats = build(inputs, output, rates, TeacherLanguage.ENGLISH);
        System.out.println(stats.documents() + " documents (" + stats.skipped() + " skipped, other language), "
                + stats.pieces() + " pieces, " + stats.units() + " units, " + stats.records() + " labelled records in "
                + stats.labelMillis() + " ms -> " + output);
    }
}
