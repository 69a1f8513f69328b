package io.flinkllmlingua.jobs.cli;

import io.flinkllmlingua.flink.JsonLines;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flinkllmlingua.engine.CompressionOptions;
import io.flinkllmlingua.engine.InvalidRequestException;
import io.flinkllmlingua.flink.ChunkRejectedException;
import io.flinkllmlingua.flink.SourceRecord;
import io.flinkllmlingua.flink.RecordCodec;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads the inputs of {@code compress} one record at a time: JSONL lines, or each plain-text input as one record
 * (one context, or one context per blank-line separated paragraph). Input is decoded as strict UTF-8 by the
 * pipeline's rule ({@link RecordCodec#strictUtf8}); lines are split by the backfill's JSONL rule ({@link JsonLines}): a line (or plain-text input) that is not UTF-8 is a failed record
 * naming the byte offset, never text with U+FFFD. JSONL records end at {@code \n} only (a {@code \r} right before it
 * belongs to the line ending; a lone {@code \r} is inside the record). Blank lines are not records; they are
 * counted ({@link #blankLines()}). {@code "-"} is standard input.
 */
final class RecordReader implements Closeable {
    /** Fields copied from an input record to its output and error lines. */
    static final List<String> ID_FIELDS = List.of("id", "doc_id", "chunk_id");
    static final String STDIN = "-";

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);
    private static final Pattern PARAGRAPH_BREAK = Pattern.compile("\\R[ \\t\\x0B\\f]*\\R\\s*");

    private final List<String> sources;
    private final InputStream stdin;
    private final boolean jsonl;
    private final boolean splitParagraphs;
    private final CompressionOptions base;
    private boolean chunks;
    private int nextSource;
    private InputStream current;
    private String currentName;
    private long lineNumber;
    private long blankLines;
    private final ByteArrayOutputStream lineBuffer = new ByteArrayOutputStream(1024);

    RecordReader(List<String> sources, InputStream stdin, boolean jsonl, boolean splitParagraphs,
                 CompressionOptions base) {
        this.sources = List.copyOf(sources);
        this.stdin = stdin;
        this.jsonl = jsonl;
        this.splitParagraphs = splitParagraphs;
        this.base = base;
    }

    /** JSONL lines are the pipeline's input chunks ({@code --chunks}). */
    RecordReader chunks(boolean on) {
        this.chunks = on;
        return this;
    }

    /** The next record, or null at the end of the last input. */
    InputRecord next() throws IOException {
        if (!jsonl) {
            if (nextSource >= sources.size()) {
                return null;
            }
            String source = sources.get(nextSource++);
            byte[] bytes;
            try (InputStream in = open(source)) {
                bytes = in.readAllBytes();
            }
            String text;
            try {
                text = RecordCodec.strictUtf8(bytes);
            } catch (ChunkRejectedException e) {
                return InputRecord.failed(displayName(source), 0, null, JSON.createObjectNode(), e.getMessage());
            }
            List<String> contexts = splitParagraphs ? paragraphs(text) : List.of(text);
            return new InputRecord(displayName(source), 0, null, JSON.createObjectNode(), contexts, base, null);
        }
        while (true) {
            if (current == null) {
                if (nextSource >= sources.size()) {
                    return null;
                }
                String source = sources.get(nextSource++);
                current = new BufferedInputStream(open(source), 1 << 16);
                currentName = displayName(source);
                lineNumber = 0;
            }
            byte[] line = JsonLines.readLine(current, lineBuffer);
            if (line == null) {
                closeCurrent();
                continue;
            }
            lineNumber++;
            if (JsonLines.isBlank(line)) {
                blankLines++;
                continue;
            }
            if (chunks) {
                return parseChunkLine(currentName, lineNumber, line);
            }
            String text;
            try {
                text = RecordCodec.strictUtf8(line);
            } catch (ChunkRejectedException e) {
                return InputRecord.failed(currentName, lineNumber, new String(line, StandardCharsets.UTF_8),
                        JSON.createObjectNode(), e.getMessage());
            }
            return parseLine(currentName, lineNumber, text, base);
        }
    }

    /** Blank JSONL lines skipped so far (only spaces, tabs or carriage returns). */
    long blankLines() {
        return blankLines;
    }

    /**
     * Parses one {@code --chunks} line with the pipeline's codec ({@link RecordCodec}): an input chunk, or the error
     * class and message of its dead letter. The line is its origin: topic {@code file:NAME} (or {@code stdin}),
     * partition 0, offset the line number.
     */
    static InputRecord parseChunkLine(String file, long line, byte[] value) {
        SourceRecord origin = new SourceRecord(file == null ? "stdin" : "file:" + file, 0, line, 0L, null,
                value, new String[0], new byte[0][]);
        String raw = new String(value, StandardCharsets.UTF_8);
        try {
            return InputRecord.chunk(file, line, raw, RecordCodec.decode(origin), origin, null, null);
        } catch (ChunkRejectedException e) {
            return InputRecord.chunk(file, line, raw, null, origin, e.errorClass(), e.getMessage());
        }
    }

    /** Parses one JSONL line into a record; problems become an error record, never an exception. */
    static InputRecord parseLine(String file, long line, String raw, CompressionOptions base) {
        JsonNode root;
        try {
            root = JSON.readTree(raw);
        } catch (JsonProcessingException e) {
            return InputRecord.failed(file, line, raw, JSON.createObjectNode(), "invalid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            return InputRecord.failed(file, line, raw, JSON.createObjectNode(),
                    "record must be a JSON object, got " + (root == null ? "nothing" : root.getNodeType().toString().toLowerCase()));
        }
        ObjectNode ids = JSON.createObjectNode();
        for (String f : ID_FIELDS) {
            if (root.has(f)) {
                ids.set(f, root.get(f));
            }
        }
        try {
            List<String> contexts = contexts(root);
            CompressionOptions options = overrides(root, base);
            return new InputRecord(file, line, raw, ids, contexts, options, null);
        } catch (InvalidRequestException e) {
            return InputRecord.failed(file, line, raw, ids, e.getMessage());
        }
    }

    private static List<String> contexts(JsonNode root) {
        JsonNode text = root.get("text");
        JsonNode contexts = root.get("contexts");
        boolean hasText = text != null && !text.isNull();
        boolean hasContexts = contexts != null && !contexts.isNull();
        if (hasText && hasContexts) {
            throw new InvalidRequestException("record has both 'text' and 'contexts'");
        }
        if (hasText) {
            if (!text.isTextual()) {
                throw new InvalidRequestException("'text' must be a string, got " + kind(text));
            }
            return List.of(text.textValue());
        }
        if (hasContexts) {
            if (!contexts.isArray()) {
                throw new InvalidRequestException("'contexts' must be an array of strings, got " + kind(contexts));
            }
            List<String> out = new ArrayList<>(contexts.size());
            for (JsonNode c : contexts) {
                if (!c.isTextual()) {
                    throw new InvalidRequestException("'contexts' must hold strings only, got " + kind(c));
                }
                out.add(c.textValue());
            }
            return out;
        }
        throw new InvalidRequestException("record has no 'text' (string) or 'contexts' (array of strings)");
    }

    /** The command's options with the record's {@code rate}, {@code target_token} and {@code force_tokens}. */
    private static CompressionOptions overrides(JsonNode root, CompressionOptions base) {
        JsonNode rate = present(root, "rate");
        JsonNode targetToken = present(root, "target_token");
        JsonNode forceTokens = present(root, "force_tokens");
        if (rate == null && targetToken == null && forceTokens == null) {
            return base;
        }
        CompressionOptions.Builder b = base.toBuilder();
        if (rate != null) {
            if (!rate.isNumber()) {
                throw new InvalidRequestException("'rate' must be a number, got " + kind(rate));
            }
            b.rate(rate.doubleValue());
        }
        if (targetToken != null) {
            if (!targetToken.isNumber()) {
                throw new InvalidRequestException("'target_token' must be a number, got " + kind(targetToken));
            }
            b.targetToken(targetToken.doubleValue());
        }
        if (forceTokens != null) {
            if (!forceTokens.isArray()) {
                throw new InvalidRequestException("'force_tokens' must be an array of strings, got " + kind(forceTokens));
            }
            List<String> tokens = new ArrayList<>(forceTokens.size());
            for (JsonNode t : forceTokens) {
                if (!t.isTextual()) {
                    throw new InvalidRequestException("'force_tokens' must hold strings only, got " + kind(t));
                }
                tokens.add(t.textValue());
            }
            b.forceTokens(tokens);
        }
        return b.build();
    }

    private static JsonNode present(JsonNode root, String field) {
        JsonNode n = root.get(field);
        return n == null || n.isNull() ? null : n;
    }

    private static String kind(JsonNode n) {
        return n.getNodeType().toString().toLowerCase();
    }

    /** Blank-line separated paragraphs, without their surrounding whitespace; empty ones are dropped. */
    static List<String> paragraphs(String text) {
        List<String> out = new ArrayList<>();
        for (String p : PARAGRAPH_BREAK.split(text)) {
            String s = p.strip();
            if (!s.isEmpty()) {
                out.add(s);
            }
        }
        return out;
    }

    private InputStream open(String source) throws IOException {
        return STDIN.equals(source) ? new NonClosingInputStream(stdin) : Files.newInputStream(Path.of(source));
    }

    private static String displayName(String source) {
        return STDIN.equals(source) ? null : source;
    }

    private void closeCurrent() throws IOException {
        if (current != null) {
            try {
                current.close();
            } finally {
                current = null;
            }
        }
    }

    @Override
    public void close() throws IOException {
        closeCurrent();
    }

    /** Standard input must stay open for the caller (tests run several commands in one JVM). */
    private static final class NonClosingInputStream extends java.io.FilterInputStream {
        NonClosingInputStream(InputStream in) {
            super(in);
        }

        @Override
        public void close() {
        }
    }
}
