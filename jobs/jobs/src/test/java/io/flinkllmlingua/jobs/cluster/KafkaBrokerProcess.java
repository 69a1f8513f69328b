package io.flinkllmlingua.jobs.cluster;

import io.flinkllmlingua.testkit.kafka.EmbeddedKafkaBroker;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * A Kafka broker (KRaft, combined broker and controller) in its own JVM ({@code kafka.Kafka} from kafka_2.13 on this
 * JVM's classpath), so that a test can kill it with SIGKILL and start it again on the same port and log directory.
 */
final class KafkaBrokerProcess implements AutoCloseable {
    private final Path dir;
    private final int brokerPort;
    private final int controllerPort;
    private Process process;

    private KafkaBrokerProcess(Path dir, int brokerPort, int controllerPort) {
        this.dir = dir;
        this.brokerPort = brokerPort;
        this.controllerPort = controllerPort;
    }

    /** Formats a log directory under {@code dir} and starts the broker; returns once its port accepts connections. */
    static KafkaBrokerProcess start(Path dir) throws Exception {
        KafkaBrokerProcess b = format(dir, randomClusterId());
        b.launch();
        return b;
    }

    /** Writes the server properties and formats the log directory with {@code clusterId} (StorageTool); not started. */
    static KafkaBrokerProcess format(Path dir, String clusterId) throws Exception {
        Files.createDirectories(dir);
        KafkaBrokerProcess b = new KafkaBrokerProcess(dir, freePort(), freePort());
        b.writeProperties();
        // --cluster-id=ID, one argument, so that no id can be taken for an option
        b.run("format", List.of("kafka.tools.StorageTool", "format", "--cluster-id=" + clusterId, "-c",
                b.properties().toString()), Duration.ofSeconds(60));
        return b;
    }

    String bootstrapServers() {
        return "127.0.0.1:" + brokerPort;
    }

    /** SIGKILL, as a crash would; returns when the process is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** Starts the broker again on the same port and log directory (after {@link #kill()}). */
    void restart() throws Exception {
        launch();
    }

    private void launch() throws Exception {
        process = command(List.of("kafka.Kafka", properties().toString()), "broker")
                .start();
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Kafka broker exited with " + process.exitValue() + "; see " + dir.resolve("broker.out"));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", brokerPort), 500);
                return;
            } catch (IOException notYet) {
                Thread.sleep(200);
            }
        }
        throw new IllegalStateException("Kafka broker did not open port " + brokerPort + " in 90 s");
    }

    private void run(String name, List<String> args, Duration timeout) throws Exception {
        Process p = command(args, name).start();
        if (!p.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException(name + " failed; see " + dir.resolve(name + ".out") + ": "
                    + Files.readString(dir.resolve(name + ".out")));
        }
    }

    private ProcessBuilder command(List<String> mainAndArgs, String logName) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms128m", "-Xmx512m", "-Dlog4j2.level=WARN", "-cp", System.getProperty("java.class.path")));
        cmd.addAll(mainAndArgs);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(logName + ".out").toFile()));
        return pb;
    }

    private Path properties() {
        return dir.resolve("server.properties");
    }

    private void writeProperties() throws IOException {
        // The same single-node settings as the in-process broker of the other tests.
        Properties p = new Properties();
        p.putAll(EmbeddedKafkaBroker.singleNodeServerProperties(dir.resolve("data"), brokerPort, controllerPort));
        try (OutputStream out = Files.newOutputStream(properties())) {
            p.store(out, "KafkaBrokerProcess");
        }
    }

    /**
     * A new cluster id: 16 random bytes in URL-safe base64 from Kafka's own generator, which never starts with '-'
     * (StorageTool would read such an id as an option: the fault IT failed whenever a random id did).
     */
    static String randomClusterId() {
        return org.apache.kafka.common.Uuid.randomUuid().toString();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(15, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }
}
