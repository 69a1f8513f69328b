package io.flinkllmlingua.jobs.sql;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Statement splitting and variable substitution of the {@code sql} command (no Flink). */
class SqlScriptTest {
    static final List<String> SHIPPED = List.of("kafka-ml-predict.sql", "kafka-function.sql", "upsert-kafka-rag-index.sql");

    @Test
    void splitsOnSemicolonsOutsideStringsIdentifiersAndComments() {
        String text = "-- a comment; with a semicolon\n"
                + "SET 'a' = 'x;y';\n"
                + "\n"
                + "CREATE TABLE `we;ird` (\n"
                + "  s STRING -- trailing; comment\n"
                + ") WITH ('k' = 'it''s; fine');  /* block; \n comment */ SELECT \"q;\" FROM t\n"
                + ";;\n";
        List<SqlScript.Statement> s = SqlScript.parse(text, Map.of()).statements();
        assertEquals(3, s.size(), s.toString());
        assertEquals("SET 'a' = 'x;y'", s.get(0).sql());
        assertEquals(2, s.get(0).line());
        assertTrue(s.get(1).sql().startsWith("CREATE TABLE `we;ird` ("));
        assertTrue(s.get(1).sql().endsWith("WITH ('k' = 'it''s; fine')"), s.get(1).sql());
        assertFalse(s.get(1).sql().contains("trailing"), "comments are dropped");
        assertEquals(4, s.get(1).line());
        assertEquals("SELECT \"q;\" FROM t", s.get(2).sql());
        assertEquals(7, s.get(2).line());
    }

    @Test
    void substitutesValuesAndDefaultsLiterally() {
        SqlScript s = SqlScript.parse("SELECT '${a}', '${b:-x y}', '${c:-}', ${a}${a}",
                Map.of("a", "$1\\z", "b", "given"));
        assertEquals("SELECT '$1\\z', 'given', '', $1\\z$1\\z", s.statements().get(0).sql());
    }

    @Test
    void undefinedVariablesAreReportedTogetherWithTheirLines() {
        SqlScript.UndefinedVariablesException e = assertThrows(SqlScript.UndefinedVariablesException.class,
                () -> SqlScript.parse("SELECT 1;\nSELECT '${x}',\n '${y}', '${x}', '${z:-ok}'", Map.of()));
        assertEquals(List.of("x", "y"), e.names());
        assertTrue(e.getMessage().contains("${x} (line 2)"), e.getMessage());
        assertTrue(e.getMessage().contains("${y} (line 3)"), e.getMessage());
        assertTrue(e.getMessage().contains("-Dx=VALUE"), e.getMessage());
    }

    @Test
    void variablesInCommentsNeedNoValue() {
        assertEquals(1, SqlScript.parse("-- uses ${nothing}\n/* ${nor_this} */ SELECT 1", Map.of()).statements().size());
    }

    @Test
    void unterminatedQuotesAndCommentsAreErrors() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SqlScript.parse("SELECT 1;\nSELECT 'x;", Map.of()))
                .getMessage().contains("unterminated string starting on line 2"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SqlScript.parse("SELECT 1 /* x", Map.of()))
                .getMessage().contains("unterminated /* comment"));
    }

    @Test
    void renderedScriptParsesToTheSameStatements() {
        SqlScript s = SqlScript.parse("SET 'a' = 'b;c'; -- x\nSELECT 1", Map.of());
        assertEquals(s.statements().stream().map(SqlScript.Statement::sql).toList(),
                SqlScript.parse(s.render(), Map.of()).statements().stream().map(SqlScript.Statement::sql).toList());
    }

    @Test
    void shippedScriptsNeedExactlyTheDocumentedVariables() throws IOException {
        Map<String, String> required = new HashMap<>();
        for (String v : List.of("bootstrap_servers", "input_topic", "output_topic", "model_path")) {
            required.put(v, "<" + v + ">");
        }
        for (String name : SHIPPED) {
            String text = shipped(name);
            SqlScript.UndefinedVariablesException e = assertThrows(SqlScript.UndefinedVariablesException.class,
                    () -> SqlScript.parse(text, Map.of()), name);
            assertEquals(required.keySet().stream().sorted().toList(), e.names().stream().sorted().toList(), name);
            SqlScript s = SqlScript.parse(text, required);
            assertFalse(s.render().contains("${"), name);
            assertTrue(s.render().contains("<model_path>"), name);
            assertTrue(s.statements().stream().anyMatch(st -> st.sql().startsWith("INSERT INTO")), name);
        }
    }

    static String shipped(String name) throws IOException {
        try (InputStream in = SqlScriptTest.class.getResourceAsStream("/sql/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
