package io.flinkllmlingua.testkit;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the jobs tests find the test data in the repository ({@code src/test-data}, see its README): the system
 * property {@value #PROPERTY} when set, else the first directory upwards from the working directory that contains
 * {@code src/test-data/README.md}. Fails with one clear message when neither finds it; never skips. The only
 * locator of the jobs test tree.
 */
public final class TestData {
    /** System property naming the test-data folder (the parent pom's surefire/failsafe configuration sets it). */
    public static final String PROPERTY = "llmlingua.test-data";

    private static volatile Path root;

    private TestData() {}

    /** The {@code src/test-data} folder. */
    public static Path root() {
        Path r = root;
        if (r == null) {
            root = r = locate();
        }
        return r;
    }

    /** The Debian documentation corpora folder ({@code docs-en.jsonl}, {@code docs-multilingual.jsonl}). */
    public static Path corpora() {
        return existing(root().resolve("corpora"));
    }

    /** One corpus file, e.g. {@code docs-en.jsonl}. */
    public static Path corpus(String file) {
        Path f = corpora().resolve(file);
        if (!Files.isRegularFile(f)) {
            throw new IllegalStateException("Test data file " + f + " is missing: the checkout is incomplete");
        }
        return f;
    }

    /** The reference vectors: {@code cases.jsonl} and one folder per tiny model ({@code wordpiece-tiny}, ...). */
    public static Path referenceVectors() {
        return existing(root().resolve("reference-vectors"));
    }

    private static Path existing(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("Test data folder " + dir + " is missing: the checkout is incomplete");
        }
        return dir;
    }

    private static Path locate() {
        String p = System.getProperty(PROPERTY);
        if (p != null && !p.isBlank()) {
            Path dir = Path.of(p).toAbsolutePath().normalize();
            if (!Files.isRegularFile(dir.resolve("README.md"))) {
                throw new IllegalStateException("-D" + PROPERTY + "=" + p + " is not the test-data folder (no "
                        + dir.resolve("README.md") + ")");
            }
            return dir;
        }
        Path start = Path.of("").toAbsolutePath();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("src").resolve("test-data");
            if (Files.isRegularFile(candidate.resolve("README.md"))) {
                return candidate;
            }
        }
        throw new IllegalStateException("Cannot find the test data: no src/test-data/README.md in " + start
                + " or any folder above it, and -D" + PROPERTY + " is not set");
    }
}
