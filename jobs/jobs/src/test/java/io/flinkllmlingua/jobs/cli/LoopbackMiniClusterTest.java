package io.flinkllmlingua.jobs.cli;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The test MiniClusters of this project are configured with {@link LocalFlink#loopback}: with it a MiniCluster has no
 * listening socket on a wildcard address (without it, Flink's defaults open two on {@code *}).
 */
class LoopbackMiniClusterTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder()
                    .setConfiguration(LocalFlink.loopback(new Configuration()))
                    .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(1).build());

    @Test
    void aLoopbackTestClusterListensOnLoopbackOnly() throws Exception {
        // the extension's cluster is up before the test runs; every listening socket of this JVM is checked
        Map<Long, String> listening = LocalFlinkTest.listeningSocketsOfThisProcess();
        assertFalse(listening.isEmpty(), "the MiniCluster listens on some socket");
        assertEquals(List.of(), listening.values().stream()
                .filter(a -> !a.equals("127.0.0.1") && !a.equals("::1")).toList(), "not on loopback: " + listening);
    }
}
