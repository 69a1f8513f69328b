package io.flinkllmlingua.jobs.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.flinkllmlingua.jobs.cli.CliRunner.Run;
import io.flinkllmlingua.models.ModelCatalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
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

        String unverified = ModelCatalog.builtIn().entries().stream().filter(e -> !e.verified()).findFirst()
                .orElseThrow().name();
        Run refused = run("", Map.of(), "models", "fetch", unverified, "--cache", tmp.toString(),
                "--endpoint", "http://127.0.0.1:9");
        assertEquals(1, refused.exitCode());
        assertTrue(refused.stderr().contains("--allow-unverified"), refused.stderr());
        assertTrue(refused.stderr().contains("Refusing"), refused.stderr());
    }
}
