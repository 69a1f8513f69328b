package io.flinkllmlingua.jobs.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The local standalone Flink cluster of {@code deploy/local/standalone-cluster.sh}, driven through that script:
 * JobManager and TaskManagers are separate JVMs started from the Maven jars of {@code deploy/cluster-lib}.
 */
final class StandaloneCluster implements AutoCloseable {
    private final Path script;
    private final Map<String, String> env;
    final Path workDir;
    final int restPort;

    private StandaloneCluster(Path script, Path workDir, int restPort, Map<String, String> env) {
        this.script = script;
        this.workDir = workDir;
        this.restPort = restPort;
        this.env = env;
    }

    static StandaloneCluster start(Path workDir, int taskManagers, int slots) throws Exception {
        Path root = Path.of(System.getProperty("project.root.dir", "../..")).toAbsolutePath().normalize();
        Path lib = Path.of(System.getProperty("cluster.lib.dir", root.resolve("deploy/cluster-lib/target/cluster-lib").toString()));
        if (!Files.isDirectory(lib)) {
            throw new IllegalStateException("No cluster lib folder " + lib + ": run `mvn -Pcpu package` on deploy/cluster-lib first");
        }
        int rest = KafkaBrokerProcess.freePort();
        StandaloneCluster c = new StandaloneCluster(root.resolve("deploy/local/standalone-cluster.sh"), workDir, rest,
                Map.of("CLUSTER_LIB", lib.toString(), "WORK_DIR", workDir.toString(), "REST_PORT", String.valueOf(rest),
                        "JM_RPC_PORT", String.valueOf(KafkaBrokerProcess.freePort()), "SLOTS", String.valueOf(slots),
                        "TM_MEMORY", "1024m", "JM_MEMORY", "900m"));
        c.run(Duration.ofSeconds(180), "start", String.valueOf(taskManagers));
        return c;
    }

    String restUrl() {
        return "http://127.0.0.1:" + restPort;
    }

    /** Starts one more TaskManager and returns its name (also its resource id). */
    String startTaskManager() throws Exception {
        String out = run(Duration.ofSeconds(60), "start-taskmanager");
        return out.trim().split("\\s+")[0];
    }

    /** SIGKILL of the TaskManager's JVM. */
    void killTaskManager(String name) throws Exception {
        run(Duration.ofSeconds(30), "kill-taskmanager", name);
    }

    String run(Duration timeout, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", script.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("standalone-cluster.sh " + String.join(" ", args) + " timed out");
        }
        String text = new String(out);
        if (p.exitValue() != 0) {
            throw new IllegalStateException("standalone-cluster.sh " + String.join(" ", args) + " failed: " + text);
        }
        return text;
    }

    /** The log of a process of the cluster, for failure messages. */
    String log(String name) {
        try {
            String s = Files.readString(workDir.resolve("log/" + name + ".log"));
            return s.length() > 6000 ? s.substring(s.length() - 6000) : s;
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() throws Exception {
        run(Duration.ofSeconds(60), "stop");
    }
}
