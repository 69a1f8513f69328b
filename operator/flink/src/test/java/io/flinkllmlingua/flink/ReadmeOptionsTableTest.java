package io.flinkllmlingua.flink;

import io.flinkllmlingua.flink.LlmLinguaOptions.Surface;
import org.apache.flink.configuration.ConfigOption;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The README has ONE table of the {@code llmlingua.*} options, between {@link #START} and {@link #END}, and it is
 * exactly what {@link LlmLinguaOptions} declares (keys, defaults, descriptions, where each applies). On a mismatch the
 * expected table is printed, ready to paste.
 */
class ReadmeOptionsTableTest {
    static final String START = "<!-- llmlingua-options:start (generated from LlmLinguaOptions; ReadmeOptionsTableTest) -->";
    static final String END = "<!-- llmlingua-options:end -->";

    /** The table as the declarations give it. */
    static String expectedTable() {
        StringBuilder sb = new StringBuilder();
        sb.append("| key | default | description | applies to |\n");
        sb.append("|---|---|---|---|\n");
        for (ConfigOption<?> o : LlmLinguaOptions.all()) {
            sb.append("| `").append(o.key()).append("` | ").append(defaultCell(o)).append(" | ")
                    .append(cell(LlmLinguaOptions.descriptionText(o))).append(" | ").append(applies(o)).append(" |\n");
        }
        return sb.toString();
    }

    private static String defaultCell(ConfigOption<?> o) {
        if (o.equals(LlmLinguaOptions.MODEL_PATH)) {
            return "(required)";
        }
        String d = LlmLinguaOptions.defaultText(o);
        if (d == null) {
            return "(unset)";
        }
        return d.isEmpty() ? "`\"\"`" : "`" + cell(d) + "`";
    }

    private static String cell(String s) {
        return s.replace("|", "\\|").replace("\n", " ");
    }

    static String applies(ConfigOption<?> o) {
        Set<Surface> reached = EnumSet.noneOf(Surface.class);
        for (Surface s : Surface.values()) {
            if (LlmLinguaOptions.exclusion(o, s).isEmpty()) {
                reached.add(s);
            }
        }
        if (reached.size() == Surface.values().length) {
            return "all";
        }
        List<String> parts = new ArrayList<>();
        if (reached.contains(Surface.DATASTREAM)) {
            parts.add("job, backfill");
        }
        if (reached.contains(Surface.SQL_FUNCTION) && reached.contains(Surface.SQL_MODEL)) {
            parts.add("SQL");
        } else {
            reached.stream().filter(s -> s == Surface.SQL_FUNCTION || s == Surface.SQL_MODEL)
                    .forEach(s -> parts.add(s.label()));
        }
        if (reached.contains(Surface.CLI)) {
            parts.add("CLI");
        }
        return String.join(", ", parts);
    }

    static Path readme() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path p = dir.resolve("README.md");
            try {
                if (Files.isRegularFile(p) && Files.readString(p, StandardCharsets.UTF_8).contains(START)) {
                    return p;
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("no README.md with the options table marker above " + Path.of("").toAbsolutePath());
    }

    @Test
    void theReadmeHasOneOptionsTableAndItMatchesTheDeclarations() throws IOException {
        String readme = Files.readString(readme(), StandardCharsets.UTF_8);
        int start = readme.indexOf(START);
        int end = readme.indexOf(END);
        assertTrue(start >= 0 && end > start, "markers " + START + " ... " + END);
        assertEquals(start, readme.lastIndexOf(START), "one table");
        String actual = readme.substring(start + START.length(), end).strip() + "\n";
        String expected = expectedTable();
        if (!expected.equals(actual)) {
            System.out.println("Expected README options table (paste between the markers):\n" + expected);
            List<String> missing = new ArrayList<>();
            for (ConfigOption<?> o : LlmLinguaOptions.all()) {
                if (!actual.contains("| `" + o.key() + "` |")) {
                    missing.add(o.key());
                }
            }
            fail("README options table differs from LlmLinguaOptions (missing keys: " + missing
                    + "); the expected table is printed above:\n" + expected);
        }
        // no other table in the README lists llmlingua.* keys as rows
        String rest = readme.substring(0, start) + readme.substring(end);
        for (String line : rest.split("\n")) {
            assertTrue(!line.startsWith("| `llmlingua."), "a second options table row: " + line);
        }
    }
}
