package io.flinkllmlingua.jobs.cluster;

import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The cluster ids the broker process is formatted with, and the format call itself (it used to flake on a '-'). */
class KafkaBrokerProcessTest {

    @Test
    void clusterIdsAreBase64UrlOfSixteenBytesAndNeverStartWithADash() {
        for (int i = 0; i < 1000; i++) {
            String id = KafkaBrokerProcess.randomClusterId();
            assertFalse(id.startsWith("-"), id);
            assertEquals(16, Base64.getUrlDecoder().decode(id).length, id);
        }
    }

    @Test
    void storageToolFormatsWithTheGeneratedIdAndEvenWithOneStartingWithADash(@TempDir Path dir) throws Exception {
        String generated = KafkaBrokerProcess.randomClusterId();
        KafkaBrokerProcess.format(dir.resolve("a"), generated);
        assertTrue(metaProperties(dir.resolve("a")).contains("cluster.id=" + generated));

        // an id like the ones that broke '-t ID': --cluster-id=ID keeps it one argument
        String dash = new Uuid(0xF800_0000_0000_0001L, 42L).toString();
        assertTrue(dash.startsWith("-"), dash);
        KafkaBrokerProcess.format(dir.resolve("b"), dash);
        assertTrue(metaProperties(dir.resolve("b")).contains("cluster.id=" + dash));
    }

    private static String metaProperties(Path dir) throws Exception {
        try (Stream<Path> files = Files.walk(dir)) {
            Path meta = files.filter(p -> p.getFileName().toString().equals("meta.properties")).findFirst()
                    .orElseThrow(() -> new AssertionError("no meta.properties under " + dir));
            return Files.readString(meta);
        }
    }
}
