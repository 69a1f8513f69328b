package io.flinkllmlingua.jobs.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.flinkllmlingua.jobs.cli.CliRunner.Run;
import io.flinkllmlingua.models.ModelCatalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Random;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.flinkllmlingua.jobs.cli.CliRunner.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code llmlingua models ...}: generate and build-minilm produce directories compress can load; list; fetch refusals. */
class ModelsCommandTest {
    @TempDir
    Path tmp;

    @Test
    void generatedModelsCompress() {
        for (String family : List.of("wordpiece", "sentencepiece")) {
            Path out = tmp.resolve(family);
            Run gen = run("", "models", "generate", "--family", family, "--out", out.toString(), "--seed", "7",
                    "--layers", "1", "--hidden", "32", "--heads", "2", "--ffn", "64");
            assertEquals(0, gen.exitCode(), gen::toString);
            assertEquals(out.toString(), gen.stdout().strip());
            for (String f : List.of("model.onnx", "tokenizer.json", "config.json")) {
                assertTrue(Files.isRegularFile(out.resolve(f)), f);
            }
            Run c = run(CompressCommandTest.T1, "compress", "--model", out.toString(), "-q");
            assertEquals(0, c.exitCode(), c::toString);
            JsonNode l = c.lines().get(0);
            assertEquals(family, l.get("model").asText());
        }
        Run bad = run("", "models", "generate", "--family", "wordpiece", "--out", tmp.resolve("x").toString(),
                "--hidden", "30", "--heads", "4");
        assertEquals(LlmLinguaCli.EXIT_USAGE, bad.exitCode(), bad::toString);
    }

    @Test
    void quantizeWritesAnInt8ModelAndCompareReportsAgreement() throws Exception {
        Path src = tmp.resolve("fp32");
        Run gen = run("", "models", "generate", "--family", "wordpiece", "--out", src.toString());
        assertEquals(0, gen.exitCode(), gen::toString);
        Path out = tmp.resolve("int8");
        Run q = run("", "models", "quantize", "--model", src.toString(), "--out", out.toString());
        assertEquals(0, q.exitCode(), q::toString);
        assertEquals(out.toString(), q.stdout().strip());
        assertTrue(q.stderr().contains("quantised 12 MatMuls"), q.stderr());
        assertTrue(Files.isRegularFile(out.resolve("quantization.json")));
        Run c = run(CompressCommandTest.T1, "compress", "--model", out.toString(), "-q");
        assertEquals(0, c.exitCode(), c::toString);

        Run again = run("", "models", "quantize", "--model", src.toString(), "--out", out.toString());
        assertEquals(LlmLinguaCli.EXIT_USAGE, again.exitCode(), again::toString);
        assertTrue(again.stderr().contains("not empty"), again.stderr());
        assertTrue(!again.stderr().contains("\tat "), again.stderr());
        Run missing = run("", "models", "quantize", "--model", tmp.resolve("nope").toString(), "--out",
                tmp.resolve("o").toString());
        assertEquals(LlmLinguaCli.EXIT_USAGE, missing.exitCode(), missing::toString);

        Path corpus = tmp.resolve("corpus.jsonl");
        Files.writeString(corpus, "{\"text\": \"The quick brown fox jumps over the lazy dog.\"}\n"
                + "{\"text\": \"Flink runs the operator on every task manager of the cluster.\"}\n");
        Run same = run("", "models", "compare", "--model", src.toString(), "--against", src.toString(),
                "--corpus", corpus.toString());
        assertEquals(0, same.exitCode(), same::toString);
        assertTrue(same.stdout().contains("word keep agreement 100.00%"), same.stdout());
        assertTrue(same.stdout().contains("token p>0.5 agreement 100.00%"), same.stdout());
        Run vs = run("", "models", "compare", "--model", src.toString(), "--against", out.toString(),
                "--corpus", corpus.toString(), "--limit", "1");
        assertEquals(0, vs.exitCode(), vs::toString);
        assertTrue(vs.stdout().contains("over 1 texts"), vs.stdout());
        Files.writeString(tmp.resolve("bad.jsonl"), "{\"txt\": 1}\n");
        Run bad = run("", "models", "compare", "--model", src.toString(), "--against", out.toString(),
                "--corpus", tmp.resolve("bad.jsonl").toString());
        assertEquals(LlmLinguaCli.EXIT_USAGE, bad.exitCode(), bad::toString);
        assertTrue(bad.stderr().contains("no string field 'text'"), bad.stderr());
    }

    @Test
    void miniLmModelCompresses() {
        Path out = tmp.resolve("minilm");
        Run b = run("", "models", "build-minilm", "--out", out.toString());
        assertEquals(0, b.exitCode(), b::toString);
        Run c = run(CompressCommandTest.T1, "compress", "--model", out.toString(), "-q");
        assertEquals(0, c.exitCode(), c::toString);
    }

    @Test
    void listPrintsTheCatalogAndFetchRefusesWithoutNetworkUse() {
        Run list = run("", "models", "list");
        assertEquals(0, list.exitCode(), list::toString);
        for (String name : ModelCatalog.builtIn().names()) {
            assertTrue(list.stdout().contains(name), name);
        }
        Run json = run("", "models", "list", "--json");
        assertEquals(0, json.exitCode());
        assertTrue(json.stdout().contains("\"models\""), json.stdout());

        Run unknown = run("", "models", "fetch", "no-such-model");
        assertEquals(LlmLinguaCli.EXIT_USAGE, unknown.exitCode());
        assertTrue(unknown.stderr().contains("known models"), unknown.stderr());

        String unverified = ModelCatalog.builtIn().entries().stream().filter(e -> !e.acceptedWithoutOverride()).findFirst()
                .orElseThrow().name();
        Run refused = run("", Map.of(), "models", "fetch", unverified, "--cache", tmp.toString(),
                "--endpoint", "http://127.0.0.1:9");
        assertEquals(1, refused.exitCode());
        assertTrue(refused.stderr().contains("--allow-unverified"), refused.stderr());
        assertTrue(refused.stderr().contains("Refusing"), refused.stderr());
    }

    /**
     * A minimal BertForTokenClassification checkpoint (no encoder layers, hidden 8, random F32 weights) in the
     * safetensors layout, over the tokenizer of a generated model.
     */
    private Path tinyCheckpoint() throws Exception {
        Path tokenizer = tmp.resolve("tok");
        assertEquals(0, run("", "models", "generate", "--family", "wordpiece", "--out", tokenizer.toString()).exitCode());
        ObjectMapper json = new ObjectMapper();
        int base = json.readTree(tokenizer.resolve("config.json").toFile()).get("base_vocab_size").asInt();
        int h = 8;
        Map<String, long[]> shapes = new LinkedHashMap<>();
        shapes.put("bert.embeddings.word_embeddings.weight", new long[] {base + 100, h});
        shapes.put("bert.embeddings.position_embeddings.weight", new long[] {512, h});
        shapes.put("bert.embeddings.token_type_embeddings.weight", new long[] {2, h});
        shapes.put("bert.embeddings.LayerNorm.weight", new long[] {h});
        shapes.put("bert.embeddings.LayerNorm.bias", new long[] {h});
        shapes.put("classifier.weight", new long[] {2, h});
        shapes.put("classifier.bias", new long[] {2});
        ObjectNode header = json.createObjectNode();
        long offset = 0;
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            ObjectNode t = header.putObject(e.getKey());
            t.put("dtype", "F32");
            long n = 1;
            for (long d : e.getValue()) {
                t.withArray("shape").add(d);
                n *= d;
            }
            t.putArray("data_offsets").add(offset).add(offset + 4 * n);
            offset += 4 * n;
        }
        Path dir = tmp.resolve("checkpoint");
        Files.createDirectories(dir);
        byte[] h8 = json.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
        Random r = new Random(1);
        try (OutputStream out = Files.newOutputStream(dir.resolve("model.safetensors"))) {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h8.length).array());
            out.write(h8);
            ByteBuffer b = ByteBuffer.allocate((int) offset).order(ByteOrder.LITTLE_ENDIAN);
            while (b.hasRemaining()) {
                b.putFloat((float) r.nextGaussian());
            }
            out.write(b.array());
        }
        ObjectNode c = json.createObjectNode();
        c.putArray("architectures").add("BertForTokenClassification");
        c.put("model_type", "bert").put("hidden_size", h).put("num_hidden_layers", 0).put("num_attention_heads", 2)
                .put("intermediate_size", 16).put("vocab_size", base + 100).put("max_position_embeddings", 512);
        json.writeValue(dir.resolve("config.json").toFile(), c);
        Files.copy(tokenizer.resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
        return dir;
    }

    @Test
    void importedCheckpointCompressesAndMistakesExitTwo() throws Exception {
        Path checkpoint = tinyCheckpoint();
        Path out = tmp.resolve("imported");
        Run imp = run("", "models", "import", "--from", checkpoint.toString(), "--out", out.toString());
        assertEquals(0, imp.exitCode(), imp::toString);
        assertEquals(out.toString(), imp.stdout().strip());
        assertTrue(imp.stderr().contains("imported BertForTokenClassification: 0 layers, hidden 8, output logits"), imp.stderr());
        assertTrue(Files.isRegularFile(out.resolve("import-manifest.json")));
        Run c = run(CompressCommandTest.T1, "compress", "--model", out.toString(), "-q");
        assertEquals(0, c.exitCode(), c::toString);

        Run missing = run("", "models", "import", "--from", tmp.resolve("nowhere").toString(), "--to", out.toString());
        assertEquals(LlmLinguaCli.EXIT_USAGE, missing.exitCode(), missing::toString);
        assertTrue(missing.stderr().contains("No model.safetensors in checkpoint directory"), missing.stderr());
        assertEquals(1, missing.stderr().strip().lines().count(), missing.stderr());

        Files.write(checkpoint.resolve("model.safetensors"), new byte[] {3, 0, 0, 0, 0, 0, 0, 0, '{', '}'});
        Run truncated = run("", "models", "import", "--from", checkpoint.toString(), "--to", out.toString());
        assertEquals(LlmLinguaCli.EXIT_USAGE, truncated.exitCode(), truncated::toString);
        assertTrue(truncated.stderr().contains("truncated"), truncated.stderr());
    }
}
