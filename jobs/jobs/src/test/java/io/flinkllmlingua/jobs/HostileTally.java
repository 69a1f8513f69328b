package io.flinkllmlingua.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import io.flinkllmlingua.testkit.HostileCorpus;
import io.flinkllmlingua.testkit.HostileCorpus.Case;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Matches one path's outputs and dead letters to the {@link HostileCorpus} cases that produced them: an output by
 * its {@code chunk_id} (the case name), a dead letter by the SHA-256 of its decoded {@code value} (so it also proves
 * the dead letter carries the original bytes). Then every case must have exactly one outcome, of its class.
 */
public final class HostileTally {
    private final Map<String, List<String>> outcomes = new LinkedHashMap<>();
    private final Map<String, String> expected = new LinkedHashMap<>();
    private final List<String> unmatched = new ArrayList<>();
    private final Map<String, Case> bySha = new HashMap<>();
    private Case tombstone;
    private long outputs;
    private long deadLetters;

    /** The cases of one path: {@code outcome} gives a case's expected outcome there, null when it is not an input. */
    public HostileTally(List<Case> cases, Function<Case, String> outcome) {
        for (Case c : cases) {
            String e = outcome.apply(c);
            if (e == null || e.equals(HostileCorpus.BLANK_LINE)) {
                continue;
            }
            expected.put(c.name(), e);
            outcomes.put(c.name(), new ArrayList<>());
            if (c.value() == null) {
                tombstone = c;
            } else {
                bySha.put(c.sha256(), c);
            }
        }
    }

    /** An output record (a CompressedChunk as JSON). */
    public void output(JsonNode chunk) {
        outputs++;
        String name = chunk.path("chunk_id").asText(null);
        if (name == null || !outcomes.containsKey(name)) {
            unmatched.add("output " + chunk.path("doc_id") + "/" + name);
            return;
        }
        outcomes.get(name).add(HostileCorpus.OUTPUT);
    }

    /** A dead letter (DeadLetter as JSON). */
    public void deadLetter(JsonNode dl) {
        deadLetters++;
        String errorClass = dl.path("error").path("class").asText();
        JsonNode v = dl.get("value");
        Case c;
        if (v == null || v.isNull()) {
            c = tombstone;
        } else {
            byte[] bytes = "base64".equals(dl.path("value_encoding").asText())
                    ? Base64.getDecoder().decode(v.asText()) : v.asText().getBytes(StandardCharsets.UTF_8);
            String declared = dl.path("value_sha256").asText();
            if (dl.path("value_truncated").asBoolean()) {
                // cut to fit the sink's record limit: the declared hash names the input, the value must be its prefix
                c = bySha.get(declared);
                if (c != null && (dl.path("value_bytes").asInt() != c.value().length
                        || !Arrays.equals(bytes, Arrays.copyOf(c.value(), bytes.length)))) {
                    unmatched.add("truncated dead letter of " + c.name() + " is not a prefix of its input");
                    return;
                }
            } else {
                c = bySha.get(HostileCorpus.sha256(bytes));
                if (c != null && !declared.equals(c.sha256())) {
                    unmatched.add("dead letter of " + c.name() + " declares value_sha256 " + declared);
                    return;
                }
            }
        }
        if (c == null) {
            unmatched.add("dead letter " + errorClass + " " + dl.path("chunk_id") + " (value matches no input)");
            return;
        }
        outcomes.get(c.name()).add(errorClass);
    }

    public long missing() {
        return outcomes.values().stream().filter(List::isEmpty).count();
    }

    public long duplicated() {
        return outcomes.values().stream().filter(l -> l.size() > 1).count();
    }

    /** The one-line table row: inputs, outputs, dead letters, missing, duplicated, unmatched. */
    public String row() {
        return String.format("inputs %d, outputs %d, dead letters %d, missing %d, duplicated %d, unmatched %d",
                expected.size(), outputs, deadLetters, missing(), duplicated(), unmatched.size());
    }

    /** Every case once, with its class; the report lists each deviation. */
    public void assertEachCaseOnceWithItsClass() {
        StringBuilder problems = new StringBuilder();
        for (Map.Entry<String, String> e : expected.entrySet()) {
            List<String> got = outcomes.get(e.getKey());
            if (!got.equals(List.of(e.getValue()))) {
                problems.append("\n  ").append(e.getKey()).append(": expected ").append(e.getValue())
                        .append(", got ").append(got);
            }
        }
        for (String u : unmatched) {
            problems.append("\n  unmatched ").append(u);
        }
        assertEquals("", problems.toString(), row());
    }
}
