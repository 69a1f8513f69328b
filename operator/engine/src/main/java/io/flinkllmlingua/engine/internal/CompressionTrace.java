package io.flinkllmlingua.engine.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What one compression call decided, stage by stage: force-token map, chunks, per-chunk thresholds and word
 * decisions, the context stage. For debugging and for checking the engine against recorded reference runs.
 */
public final class CompressionTrace {
    public Map<String, String> tokenMap;
    public List<String> chunkEndTokens;
    /** Per context, the {@code [start, endExclusive)} piece range of each chunk. */
    public final List<List<int[]>> chunkTokenSpans = new ArrayList<>();
    public double tokenRate;
    public double reduceRate;
    public boolean noModelPath;
    public ContextStage contextStage;
    public final List<Chunk> chunks = new ArrayList<>();

    /** The context-level decision. */
    public static final class ContextStage {
        public double contextLevelRate;
        public int percentileIndex;
        public double threshold;
        public double[] scores;
        public boolean[] kept;
        public int reservedTokens;
    }

    /** One compressed chunk. */
    public static final class Chunk {
        public int context;
        public int chunk;
        public String text;
        public int pieces;
        public int weighted;
        public int percentileIndex;
        public double threshold;
        public int dropConsecutiveIndex = -1;
        public double dropConsecutiveThreshold = Double.NaN;
        public final List<String> words = new ArrayList<>();
        public final List<Double> probabilities = new ArrayList<>();
        public final List<Boolean> labels = new ArrayList<>();
        public final List<Integer> counts = new ArrayList<>();
    }
}
