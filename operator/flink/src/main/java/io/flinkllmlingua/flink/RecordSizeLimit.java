package io.flinkllmlingua.flink;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import java.util.function.ToIntFunction;

/**
 * The size policy of every sink: a record larger than the sink's limit (Kafka's producer {@code max.request.size})
 * is never handed to the sink, because the sink would fail, the job restart and meet the same record again. A dead
 * letter that is too large keeps a prefix of its original value, cut so that the whole record fits, and says so
 * ({@code value_truncated}); {@code value_bytes} and {@code value_sha256} still describe the whole original.
 */
public final class RecordSizeLimit {
    /** Below this the metadata of a dead letter alone may not fit: a limit this small is a configuration mistake. */
    public static final int MIN_LIMIT_BYTES = 4096;

    private RecordSizeLimit() {}

    /**
     * {@code d} made to fit: unchanged when {@code size.applyAsInt(d) <= limit}, else with a shorter prefix of its
     * value, else (a huge key or headers) also without its key and headers; empty when even that does not fit.
     *
     * @param size the serialised size of a dead letter as the sink writes it (JSON plus the sink's own overhead)
     */
    public static Optional<DeadLetter> fit(DeadLetter d, int limit, ToIntFunction<DeadLetter> size) {
        int n = size.applyAsInt(d);
        if (n <= limit) {
            return Optional.of(d);
        }
        byte[] original = d.valueAsBytes();
        if (original != null) {
            int keep = original.length;
            // JSON escaping and base64 make the written value longer than its bytes: shrink by the measured excess
            // scaled by that expansion, a few rounds at most.
            for (int round = 0; round < 8 && keep > 0; round++) {
                int written = Math.max(1, n - size.applyAsInt(withValuePrefix(d, original, 0)));
                double expansion = Math.max(1.0, written / (double) Math.max(1, keep));
                keep = Math.max(0, keep - (int) Math.ceil((n - limit) / expansion) - 16);
                DeadLetter cut = withValuePrefix(d, original, keep);
                n = size.applyAsInt(cut);
                if (n <= limit) {
                    return Optional.of(cut);
                }
            }
            d = withValuePrefix(d, original, 0);
            if (size.applyAsInt(d) <= limit) {
                return Optional.of(d);
            }
        }
        DeadLetter bare = new DeadLetter(d.docId(), d.chunkId(), new DeadLetter.Error(d.error().errorClass(),
                d.error().message() + " (key and headers dropped: the dead letter exceeded the record limit)",
                d.error().attempts()), d.source(), null, null, d.value(), d.valueEncoding(), d.valueBytes(),
                d.valueSha256(), d.valueTruncated(), null, d.failedAt(), d.engineVersion());
        return size.applyAsInt(bare) <= limit ? Optional.of(bare) : Optional.empty();
    }

    /** {@code d} whose value is the first {@code keep} bytes of {@code original} (fewer, at a character boundary, for text). */
    static DeadLetter withValuePrefix(DeadLetter d, byte[] original, int keep) {
        if (keep >= original.length && !d.valueTruncated()) {
            return d;
        }
        boolean text = !"base64".equals(d.valueEncoding());
        int end = Math.min(keep, original.length);
        if (text) {
            // never split a UTF-8 sequence: back off over continuation bytes to the start of the cut character
            while (end > 0 && end < original.length && (original[end] & 0xC0) == 0x80) {
                end--;
            }
        }
        byte[] prefix = Arrays.copyOf(original, end);
        String value = text ? new String(prefix, StandardCharsets.UTF_8) : Base64.getEncoder().encodeToString(prefix);
        return new DeadLetter(d.docId(), d.chunkId(), d.error(), d.source(), d.key(), d.keyEncoding(), value,
                d.valueEncoding(), d.valueBytes(), d.valueSha256(), true, d.headers(), d.failedAt(), d.engineVersion());
    }
}
