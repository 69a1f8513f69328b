package io.flinkllmlingua.jobs.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flinkllmlingua.engine.CompressionResult;
import io.flinkllmlingua.engine.CompressionTimings;
import io.flinkllmlingua.engine.WordLabel;
import io.flinkllmlingua.flink.CompressedChunk;
import io.flinkllmlingua.flink.DeadLetter;
import io.flinkllmlingua.flink.RecordCodec;

import java.util.List;

/** The JSON lines {@code compress} writes: one result or one error per input record. */
final class OutputFormat {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String modelId;

    OutputFormat(String modelId) {
        this.modelId = modelId;
    }

    /** The result line of a compressed record. */
    String result(InputRecord in, CompressionResult r) {
        ObjectNode out = JSON.createObjectNode();
        out.setAll(in.ids());
        if (in.file() != null && in.line() == 0) {
            out.put("file", in.file());
        }
        out.put("compressed_text", r.compressedPrompt());
        ArrayNode list = out.putArray("compressed_list");
        r.compressedPromptList().forEach(list::add);
        out.put("original_tokens", r.originTokens());
        out.put("compressed_tokens", r.compressedTokens());
        out.put("ratio", r.ratio());
        // The kept fraction in [0, 1] as on every path; the reference's percentage under an unambiguous name.
        out.put("kept_fraction", CompressedChunk.keptFraction(r.originTokens(), r.compressedTokens()));
        out.put("rate_percent", r.ratePercent());
        out.put("ratio_text", r.ratioText());
        out.put("rate_text", r.rateText());
        out.put("saving", r.savingText());
        out.put("model", modelId);
        out.put("render_mode", EnumConverter.display(in.options().renderMode()));
        details(out, r, false);
        return write(out);
    }

    /**
     * The line of a {@code --chunks} record: the pipeline's CompressedChunk JSON, with {@code details} the CLI's
     * extra fields after it ({@code compressed_list}, {@code rate_percent}, {@code ratio_text}, {@code rate_text},
     * {@code saving}, {@code chunks}, {@code timings_ms}, and {@code word_labels} with {@code --word-labels}).
     * A passed-through empty text has no engine result, so no extras.
     */
    String chunk(CompressedChunk c, CompressionResult r, boolean details) {
        if (!details || r == null) {
            return RecordCodec.toJson(c);
        }
        ObjectNode out = RecordCodec.mapper().valueToTree(c);
        ArrayNode list = out.putArray("compressed_list");
        r.compressedPromptList().forEach(list::add);
        out.put("rate_percent", r.ratePercent());
        out.put("ratio_text", r.ratioText());
        out.put("rate_text", r.rateText());
        out.put("saving", r.savingText());
        details(out, r, true);
        return write(out);
    }

    /** The dead-letter line of a {@code --chunks} record. */
    String deadLetter(DeadLetter d) {
        return RecordCodec.toJson(d);
    }

    private static void details(ObjectNode out, CompressionResult r, boolean chunkRecord) {
        out.put("chunks", r.chunks());
        CompressionTimings t = r.timings();
        ObjectNode timings = out.putObject("timings_ms");
        timings.put("preprocess", millis(t.preprocessNanos()));
        timings.put("inference", millis(t.inferenceNanos()));
        timings.put("selection", millis(t.selectionNanos()));
        timings.put("total", millis(t.totalNanos()));
        if (r.wordLabels() != null) {
            ArrayNode contexts = out.putArray("word_labels");
            for (List<WordLabel> words : r.wordLabels()) {
                ArrayNode ctx = contexts.addArray();
                for (WordLabel w : words) {
                    ctx.addArray().add(w.word()).add(w.kept() ? 1 : 0);
                }
            }
            out.put("labeled_original_prompt", r.labeledOriginalPrompt());
        }
    }

    /** The error line of a record that could not be compressed. */
    String error(InputRecord in, String message) {
        ObjectNode out = JSON.createObjectNode();
        out.put("error", message);
        if (in.file() != null) {
            out.put("file", in.file());
        }
        if (in.raw() != null) {
            out.put("line", in.line());
            out.put("input", in.raw());
        }
        if (in.ids() != null) {
            out.setAll(in.ids());
        }
        return write(out);
    }

    private static String write(ObjectNode node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a JSON tree", e);
        }
    }

    private static double millis(long nanos) {
        return Math.round(nanos / 1_000.0) / 1_000.0;
    }
}
