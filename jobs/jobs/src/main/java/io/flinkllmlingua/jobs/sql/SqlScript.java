package io.flinkllmlingua.jobs.sql;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A SQL script: statements separated by {@code ;} (outside quotes and comments), {@code --} and {@code /* *\/}
 * comments dropped, {@code ${name}} and {@code ${name:-default}} variables substituted. No Flink dependency.
 *
 * <p>Variables are replaced by their text as is (no quoting): inside a string literal, a value must not contain a
 * single quote. A variable without a value and without a default is an error; all such names are reported at once.
 */
public final class SqlScript {
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_.-]*)(?::-([^}]*))?}");

    /** One statement, without its {@code ;}, and the line where it starts (1-based). */
    public record Statement(String sql, int line) {
        /** The statement's first line, shortened, for logs. */
        public String summary() {
            String s = sql.strip().replaceAll("\\s+", " ");
            return s.length() <= 90 ? s : s.substring(0, 87) + "...";
        }

        /** The statement's first words in upper case (e.g. "CREATE TEMPORARY TABLE"). */
        public String upperPrefix(int chars) {
            String s = sql.strip().replaceAll("\\s+", " ").toUpperCase(Locale.ROOT);
            return s.length() <= chars ? s : s.substring(0, chars);
        }
    }

    /** A variable used without a value. */
    public static final class UndefinedVariablesException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        private final List<String> names;

        UndefinedVariablesException(List<String> names, List<String> where) {
            super("undefined variable" + (names.size() > 1 ? "s " : " ") + String.join(", ", where)
                    + ": define " + (names.size() > 1 ? "them" : "it") + " with -D" + names.get(0) + "=VALUE");
            this.names = List.copyOf(names);
        }

        public List<String> names() {
            return names;
        }
    }

    private final List<Statement> statements;

    private SqlScript(List<Statement> statements) {
        this.statements = List.copyOf(statements);
    }

    /**
     * Splits {@code text} into statements and substitutes {@code variables} in each (comments are dropped first, so
     * variables in comments need no value).
     *
     * @throws UndefinedVariablesException naming every variable that has neither a value nor a default
     * @throws IllegalArgumentException for an unterminated string, identifier or comment
     */
    public static SqlScript parse(String text, Map<String, String> variables) {
        List<Statement> raw = split(text);
        List<Statement> out = new ArrayList<>(raw.size());
        Set<String> undefined = new LinkedHashSet<>();
        List<String> where = new ArrayList<>();
        for (Statement s : raw) {
            Matcher m = VARIABLE.matcher(s.sql());
            StringBuilder sb = new StringBuilder();
            while (m.find()) {
                String name = m.group(1);
                String value = variables.get(name);
                if (value == null) {
                    value = m.group(2);
                }
                if (value == null) {
                    if (undefined.add(name)) {
                        int line = s.line() + count(s.sql().substring(0, m.start()), '\n');
                        where.add("${" + name + "} (line " + line + ")");
                    }
                    value = "";
                }
                m.appendReplacement(sb, Matcher.quoteReplacement(value));
            }
            m.appendTail(sb);
            out.add(new Statement(sb.toString(), s.line()));
        }
        if (!undefined.isEmpty()) {
            throw new UndefinedVariablesException(new ArrayList<>(undefined), where);
        }
        return new SqlScript(out);
    }

    public List<Statement> statements() {
        return statements;
    }

    /** The script again, one statement per paragraph, each ended by {@code ;} (what {@code --dry-run} prints). */
    public String render() {
        StringBuilder sb = new StringBuilder();
        for (Statement s : statements) {
            sb.append(s.sql().strip()).append(";\n\n");
        }
        return sb.toString();
    }

    /** Statements of {@code text}, comments removed; blank statements are dropped. */
    static List<Statement> split(String text) {
        List<Statement> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        int line = 1;
        int start = -1;
        int i = 0;
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            if (c == '-' && i + 1 < n && text.charAt(i + 1) == '-') {
                while (i < n && text.charAt(i) != '\n') {
                    i++;
                }
                continue;
            }
            if (c == '/' && i + 1 < n && text.charAt(i + 1) == '*') {
                int end = text.indexOf("*/", i + 2);
                if (end < 0) {
                    throw new IllegalArgumentException("unterminated /* comment starting on line " + line);
                }
                String comment = text.substring(i, end + 2);
                int lines = count(comment, '\n');
                line += lines;
                cur.append(lines > 0 ? "\n".repeat(lines) : " ");
                i = end + 2;
                continue;
            }
            if (c == '\'' || c == '"' || c == '`') {
                int from = i;
                int fromLine = line;
                i++;
                while (true) {
                    if (i >= n) {
                        throw new IllegalArgumentException("unterminated " + (c == '\'' ? "string" : "quoted identifier")
                                + " starting on line " + fromLine);
                    }
                    char d = text.charAt(i);
                    if (d == '\n') {
                        line++;
                    }
                    if (d == c) {
                        if (i + 1 < n && text.charAt(i + 1) == c) {
                            i += 2; // doubled quote: an escaped one
                            continue;
                        }
                        i++;
                        break;
                    }
                    i++;
                }
                if (start < 0) {
                    start = fromLine;
                }
                cur.append(text, from, i);
                continue;
            }
            if (c == ';') {
                add(out, cur, start);
                cur.setLength(0);
                start = -1;
                i++;
                continue;
            }
            if (c == '\n') {
                line++;
            }
            if (start < 0 && !Character.isWhitespace(c)) {
                start = line;
            }
            if (start >= 0) {
                cur.append(c);
            }
            i++;
        }
        add(out, cur, start);
        return out;
    }

    private static void add(List<Statement> out, StringBuilder cur, int line) {
        String sql = cur.toString().strip();
        if (!sql.isEmpty()) {
            out.add(new Statement(sql, line));
        }
    }

    private static int count(String s, char c) {
        int k = 0;
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == c) {
                k++;
            }
        }
        return k;
    }
}
