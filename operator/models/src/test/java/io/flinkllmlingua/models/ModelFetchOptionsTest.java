package io.flinkllmlingua.models;

import io.flinkllmlingua.models.internal.HubUrls;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelFetchOptionsTest {
    @Test
    void defaultsWithoutEnvironment() {
        ModelFetchOptions o = ModelFetchOptions.builderFromEnvironment(Map.of(), "/home/u").build();
        assertEquals(URI.create("https://huggingface.co"), o.endpoint());
        assertNull(o.token());
        assertEquals(Path.of("/home/u", ".cache", "flink-llmlingua"), o.cacheRoot());
        assertFalse(o.allowUnverified());
        assertEquals(5, o.maxAttempts());
    }

    @Test
    void environmentOverridesEndpointTokenAndCache() {
        ModelFetchOptions o = ModelFetchOptions.builderFromEnvironment(Map.of(
                "LLMLINGUA_HF_ENDPOINT", "https://hf-mirror.example/",
                "HF_TOKEN", "hf_secret",
                "LLMLINGUA_CACHE", "/data/cache"), "/home/u").build();
        assertEquals(URI.create("https://hf-mirror.example"), o.endpoint());
        assertEquals("hf_secret", o.token());
        assertEquals(Path.of("/data/cache"), o.cacheRoot());
        assertFalse(o.toString().contains("hf_secret"), "the token must not be printed");
    }

    @Test
    void modelDirectoryAndUrlFollowTheDocumentedLayout() {
        ModelFetchOptions o = ModelFetchOptions.builder().cacheRoot(Path.of("/c")).endpoint("http://127.0.0.1:9/base/").build();
        ModelEntry e = ModelEntry.builder("m").repo("o/r").revision("0123456789abcdef0123456789abcdef01234567")
                .family("wordpiece").file("onnx/my model.onnx", "model.onnx", null, null).build();
        ModelFetcher f = new ModelFetcher(o);
        assertEquals(Path.of("/c/models/m/0123456789abcdef0123456789abcdef01234567"), f.modelDirectory(e));
        assertEquals("http://127.0.0.1:9/base/o/r/resolve/0123456789abcdef0123456789abcdef01234567/onnx/my%20model.onnx",
                f.url(e, e.files().get(0)).toString());
    }

    @Test
    void rejectsBadSettings() {
        assertThrows(IllegalArgumentException.class, () -> ModelFetchOptions.builder().endpoint("ftp://x"));
        assertThrows(IllegalArgumentException.class, () -> ModelFetchOptions.builder().maxAttempts(0));
        assertTrue(HubUrls.sameOrigin(URI.create("https://h.co/a"), URI.create("https://H.co:443/b")));
        assertFalse(HubUrls.sameOrigin(URI.create("https://h.co/a"), URI.create("https://cdn.h.co/b")));
    }
}
