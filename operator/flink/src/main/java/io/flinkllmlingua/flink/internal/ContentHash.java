package io.flinkllmlingua.flink.internal;

import io.flinkllmlingua.engine.CompressionOptions;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The {@code content_hash} of a compressed chunk: hex SHA-256 of the text and of the RESOLVED compression options
 * (the configured defaults with the record's own {@code rate}/{@code target_token}/{@code force_tokens} applied),
 * plus the engine's pad-to-512 setting. Resolved values, not their spelling: {@code rate=0.50} and an unset rate
 * whose default is 0.5 give the same hash. The model is compared separately (the record's {@code model}).
 */
public final class ContentHash {
    private ContentHash() {}

    public static String of(String text, CompressionOptions o, boolean padTo512) {
        StringBuilder fp = new StringBuilder(256);
        fp.append("v1")
                .append("|rate=").append(o.rate())
                .append("|target_token=").append(o.targetToken())
                .append("|force_tokens=").append(list(o.forceTokens()))
                .append("|force_reserve_digit=").append(o.forceReserveDigit())
                .append("|drop_consecutive=").append(o.dropConsecutive())
                .append("|chunk_end_tokens=").append(list(o.chunkEndTokens()))
                .append("|token_to_word=").append(o.tokenToWord())
                .append("|token_level_filter=").append(o.useTokenLevelFilter())
                .append("|context_level_filter=").append(o.useContextLevelFilter())
                .append("|target_context=").append(o.targetContext())
                .append("|context_level_rate=").append(o.contextLevelRate())
                .append("|context_level_target_token=").append(o.contextLevelTargetToken())
                .append("|force_context_ids=").append(o.forceContextIds())
                .append("|render_mode=").append(o.renderMode())
                .append("|special_tokens=").append(o.specialTokenPolicy())
                .append("|pad_to_512=").append(padTo512);
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update((text == null ? "" : text).getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(fp.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Elements with their lengths, so that no separator inside an element can make two lists collide. */
    private static String list(List<String> items) {
        StringBuilder sb = new StringBuilder("[");
        for (String s : items) {
            sb.append(s.length()).append(':').append(s).append(',');
        }
        return sb.append(']').toString();
    }
}
