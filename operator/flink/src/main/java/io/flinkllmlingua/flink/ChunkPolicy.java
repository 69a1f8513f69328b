package io.flinkllmlingua.flink;

import io.flinkllmlingua.flink.internal.ContentHash;
import io.flinkllmlingua.engine.CompressionOptions;
import io.flinkllmlingua.engine.CompressionResult;
import io.flinkllmlingua.engine.EngineVersion;
import io.flinkllmlingua.engine.InvalidOptionsException;
import io.flinkllmlingua.engine.InvalidRequestException;
import io.flinkllmlingua.engine.PromptCompressor;
import io.flinkllmlingua.engine.SpecialTokenPolicy;
import io.flinkllmlingua.engine.Cl100kCounter;
import io.flinkllmlingua.flink.ChunkRejectedException;
import io.flinkllmlingua.flink.CompressedChunk;
import io.flinkllmlingua.flink.InputChunk;
import io.flinkllmlingua.flink.LlmLinguaConfig;
import io.flinkllmlingua.flink.LlmLinguaOptions;
import io.flinkllmlingua.flink.RecordSource;

import java.io.IOException;
import java.io.Serializable;
import java.util.List;

/**
 * The one record policy of every path (DataStream job, backfill, SQL function and model, CLI {@code --chunks}); see
 * README, "Empty texts and records that cannot be compressed":
 * <ul>
 *   <li>null, empty or whitespace-only text: passed through: the text is its own result, both counts its token
 *       count, ratio 1, kept fraction 1;</li>
 *   <li>metadata of a chunk built in code that is not JSON ({@code InvalidField}), overrides the engine's builder
 *       refuses, e.g. a rate outside (0, 1] ({@code InvalidOptions}), a text over the
 *       byte limit ({@code Oversize}), a text the engine refuses, e.g. {@code <|endoftext|>} ({@code InvalidRequest}):
 *       rejected with that error class (a dead letter; the SQL rendering is a null result or a failed row);</li>
 *   <li>every word dropped: a compressed chunk with an empty text, 0 compressed tokens, kept fraction 0, ratio
 *       null.</li>
 * </ul>
 * It also builds the {@link CompressedChunk} of a result, {@code content_hash} included.
 */
public final class ChunkPolicy implements Serializable {
    /** What the policy made of one chunk. */
    public sealed interface Result permits Compressed, Rejected {}

    /** A compressed (or, when {@code empty}, passed-through) chunk. */
    public record Compressed(CompressedChunk chunk, boolean empty) implements Result {}

    /** A chunk that cannot be compressed as it is, with a stable error class and a message. */
    public record Rejected(String errorClass, String message) implements Result {}

    private static final long serialVersionUID = 1L;

    private final CompressionOptions defaults;
    private final int maxTextBytes;
    private final String modelId;
    private final String modelRevision;
    private final boolean padTo512;
    private final String engineVersion = EngineVersion.get();

    public ChunkPolicy(CompressionOptions defaults, int maxTextBytes, String modelId, String modelRevision,
                       boolean padTo512) {
        this.defaults = defaults;
        this.maxTextBytes = maxTextBytes;
        this.modelId = modelId;
        this.modelRevision = modelRevision == null ? "" : modelRevision;
        this.padTo512 = padTo512;
    }

    public static ChunkPolicy of(LlmLinguaConfig c) {
        return new ChunkPolicy(c.defaults(), c.maxTextBytes(), c.modelId(), c.modelRevision(),
                c.engine().padToMaxLength());
    }

    /** True when the chunk is passed through: null, empty or whitespace-only text. */
    public static boolean isEmpty(InputChunk chunk) {
        return chunk.text() == null || chunk.text().isBlank();
    }

    /** The checks that need no engine: text size, metadata of chunks built in code (the rate is the builder's). */
    public void check(InputChunk chunk) throws ChunkRejectedException {
        String text = chunk.text();
        if (text.length() > maxTextBytes / 3) {
            int bytes = RecordCodec.utf8Length(text);
            if (bytes > maxTextBytes) {
                throw new ChunkRejectedException("Oversize", "text is " + bytes + " bytes, over the limit of "
                        + maxTextBytes + " (" + LlmLinguaOptions.MAX_TEXT_BYTES.key() + ")");
            }
        }
        if (chunk.origin() == null && chunk.metadata() != null) {
            try {
                RecordCodec.mapper().readTree(chunk.metadata());
            } catch (IOException e) {
                throw new ChunkRejectedException("InvalidField", "field 'metadata' is not JSON text");
            }
        }
    }

    /** The options for a chunk: the defaults with the chunk's rate, target token and force tokens. */
    public CompressionOptions resolve(InputChunk chunk) throws ChunkRejectedException {
        if (chunk.rate() == null && chunk.targetToken() == null && chunk.forceTokens() == null) {
            return defaults;
        }
        CompressionOptions.Builder b = defaults.toBuilder();
        if (chunk.rate() != null) {
            b.rate(chunk.rate());
        }
        if (chunk.targetToken() != null) {
            b.targetToken(chunk.targetToken());
        }
        if (chunk.forceTokens() != null) {
            b.forceTokens(chunk.forceTokens());
        }
        try {
            return b.build();
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new ChunkRejectedException("InvalidOptions", e.getMessage());
        }
    }

    /** The options a chunk is compressed with after {@link #check}; the defaults for an empty one. */
    public CompressionOptions checkAndResolve(InputChunk chunk) throws ChunkRejectedException {
        check(chunk);
        return resolve(chunk);
    }

    /** The {@code content_hash} this policy writes for {@code chunk}, or null when it rejects the chunk. */
    public String contentHash(InputChunk chunk) {
        try {
            return ContentHash.of(chunk.text(), isEmpty(chunk) ? passThroughOptions(chunk) : checkAndResolve(chunk),
                    padTo512);
        } catch (ChunkRejectedException e) {
            return null;
        }
    }

    private CompressionOptions passThroughOptions(InputChunk chunk) {
        try {
            return resolve(chunk);
        } catch (ChunkRejectedException e) {
            return defaults; // overrides do not matter for a text that is passed through
        }
    }

    /** The passed-through result of an empty chunk. */
    public CompressedChunk passThrough(InputChunk chunk, Cl100kCounter counter) {
        String text = chunk.text();
        int tokens = text == null ? 0 : counter.count(text, SpecialTokenPolicy.COUNT_AS_TEXT);
        CompressionOptions options = passThroughOptions(chunk);
        return new CompressedChunk(chunk.docId(), chunk.chunkId(), text, tokens, tokens, 1.0, 1.0, modelId,
                modelRevision, engineVersion, options.renderMode().name(), ContentHash.of(text, options, padTo512),
                RecordSource.of(chunk.origin()), chunk.metadata());
    }

    /** The output record of a compressed chunk. */
    public CompressedChunk compressed(InputChunk chunk, CompressionOptions options, CompressionResult r) {
        return new CompressedChunk(chunk.docId(), chunk.chunkId(), r.compressedPrompt(), r.originTokens(),
                r.compressedTokens(), CompressedChunk.ratio(r.originTokens(), r.compressedTokens()),
                CompressedChunk.keptFraction(r.originTokens(), r.compressedTokens()), modelId, modelRevision,
                engineVersion, options.renderMode().name(), ContentHash.of(chunk.text(), options, padTo512),
                RecordSource.of(chunk.origin()), chunk.metadata());
    }

    /**
     * Applies the policy and compresses synchronously (the CLI). Engine failures other than a refused request
     * are thrown.
     */
    public Result compress(PromptCompressor engine, Cl100kCounter counter, InputChunk chunk) {
        if (isEmpty(chunk)) {
            return new Compressed(passThrough(chunk, counter), true);
        }
        CompressionOptions options;
        try {
            options = checkAndResolve(chunk);
        } catch (ChunkRejectedException e) {
            return new Rejected(e.errorClass(), e.getMessage());
        }
        try {
            return new Compressed(compressed(chunk, options,
                    engine.compress(List.of(chunk.text()), options)), false);
        } catch (InvalidRequestException e) {
            return new Rejected(errorClass(e), e.getMessage());
        }
    }

    /**
     * The error class of a request the engine refused: {@code InvalidOptions} when its options cannot apply (e.g.
     * rate 0 on a text with tokens, which the reference raises on), else {@code InvalidRequest} (the text itself).
     */
    public static String errorClass(InvalidRequestException e) {
        return e instanceof InvalidOptionsException ? "InvalidOptions" : "InvalidRequest";
    }
}
