package io.flinkllmlingua.engine.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Splits a context's pieces into model-sized chunks (reference §5.1): windows of 510 pieces, cut after the last
 * chunk-end piece of the window. The end is inclusive, so a chunk can hold up to 511 pieces.
 */
public final class ContextChunker {
    /** 512 model positions minus the two boundary tokens. */
    public static final int MAX_CHUNK_PIECES = 510;

    private ContextChunker() {}

    /** Inclusive {@code [start, end]} piece ranges. */
    public static List<int[]> chunk(String[] tokens, Set<String> chunkEndTokens) {
        return chunk(tokens, chunkEndTokens, MAX_CHUNK_PIECES);
    }

    static List<int[]> chunk(String[] tokens, Set<String> chunkEndTokens, int maxLen) {
        int n = tokens.length;
        List<int[]> out = new ArrayList<>();
        int st = 0;
        while (st < n) {
            if (st + maxLen > n - 1) {
                out.add(new int[] {st, n - 1});
                break;
            }
            int ed = st + maxLen;
            for (int k = ed; k > st; k--) {
                if (chunkEndTokens.contains(tokens[k])) {
                    ed = k;
                    break;
                }
            }
            out.add(new int[] {st, ed});
            st = ed + 1;
        }
        return out;
    }
}
