package io.flinkllmlingua.jobs.cli;

import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A local run listens on the loopback interface only: every listening socket it opens is 127.0.0.1 or ::1. */
class LocalFlinkTest {

    @Test
    void theLocalEnvironmentOfTheMainsListensOnLoopbackOnly() throws Exception {
        Map<Long, String> before = listeningSocketsOfThisProcess();
        // what a job main gets in a plain java run (no context environment in this test)
        assertFalse(EntryPoint.inCluster());
        StreamExecutionEnvironment env = LocalFlink.environment();
        env.fromSequence(0, Long.MAX_VALUE).map(new Slow()).sinkTo(new DiscardingSink<>());
        JobClient job = env.executeAsync("loopback check");
        try {
            // the MiniCluster (REST, RPC, blob server, shuffle) is up once the job is submitted
            Map<Long, String> after = listeningSocketsOfThisProcess();
            after.keySet().removeAll(before.keySet());
            assertFalse(after.isEmpty(), "the local cluster opened listening sockets");
            List<String> wildcard = new ArrayList<>();
            for (String address : after.values()) {
                if (!address.equals("127.0.0.1") && !address.equals("::1")) {
                    wildcard.add(address);
                }
            }
            assertEquals(List.of(), wildcard, "listening sockets not on loopback, of " + after);
        } finally {
            job.cancel().get();
        }
    }

    @Test
    void loopbackKeepsWhatTheUserSet() {
        org.apache.flink.configuration.Configuration conf = new org.apache.flink.configuration.Configuration();
        conf.set(org.apache.flink.configuration.RestOptions.BIND_ADDRESS, "10.1.2.3");
        LocalFlink.loopback(conf);
        assertEquals("10.1.2.3", conf.get(org.apache.flink.configuration.RestOptions.BIND_ADDRESS));
        assertEquals("127.0.0.1", conf.get(org.apache.flink.configuration.TaskManagerOptions.BIND_HOST));
        assertEquals("127.0.0.1", conf.get(org.apache.flink.configuration.JobManagerOptions.BIND_HOST));
    }

    /** Socket inode -> local address of the TCP sockets in LISTEN state that this process owns. */
    static Map<Long, String> listeningSocketsOfThisProcess() throws IOException {
        Set<Long> own = new HashSet<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path fd : fds) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        own.add(Long.parseLong(target.substring(8, target.length() - 1)));
                    }
                } catch (IOException e) {
                    // closed meanwhile
                }
            }
        }
        Map<Long, String> listening = new HashMap<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            List<String> lines = Files.readAllLines(Path.of(table));
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.trim().split("\\s+");
                long inode = Long.parseLong(f[9]);
                if (f[3].equals("0A") && own.contains(inode)) {
                    listening.put(inode, address(f[1].substring(0, f[1].indexOf(':'))));
                }
            }
        }
        assertTrue(new HashSet<>(listening.keySet()).size() == listening.size());
        return listening;
    }

    /** The address of a /proc/net/tcp{,6} local_address: 32-bit words in host (little-endian) byte order. */
    static String address(String hex) throws IOException {
        byte[] bytes = new byte[hex.length() / 2];
        for (int word = 0; word < bytes.length / 4; word++) {
            for (int i = 0; i < 4; i++) {
                bytes[word * 4 + i] = (byte) Integer.parseInt(hex.substring(word * 8 + (3 - i) * 2, word * 8 + (3 - i) * 2 + 2), 16);
            }
        }
        return java.net.InetAddress.getByAddress(bytes).getHostAddress().replace("0:0:0:0:0:0:0:1", "::1");
    }

    @Test
    void procAddressesAreDecoded() throws IOException {
        assertEquals("127.0.0.1", address("0100007F"));
        assertEquals("0.0.0.0", address("00000000"));
        assertEquals("::1", address("00000000000000000000000001000000"));
        assertEquals("0:0:0:0:0:0:0:0", address("00000000000000000000000000000000"));
    }

    /** Keeps the unbounded job running (and cheap) until cancelled. */
    private static final class Slow implements MapFunction<Long, Long> {
        @Override
        public Long map(Long v) throws Exception {
            Thread.sleep(10);
            return v;
        }
    }
}
