package io.flinkllmlingua.engine.internal;

import java.util.List;

/**
 * The words of one chunk after merging pieces (reference §6).
 *
 * @param words word strings as the reference stores them (SentencePiece words keep their leading {@code ▁};
 *              placeholders are restored to their force strings)
 * @param pieceProbabilities per word, the probabilities of its pieces after forcing (1.0 for forced first pieces
 *                           and digit pieces)
 * @param unforcedProbabilities per word, the first piece's raw probability (what the context stage averages)
 * @param firstPiece per word, index of its first piece among the chunk's model positions
 * @param lastPiece per word, index of its last piece among the chunk's model positions
 */
public record ChunkWords(
        List<String> words,
        List<double[]> pieceProbabilities,
        double[] unforcedProbabilities,
        int[] firstPiece,
        int[] lastPiece) {

    public int size() {
        return words.size();
    }
}
