package io.flinkllmlingua.engine.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Spec §5.1 (chunking): 510-piece window, last chunk-end in (st, st+510], inclusive end. */
class ContextChunkerTest {
    private static final Set<String> ENDS = Set.of(".", "\n", "[NEW0]");

    private static String[] pieces(int n, int... periods) {
        String[] t = new String[n];
        for (int i = 0; i < n; i++) {
            t[i] = "\u2581w" + (i % 7);
        }
        for (int p : periods) {
            t[p] = ".";
        }
        return t;
    }

    private static void assertChunks(List<int[]> actual, int[]... expected) {
        assertEquals(expected.length, actual.size(), () -> "chunks " + render(actual));
        for (int i = 0; i < expected.length; i++) {
            assertArrayEquals(expected[i], actual.get(i), "chunk " + i + " of " + render(actual));
        }
    }

    private static String render(List<int[]> chunks) {
        StringBuilder sb = new StringBuilder();
        for (int[] c : chunks) {
            sb.append(Arrays.toString(c));
        }
        return sb.toString();
    }

    @Test
    void maxLenIs510() {
        assertEquals(510, ContextChunker.MAX_CHUNK_PIECES);
    }

    /** §5.1 worked example: n = 1200, "." at 480 and 900 → [0,480], [481,900], [901,1199]. */
    @Test
    void workedExample() {
        assertChunks(ContextChunker.chunk(pieces(1200, 480, 900), ENDS),
                new int[] {0, 480}, new int[] {481, 900}, new int[] {901, 1199});
    }

    /** No chunk end in the window: exactly 511 pieces, [st, st+510]. */
    @Test
    void noChunkEndGives511PieceChunks() {
        assertChunks(ContextChunker.chunk(pieces(1200), ENDS),
                new int[] {0, 510}, new int[] {511, 1021}, new int[] {1022, 1199});
    }

    /** The scan goes downward from st+510, so the last end in the window wins, and st+510 itself is tested. */
    @Test
    void lastEndInWindowWinsAndWindowTopIsTested() {
        assertChunks(ContextChunker.chunk(pieces(1200, 300, 510), ENDS),
                new int[] {0, 510}, new int[] {511, 1021}, new int[] {1022, 1199});
        assertChunks(ContextChunker.chunk(pieces(1200, 300, 511), ENDS),
                new int[] {0, 300}, new int[] {301, 511}, new int[] {512, 1022}, new int[] {1023, 1199});
    }

    @Test
    void shortContextsAreOneChunk() {
        assertChunks(ContextChunker.chunk(pieces(1), ENDS), new int[] {0, 0});
        assertChunks(ContextChunker.chunk(pieces(300, 100), ENDS), new int[] {0, 299});
        assertChunks(ContextChunker.chunk(pieces(510, 100), ENDS), new int[] {0, 509});
    }

    /** n = 511 exceeds the 510 test but the inclusive end covers it; with an end inside it splits. */
    @Test
    void boundaryAt511And512() {
        assertChunks(ContextChunker.chunk(pieces(511), ENDS), new int[] {0, 510});
        assertChunks(ContextChunker.chunk(pieces(511, 100), ENDS), new int[] {0, 100}, new int[] {101, 510});
        assertChunks(ContextChunker.chunk(pieces(512), ENDS), new int[] {0, 510}, new int[] {511, 511});
    }

    @Test
    void emptyContextHasNoChunk() {
        assertTrue(ContextChunker.chunk(new String[0], ENDS).isEmpty());
    }

    /** The scan runs k = st+510 … st+1 and never tests st: an end at st does not make a one-piece chunk. */
    @Test
    void scanNeverTestsStart() {
        assertChunks(ContextChunker.chunk(pieces(1200, 0), ENDS),
                new int[] {0, 510}, new int[] {511, 1021}, new int[] {1022, 1199});
        // 511 is the start of the second chunk: it ends nothing there
        assertChunks(ContextChunker.chunk(pieces(1200, 0, 511), ENDS),
                new int[] {0, 510}, new int[] {511, 1021}, new int[] {1022, 1199});
        // st + 1 is tested
        assertChunks(ContextChunker.chunk(pieces(1200, 1), ENDS),
                new int[] {0, 1}, new int[] {2, 512}, new int[] {513, 1023}, new int[] {1024, 1199});
    }

    /** Exact string match: the XLM-R piece "▁." does not end a chunk; a placeholder in the set does. */
    @Test
    void exactStringMatchOnly() {
        String[] t = pieces(1200);
        t[480] = "\u2581.";
        t[700] = ". ";
        assertChunks(ContextChunker.chunk(t, ENDS),
                new int[] {0, 510}, new int[] {511, 1021}, new int[] {1022, 1199});
        t[480] = "[NEW0]";
        t[900] = "\n";
        assertChunks(ContextChunker.chunk(t, ENDS),
                new int[] {0, 480}, new int[] {481, 900}, new int[] {901, 1199});
        t[480] = "[NEW1]";
        assertChunks(ContextChunker.chunk(t, ENDS),
                new int[] {0, 510}, new int[] {511, 900}, new int[] {901, 1199});
    }

    /** Chunks tile the input: consecutive, inclusive, no gaps, none longer than 511. */
    @Test
    void chunksTileTheInput() {
        String[] t = pieces(5000, 17, 600, 601, 1500, 2100, 2200, 4999);
        List<int[]> chunks = ContextChunker.chunk(t, ENDS);
        int next = 0;
        for (int[] c : chunks) {
            assertEquals(next, c[0]);
            assertTrue(c[1] >= c[0]);
            assertTrue(c[1] - c[0] + 1 <= 511);
            next = c[1] + 1;
        }
        assertEquals(5000, next);
    }
}
