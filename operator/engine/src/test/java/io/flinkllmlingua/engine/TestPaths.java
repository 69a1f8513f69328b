package io.flinkllmlingua.engine;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locations of the test data in the repository ({@code src/test-data}, see its README): the system property
 * {@value #PROPERTY} when set, else the first directory upwards from the working directory that contains
 * {@code src/test-data/README.md}. Fails with one clear message when neither finds it; never skips.
 */
public final class TestPaths {
    /** System property naming the test-data folder (the parent pom's surefire/failsafe configuration sets it). */
    public static final String PROPERTY = "llmlingua.test-data";

    private static volatile Path testData;

    private TestPaths() {}

    /** The {@code src/test-data} folder. */
    public static Path testData() {
        Path t = testData;
        if (t == null) {
            testData = t = locate();
        }
        return t;
    }

    /** The Debian documentation corpora ({@code docs-en.jsonl}, {@code docs-multilingual.jsonl}). */
    public static Path corpora() {
        return existing(testData().resolve("corpora"));
    }

    /** The reference vectors: {@code cases.jsonl} and one folder per tiny model. */
    public static Path referenceVectors() {
        return existing(testData().resolve("reference-vectors"));
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
