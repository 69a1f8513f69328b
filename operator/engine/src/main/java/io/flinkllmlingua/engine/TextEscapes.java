package io.flinkllmlingua.engine;

/**
 * Backslash escapes in option values (command line, Flink configuration, properties files), so that a newline or
 * tab can be given as a force token:
 * {@code \n}, {@code \r}, {@code \t}, {@code \\}, {@code \s} (space) and {@code \}{@code uXXXX}. Any other
 * backslash is kept as it is.
 */
public final class TextEscapes {
    private TextEscapes() {}

    public static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\' || i + 1 >= s.length()) {
                sb.append(c);
                continue;
            }
            char n = s.charAt(i + 1);
            switch (n) {
                case 'n' -> { sb.append('\n'); i++; }
                case 'r' -> { sb.append('\r'); i++; }
                case 't' -> { sb.append('\t'); i++; }
                case 's' -> { sb.append(' '); i++; }
                case '\\' -> { sb.append('\\'); i++; }
                case 'u' -> {
                    if (isHex(s, i + 2, i + 6)) {
                        sb.append((char) Integer.parseInt(s.substring(i + 2, i + 6), 16));
                        i += 5;
                    } else {
                        sb.append(c);
                    }
                }
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    /**
     * The inverse, for display: control characters and backslashes as escapes, and spaces as {@code \s} when the
     * value is nothing but whitespace (so that it stays visible).
     */
    public static String escape(String s) {
        boolean blank = !s.isEmpty() && s.isBlank();
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\\' -> sb.append("\\\\");
                case ' ' -> sb.append(blank ? "\\s" : " ");
                default -> {
                    if (Character.isISOControl(c)) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.toString();
    }

    private static boolean isHex(String s, int from, int to) {
        if (to > s.length()) {
            return false;
        }
        for (int i = from; i < to; i++) {
            if (Character.digit(s.charAt(i), 16) < 0) {
                return false;
            }
        }
        return true;
    }
}
