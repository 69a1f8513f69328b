package io.flinkllmlingua.engine;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locations of the shared fixtures and corpora (set by surefire; falls back to ../shared next to the checkout). */
public final class TestPaths {
    private TestPaths() {}

    public static Path fixtures() {
        return locate("fixtures.dir", "fixtures");
    }

    public static Path corpora() {
        return locate("corpora.dir", "corpora");
    }

    public static Path referenceVectors() {
        return fixtures().resolve("reference-vectors");
    }

    private static Path locate(String property, String name) {
        String p = System.getProperty(property);
        if (p != null && Files.isDirectory(Path.of(p))) {
            return Path.of(p).normalize();
        }
        Path dir = Path.of("").toAbsolutePath();
        for (int i = 0; i < 4 && dir != null; i++, dir = dir.getParent()) {
            Path candidate = dir.resolveSibling("shared").resolve(name);
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("Cannot find shared/" + name + " (set -D" + property + ")");
    }
}
