package io.flinkllmlingua.models;

import io.flinkllmlingua.engine.ModelFamily;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelCatalogTest {
    private static final String SHA_A = "a".repeat(64);
    private static final String SHA_B = "B".repeat(64);

    private static ModelCatalog parse(String json) throws Exception {
        return ModelCatalog.parse(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), "test.json");
    }

    private static String userCatalog(String fileExtras) {
        return "{\"schemaVersion\":1,\"models\":[{\"name\":\"my-model\",\"repo\":\"me/my-export\","
                + "\"revision\":\"0123456789abcdef0123456789abcdef01234567\",\"family\":\"wordpiece\",\"files\":["
                + "{\"path\":\"onnx/model.onnx\",\"localName\":\"model.onnx\",\"size\":10,\"sha256\":\"" + SHA_A + "\"" + fileExtras + "},"
                + "{\"path\":\"tokenizer.json\",\"size\":5,\"sha256\":\"" + SHA_B + "\"}]}]}";
    }

    @Test
    void builtInCatalogHasTheOfficialExportsAtPinnedRevisions() {
        ModelCatalog catalog = ModelCatalog.builtIn();
        assertEquals(List.of("microsoft-bert-base-multilingual-cased-meetingbank", "microsoft-xlm-roberta-large-meetingbank",
                "xlm-roberta-large-meetingbank", "xlm-roberta-large-meetingbank-int8",
                "bert-base-multilingual-cased-meetingbank", "bert-base-multilingual-cased-meetingbank-int8"), catalog.names());
        for (ModelEntry e : catalog.entries()) {
            assertTrue(e.pinnedRevision(), e + " must be pinned to a commit sha");
            assertFalse(e.provenance().isBlank(), e + " must say where its revision and files come from");
            Set<String> local = e.files().stream().map(ModelFile::localName).collect(Collectors.toSet());
            assertTrue(local.contains(e.checkpoint() ? "model.safetensors" : "model.onnx")
                    && local.contains("tokenizer.json") && local.contains("config.json"), e.toString());
            // Hashes are only ever recorded when they were found; an entry is verified exactly when all files have one.
            assertEquals(e.files().stream().allMatch(ModelFile::verified), e.verified(), e.toString());
        }
        ModelEntry xlmr = catalog.get("xlm-roberta-large-meetingbank");
        assertEquals(ModelFamily.SENTENCEPIECE, xlmr.modelFamily());
        assertEquals("atjsh/llmlingua-2-js-xlm-roberta-large-meetingbank", xlmr.repo());
        assertTrue(xlmr.files().stream().anyMatch(f -> f.path().equals("onnx/model.onnx_data") && f.localName().equals("model.onnx_data")));
        ModelEntry bert = catalog.get("bert-base-multilingual-cased-meetingbank-int8");
        assertEquals(ModelFamily.WORDPIECE, bert.modelFamily());
        assertEquals("int8", bert.precision());
        assertTrue(bert.files().stream().anyMatch(f -> f.path().equals("onnx/model_quantized.onnx") && f.localName().equals("model.onnx")));
    }

    @Test
    void theFirstPartyMultilingualBertNeedsNoOverrideAndOnlyItsTextFilesAreTrustedByRevision() {
        ModelEntry e = ModelCatalog.builtIn().get("microsoft-bert-base-multilingual-cased-meetingbank");
        assertEquals("microsoft/llmlingua-2-bert-base-multilingual-cased-meetingbank", e.repo());
        assertEquals("5f0c82792b7ea14c6484e015b6a072009496b7f2", e.revision());
        assertTrue(e.checkpoint());
        assertTrue(e.acceptedWithoutOverride());
        assertFalse(e.verified()); // the text files have no pinned SHA-256
        ModelFile weights = e.files().get(0);
        assertEquals("model.safetensors", weights.localName());
        assertEquals("22b9ecde52fec5c97e8c54a293be768727df95a81c6c8dccb03f262a50c58324", weights.sha256());
        assertEquals(709_388_104L, weights.size().getAsLong());
        for (ModelFile f : e.files().subList(1, e.files().size())) {
            assertTrue(f.trustedByRevision() && f.sha256() == null, f.toString());
        }
        ModelEntry xlmr = ModelCatalog.builtIn().get("microsoft-xlm-roberta-large-meetingbank");
        assertEquals("ebaba9b0e874dadd3003ffcff828e4397e568089", xlmr.revision());
        assertEquals(List.of("model.safetensors"), xlmr.filesNeedingOverride().stream().map(ModelFile::path).toList());
    }

    @Test
    void trustByRevisionIsRefusedForWeightsAndForMovableRevisions() {
        String weights = "{\"models\":[{\"name\":\"m\",\"repo\":\"a/b\",\"revision\":\"0123456789abcdef0123456789abcdef01234567\","
                + "\"family\":\"wordpiece\",\"format\":\"safetensors\",\"files\":["
                + "{\"path\":\"model.safetensors\",\"sha256\":null,\"trust\":\"revision\"},"
                + "{\"path\":\"config.json\",\"sha256\":null,\"trust\":\"revision\"},{\"path\":\"tokenizer.json\",\"sha256\":null}]}]}";
        assertInvalid(weights, "holds weights");
        String movable = weights.replace("0123456789abcdef0123456789abcdef01234567", "main")
                .replace("{\"path\":\"model.safetensors\",\"sha256\":null,\"trust\":\"revision\"}",
                        "{\"path\":\"model.safetensors\",\"sha256\":\"" + SHA_A + "\"}");
        assertInvalid(movable, "must then be a full 40-digit commit sha");
        assertInvalid(weights.replace("\"format\":\"safetensors\"", "\"format\":\"pt\""), "\"format\" must be");
    }

    @Test
    void builtInEntriesWithoutHashesSayUnverified() {
        for (ModelEntry e : ModelCatalog.builtIn().entries()) {
            for (ModelFile f : e.files()) {
                if (f.sha256() == null) {
                    assertFalse(e.verified(), e.toString());
                    assertTrue(e.unverifiedFiles().contains(f));
                }
            }
        }
    }

    @Test
    void readsAUserCatalogFileAndRoundTripsIt(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("catalog.json");
        Files.writeString(file, userCatalog(""));

        ModelCatalog catalog = ModelCatalog.load(file);

        ModelEntry e = catalog.get("my-model");
        assertTrue(e.verified());
        assertEquals("wordpiece", e.family());
        assertEquals(10L, e.files().get(0).size().getAsLong());
        assertEquals("tokenizer.json", e.files().get(1).localName(), "localName defaults to the last path segment");
        assertEquals(SHA_B.toLowerCase(), e.files().get(1).sha256(), "hashes are normalised to lowercase");
        assertEquals(catalog.entries(), parse(catalog.toJson()).entries());
    }

    @Test
    void mergeReplacesEntriesByName() throws Exception {
        ModelCatalog merged = ModelCatalog.builtIn().merge(parse(userCatalog("")));
        assertTrue(merged.names().contains("my-model"));
        assertTrue(merged.names().contains("xlm-roberta-large-meetingbank"));
        assertTrue(merged.get("my-model").verified());
    }

    @Test
    void unknownNameListsTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelCatalog.builtIn().get("nope"));
        assertTrue(e.getMessage().contains("unknown model 'nope'"), e.getMessage());
        assertTrue(e.getMessage().contains("bert-base-multilingual-cased-meetingbank"), e.getMessage());
    }

    @Test
    void rejectsInvalidCatalogs() {
        assertInvalid(userCatalog(",\"sha\":\"x\""), "unknown key \"sha\"");
        assertInvalid(userCatalog(",\"verified\":false"), "declares \"verified\": false but has a sha256");
        assertInvalid(userCatalog("").replace(SHA_A, "abc"), "invalid SHA-256");
        assertInvalid(userCatalog("").replace("onnx/model.onnx", "../model.onnx"), "invalid repository path");
        assertInvalid(userCatalog("").replace("\"localName\":\"model.onnx\"", "\"localName\":\"sub/model.onnx\""), "invalid local file name");
        assertInvalid(userCatalog("").replace("wordpiece", "bpe"), "Unknown model family");
        assertInvalid(userCatalog("").replace("\"size\":10", "\"size\":\"10\""), "\"size\" must be an integer");
        assertInvalid(userCatalog("").replace("\"localName\":\"model.onnx\"", "\"localName\":\"tokenizer.json\""), "two files map to local name");
        assertInvalid(userCatalog("").replace("me/my-export", "not-a-repo"), "invalid hub repository id");
        String one = userCatalog("");
        String models = one.substring(one.indexOf('[') + 1, one.lastIndexOf(']'));
        assertInvalid("{\"models\":[" + models + "," + models + "]}", "defined twice");
        assertInvalid("{\"models\":{}}", "\"models\" must be an array");
        assertInvalid("{\"schemaVersion\":2,\"models\":[]}", "unsupported schemaVersion");
        assertInvalid("not json", "not valid JSON");
    }

    @Test
    void declaredVerifiedTrueNeedsEveryHash() {
        String json = "{\"models\":[{\"name\":\"m\",\"repo\":\"a/b\",\"revision\":\"main\",\"family\":\"sentencepiece\",\"verified\":true,"
                + "\"files\":[{\"path\":\"model.onnx\",\"sha256\":null}]}]}";
        assertInvalid(json, "declares \"verified\": true but some files have no sha256");
    }

    @Test
    void unpinnedRevisionIsAcceptedButReported() throws Exception {
        String json = "{\"models\":[{\"name\":\"m\",\"repo\":\"a/b\",\"revision\":\"main\",\"family\":\"xlm-roberta\","
                + "\"files\":[{\"path\":\"model.onnx\",\"sha256\":null,\"verified\":false}]}]}";
        ModelEntry e = parse(json).get("m");
        assertFalse(e.pinnedRevision());
        assertFalse(e.verified());
        assertEquals("sentencepiece", e.family());
        assertNull(e.files().get(0).sha256());
    }

    private static void assertInvalid(String json, String expectedMessagePart) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse(json), json);
        assertTrue(e.getMessage().contains(expectedMessagePart), "message '" + e.getMessage() + "' lacks '" + expectedMessagePart + "'");
        assertTrue(e.getMessage().startsWith("test.json"), e.getMessage());
    }
}
