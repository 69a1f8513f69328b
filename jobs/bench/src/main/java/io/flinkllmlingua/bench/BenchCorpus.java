package io.flinkllmlingua.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The corpus every path runs on: the {@code text} of the first N records of a JSONL file
 * ({@code {"doc_id","chunk_id","text","metadata"}}), in file order, plus the raw lines for the Kafka path; a file
 * with fewer than N records is cycled (the same texts again, with distinct ids).
 */
public record BenchCorpus(Path file, List<String> lines, List<String> texts) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public static BenchCorpus load(Path file, int limit) throws IOException {
        List<String> lines = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode n = JSON.readTree(line);
            if (!n.hasNonNull("text")) {
                continue;
            }
            lines.add(line);
            texts.add(n.get("text").asText());
            if (limit > 0 && texts.size() >= limit) {
                break;
            }
        }
        if (texts.isEmpty()) {
            throw new IOException("no record with a 'text' field in " + file);
        }
        // Fewer records than asked for: cycle them, cycle c >= 1 with ids "c/<doc_id>" and "c/<chunk_id>".
        int records = texts.size();
        for (int i = records; i < limit; i++) {
            int cycle = i / records;
            com.fasterxml.jackson.databind.node.ObjectNode n =
                    (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(lines.get(i % records));
            n.put("doc_id", cycle + "/" + n.path("doc_id").asText());
            n.put("chunk_id", cycle + "/" + n.path("chunk_id").asText());
            lines.add(JSON.writeValueAsString(n));
            texts.add(texts.get(i % records));
        }
        return new BenchCorpus(file, List.copyOf(lines), List.copyOf(texts));
    }

    public BenchCorpus first(int n) {
        int k = Math.min(n, texts.size());
        return new BenchCorpus(file, lines.subList(0, k), texts.subList(0, k));
    }

    public int size() {
        return texts.size();
    }

    /** One document of about {@code bytes} UTF-8 bytes, the corpus texts concatenated (repeated as needed). */
    public String document(long bytes) {
        StringBuilder sb = new StringBuilder();
        long have = 0;
        int i = 0;
        while (have < bytes) {
            String t = texts.get(i++ % texts.size());
            String piece = sb.length() == 0 ? t : "\n\n" + t;
            long pieceBytes = piece.getBytes(StandardCharsets.UTF_8).length;
            if (have + pieceBytes > bytes) {
                // Cut the last piece on a character boundary near the target size.
                int chars = (int) Math.max(1, (bytes - have) * piece.length() / pieceBytes);
                piece = piece.substring(0, Math.min(piece.length(), chars));
                pieceBytes = piece.getBytes(StandardCharsets.UTF_8).length;
            }
            sb.append(piece);
            have += pieceBytes;
        }
        return sb.toString();
    }

    /** Texts of about {@code words} whitespace-separated words each, cut from the corpus (for the length sweep). */
    public List<String> textsOfWords(int words, int count) {
        List<String> out = new ArrayList<>();
        StringBuilder sb = new StringBuilder();
        int inChunk = 0;
        int i = 0;
        while (out.size() < count && i < texts.size() * 50) {
            for (String w : texts.get(i++ % texts.size()).split("\\s+")) {
                if (w.isEmpty()) {
                    continue;
                }
                sb.append(inChunk == 0 ? "" : " ").append(w);
                if (++inChunk == words) {
                    out.add(sb.toString());
                    sb.setLength(0);
                    inChunk = 0;
                    if (out.size() == count) {
                        break;
                    }
                }
            }
        }
        return out;
    }
}
