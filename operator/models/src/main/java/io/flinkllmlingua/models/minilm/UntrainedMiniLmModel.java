package io.flinkllmlingua.models.minilm;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The benchmarks' model: the MiniLM-based token classifier with its untrained head ({@link MiniLmModelBuilder}),
 * built once from the Maven-shipped encoder into the user cache. Real tokenization and encoder compute, so the speed
 * of a real small model; its keep decisions are meaningless. (The embedded default's demo model, which compresses
 * sensibly, is {@code io.flinkllmlingua.training.demo.TeacherDemoModel}: the same encoder with a trained head.)
 */
public final class UntrainedMiniLmModel {
    public static final String MODEL_ID = "minilm-l6-untrained-head (not LLMLingua-2 weights)";

    private UntrainedMiniLmModel() {}

    /** {@code $LLMLINGUA_CACHE} or {@code ~/.cache/flink-llmlingua}, then {@code models/minilm-l6-untrained}. */
    public static Path directory() {
        String cache = System.getenv("LLMLINGUA_CACHE");
        Path root = cache != null && !cache.isBlank() ? Path.of(cache)
                : Path.of(System.getProperty("user.home"), ".cache", "flink-llmlingua");
        return root.resolve("models").resolve("minilm-l6-untrained");
    }

    /** Builds the model if the cache does not hold it yet; returns its directory. */
    public static Path ensure(PrintStream log) throws IOException {
        Path dir = directory();
        if (Files.isRegularFile(dir.resolve("model.onnx")) && Files.isRegularFile(dir.resolve("config.json"))) {
            return dir;
        }
        Path tmp = Files.createTempDirectory(dir.getParent() == null ? Path.of(".") : createParent(dir), "minilm-build");
        MiniLmModel m = MiniLmModelBuilder.build(tmp);
        try {
            Files.move(tmp, dir);
        } catch (IOException e) {
            if (!Files.isRegularFile(dir.resolve("model.onnx"))) {
                throw e; // not a concurrent build that won the race
            }
        }
        log.printf(Locale.ROOT, "Built the MiniLM model (MiniLM-L6 encoder + untrained head, %.1f MB) in %d ms: %s%n",
                m.modelBytes() / 1e6, m.millis(), dir);
        return dir;
    }

    private static Path createParent(Path dir) throws IOException {
        return Files.createDirectories(dir.getParent());
    }
}
