package io.flinkllmlingua.engine.internal;

import java.util.Map;

/**
 * A context after force-token substitution. In tracked form it also maps every character of the substituted
 * text back to the span of the original text it came from (a placeholder maps to the whole force string), which
 * is what span rendering needs.
 */
public final class SubstitutedText {
    private final String text;
    private final int[] originStart;
    private final int[] originEnd;

    private SubstitutedText(String text, int[] originStart, int[] originEnd) {
        this.text = text;
        this.originStart = originStart;
        this.originEnd = originEnd;
    }

    public static SubstitutedText plain(String original, ForceTokenMap force) {
        return new SubstitutedText(force.substitute(original), null, null);
    }

    /** Same text as {@link #plain}, with the character origin map. */
    public static SubstitutedText tracked(String original, ForceTokenMap force) {
        String text = original;
        int n = text.length();
        int[] start = new int[n];
        int[] end = new int[n];
        for (int i = 0; i < n; i++) {
            start[i] = i;
            end[i] = i + 1;
        }
        for (Map.Entry<String, String> e : force.mapping().entrySet()) {
            String key = e.getKey();
            String repl = e.getValue();
            if (text.indexOf(key) < 0) {
                continue;
            }
            StringBuilder sb = new StringBuilder(text.length());
            IntList ns = new IntList(text.length());
            IntList ne = new IntList(text.length());
            int from = 0;
            int at;
            while ((at = text.indexOf(key, from)) >= 0) {
                for (int i = from; i < at; i++) {
                    sb.append(text.charAt(i));
                    ns.add(start[i]);
                    ne.add(end[i]);
                }
                int s = start[at];
                int t = end[at + key.length() - 1];
                for (int i = 0; i < repl.length(); i++) {
                    sb.append(repl.charAt(i));
                    ns.add(s);
                    ne.add(t);
                }
                from = at + key.length();
            }
            for (int i = from; i < text.length(); i++) {
                sb.append(text.charAt(i));
                ns.add(start[i]);
                ne.add(end[i]);
            }
            text = sb.toString();
            start = ns.toArray();
            end = ne.toArray();
        }
        return new SubstitutedText(text, start, end);
    }

    public String text() {
        return text;
    }

    public boolean tracked() {
        return originStart != null;
    }

    /** Original start of the substituted range {@code [from, to)}. */
    public int originStart(int from) {
        return originStart[from];
    }

    /** Original end (exclusive) of the substituted range {@code [from, to)}. */
    public int originEnd(int toExclusive) {
        return originEnd[toExclusive - 1];
    }

    private static final class IntList {
        int[] a;
        int n;

        IntList(int cap) {
            a = new int[Math.max(cap, 4)];
        }

        void add(int v) {
            if (n == a.length) {
                a = java.util.Arrays.copyOf(a, n * 2);
            }
            a[n++] = v;
        }

        int[] toArray() {
            return java.util.Arrays.copyOf(a, n);
        }
    }
}
