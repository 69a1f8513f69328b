package io.flinkllmlingua.jobs.cluster;

import io.flinkllmlingua.flink.LlmLinguaOptions;
import io.flinkllmlingua.jobs.cli.LlmLinguaCli;
import io.flinkllmlingua.jobs.sql.SqlJobMain;
import io.flinkllmlingua.jobs.streaming.CompressionJobMain;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ExternalResourceOptions;
import org.apache.flink.configuration.HighAvailabilityOptions;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.table.api.config.ExecutionConfigOptions;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import picocli.CommandLine;

import java.io.File;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The deployment files in deploy/ checked against the build, since there is no Docker engine or Kubernetes here:
 * the image's base tag and jar versions are the pom's, the FlinkDeployments use only known fields and real Flink
 * configuration keys (a typo would otherwise be ignored silently by Flink), and their job arguments parse.
 */
class DeploymentFilesTest {
    private static final Path ROOT = Path.of(System.getProperty("project.root.dir", "../..")).toAbsolutePath().normalize();

    /** Flink's ConfigOption classes whose keys the manifests may use, plus ours. */
    private static final List<Class<?>> OPTION_CLASSES = List.of(CheckpointingOptions.class, StateBackendOptions.class,
            RestartStrategyOptions.class, TaskManagerOptions.class, JobManagerOptions.class, HighAvailabilityOptions.class,
            MetricOptions.class, ExternalResourceOptions.class, ExecutionConfigOptions.class, LlmLinguaOptions.class);
    /**
     * Keys of modules that are not on this class path: flink-kubernetes (KubernetesConfigOptions: the Kubernetes
     * resource name of an external resource) and flink-metrics-prometheus (the reporter's port).
     */
    private static final List<String> PLUGIN_KEYS = List.of("external-resource.<resource_name>.kubernetes.config-key",
            "metrics.reporter.<name>.port");

    private static final Set<String> SPEC_FIELDS = Set.of("image", "imagePullPolicy", "serviceAccount", "flinkVersion",
            "ingress", "podTemplate", "jobManager", "taskManager", "logConfiguration", "mode", "flinkConfiguration", "job",
            "restartNonce");
    private static final Set<String> JOB_FIELDS = Set.of("jarURI", "parallelism", "entryClass", "args", "state",
            "savepointTriggerNonce", "initialSavepointPath", "checkpointTriggerNonce", "upgradeMode",
            "allowNonRestoredState", "savepointRedeployNonce");
    private static final Set<String> COMPONENT_FIELDS = Set.of("resource", "replicas", "podTemplate");
    private static final Set<String> RESOURCE_FIELDS = Set.of("cpu", "memory", "ephemeralStorage");

    @Test
    void dockerfileUsesThePomsVersions() throws Exception {
        String pom = Files.readString(ROOT.resolve("pom.xml"));
        String docker = Files.readString(ROOT.resolve("deploy/docker/Dockerfile"));
        assertEquals("flink:" + property(pom, "flink.version") + "-scala_2.12-java17", arg(docker, "FLINK_IMAGE"));
        assertEquals(property(pom, "onnxruntime.version"), arg(docker, "ONNXRUNTIME_VERSION"));
        assertEquals(property(pom, "djl.version"), arg(docker, "DJL_VERSION"));
        assertTrue(docker.contains("onnxruntime_gpu/${ONNXRUNTIME_VERSION}/onnxruntime_gpu-${ONNXRUNTIME_VERSION}.jar"),
                "the image has the GPU build of ONNX Runtime");
        // The tokenizers' own dependencies, at the versions Maven resolves for the build (on this test's class path).
        for (String[] jar : new String[][] {{"tokenizers", "DJL_VERSION"}, {"api", "DJL_VERSION"}, {"gson", "GSON_VERSION"},
                {"jna", "JNA_VERSION"}}) {
            String name = jar[0] + "-" + arg(docker, jar[1]) + ".jar";
            assertTrue(classPathJars().contains(name), name + " is what the build resolves; class path has "
                    + classPathJars().stream().filter(j -> j.startsWith(jar[0] + "-")).toList());
        }
        String version = Pattern.compile("<artifactId>flink-llmlingua-parent</artifactId>\\s*<version>([^<]+)</version>")
                .matcher(pom).results().findFirst().orElseThrow().group(1);
        assertEquals("jobs/jobs/target/flink-llmlingua-jobs-" + version + "-job.jar", arg(docker, "JOB_JAR"));
        assertTrue(docker.contains("plugins/external-resource-gpu"), "GPU external-resource plugin enabled");
        assertTrue(docker.contains("plugins/metrics-prometheus"), "Prometheus reporter enabled");
        assertTrue(docker.contains("libcudnn9-cuda-12"), "cuDNN 9 for CUDA 12");
    }

    @Test
    void flinkDeploymentsUseKnownFieldsKeysAndArguments() throws Exception {
        String pom = Files.readString(ROOT.resolve("pom.xml"));
        String[] v = property(pom, "flink.version").split("\\.");
        List<Pattern> keys = knownKeys();
        int deployments = 0;
        try (var files = Files.list(ROOT.resolve("deploy/kubernetes"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                for (Object doc : new Load(LoadSettings.builder().build()).loadAllFromString(Files.readString(f))) {
                    Map<String, Object> d = map(doc, f + ": document");
                    if (!"FlinkDeployment".equals(d.get("kind"))) {
                        continue;
                    }
                    deployments++;
                    String where = f.getFileName() + " " + map(d.get("metadata"), "metadata").get("name");
                    assertEquals("flink.apache.org/v1beta1", d.get("apiVersion"), where);
                    Map<String, Object> spec = map(d.get("spec"), where + " spec");
                    assertKnown(spec.keySet(), SPEC_FIELDS, where + " spec");
                    assertEquals("v" + v[0] + "_" + v[1], spec.get("flinkVersion"), where + " flinkVersion");

                    Map<String, Object> conf = map(spec.get("flinkConfiguration"), where + " flinkConfiguration");
                    for (String key : conf.keySet()) {
                        assertTrue(keys.stream().anyMatch(p -> p.matcher(key).matches()),
                                where + ": '" + key + "' is not a Flink or llmlingua configuration key");
                    }
                    assertEquals("gpu", conf.get("external-resources"), where);
                    assertEquals("nvidia.com/gpu", conf.get("external-resource.gpu.kubernetes.config-key"), where);
                    assertEquals("org.apache.flink.externalresource.gpu.GPUDriverFactory",
                            conf.get("external-resource.gpu.driver-factory.class"), where);
                    assertTrue(String.valueOf(conf.get("execution.checkpointing.dir")).startsWith("file:///flink-data/"), where);

                    for (String component : List.of("jobManager", "taskManager")) {
                        Map<String, Object> c = map(spec.get(component), where + " " + component);
                        assertKnown(c.keySet(), COMPONENT_FIELDS, where + " " + component);
                        assertKnown(map(c.get("resource"), component + ".resource").keySet(), RESOURCE_FIELDS, where);
                    }
                    String gpus = String.valueOf(map(map(list(map(map(map(spec.get("taskManager"), "tm").get("podTemplate"),
                            "tm.podTemplate").get("spec"), "tm pod spec").get("containers"), "containers").get(0), "container")
                            .get("resources"), "resources").get("limits"));
                    assertTrue(gpus.contains("nvidia.com/gpu=1"), where + ": one GPU per TaskManager, got " + gpus);
                    assertTrue(Files.readString(ROOT.resolve(f)).contains("mountPath: /models"), where + ": model volume");

                    Map<String, Object> job = map(spec.get("job"), where + " job");
                    assertKnown(job.keySet(), JOB_FIELDS, where + " job");
                    assertEquals("local:///opt/flink/usrlib/flink-llmlingua-job.jar", job.get("jarURI"), where);
                    assertTrue(Files.readString(ROOT.resolve("deploy/docker/Dockerfile")).contains("/opt/flink/usrlib/flink-llmlingua-job.jar"));
                    List<String> args = new ArrayList<>();
                    list(job.get("args"), "args").forEach(a -> args.add(String.valueOf(a)));
                    String entry = Class.forName(String.valueOf(job.get("entryClass"))).getName();
                    CommandLine cl = entry.equals(CompressionJobMain.class.getName())
                            // the main's own command line (Flink durations, enums), not a plain picocli one
                            ? io.flinkllmlingua.jobs.cli.EntryPoint.commandLine(new CompressionJobMain(), "compress-job", System.err)
                            : new LlmLinguaCli(System.in, System.out, System.err, Map.of()).commandLine();
                    if (entry.equals(SqlJobMain.class.getName())) {
                        args.add(0, "sql");
                    }
                    try {
                        cl.parseArgs(args.toArray(String[]::new));
                    } catch (CommandLine.ParameterException e) {
                        fail(where + ": job arguments do not parse: " + e.getMessage());
                    }
                    if (entry.equals(SqlJobMain.class.getName())) {
                        // The script exists and every variable it needs is given (--dry-run substitutes, runs nothing).
                        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
                        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
                        args.add("--dry-run");
                        int code = new LlmLinguaCli(System.in, new java.io.PrintStream(out, true), new java.io.PrintStream(err, true),
                                Map.of()).execute(args.toArray(String[]::new));
                        assertEquals(0, code, where + ": " + err);
                        assertTrue(out.toString().contains("LLMLINGUA_COMPRESS"), where + ": " + out);
                    }
                }
            }
        }
        assertEquals(2, deployments, "the ingestion job and the SQL job");
    }

    @Test
    void unknownConfigurationKeysAreRejected() throws Exception {
        List<Pattern> keys = knownKeys();
        assertTrue(keys.stream().anyMatch(p -> p.matcher("external-resource.gpu.amount").matches()));
        assertTrue(keys.stream().anyMatch(p -> p.matcher("metrics.reporter.prom.factory.class").matches()));
        // A typo, and a key Flink 2 no longer reads.
        assertFalse(keys.stream().anyMatch(p -> p.matcher("execution.checkpointing.intervall").matches()));
        assertFalse(keys.stream().anyMatch(p -> p.matcher("state.backend").matches()));
    }

    /** Main keys (not deprecated fallbacks) of the option classes; {@code <name>} parts match one key segment. */
    private static List<Pattern> knownKeys() throws IllegalAccessException {
        Set<String> keys = new HashSet<>(PLUGIN_KEYS);
        for (Class<?> c : OPTION_CLASSES) {
            for (Field f : c.getFields()) {
                if (Modifier.isStatic(f.getModifiers()) && ConfigOption.class.isAssignableFrom(f.getType())) {
                    String key = ((ConfigOption<?>) f.get(null)).key();
                    // MetricOptions' reporter options (factory.class, interval, ...) are relative to a reporter.
                    keys.add(c == MetricOptions.class && !key.startsWith("metrics.") ? "metrics.reporter.<name>." + key : key);
                }
            }
        }
        List<Pattern> out = new ArrayList<>();
        for (String k : keys) {
            StringBuilder re = new StringBuilder();
            Matcher m = Pattern.compile("<[^>]+>").matcher(k);
            int at = 0;
            while (m.find()) {
                // A driver parameter (external-resource.<resource_name>.param.<param>) may itself have dots.
                boolean rest = m.group().equals("<param>") && m.end() == k.length();
                re.append(Pattern.quote(k.substring(at, m.start()))).append(rest ? ".+" : "[^.]+");
                at = m.end();
            }
            re.append(Pattern.quote(k.substring(at)));
            out.add(Pattern.compile(re.toString()));
        }
        return out;
    }

    private static Set<String> classPathJars() {
        Set<String> out = new HashSet<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            out.add(Path.of(e).getFileName().toString());
        }
        return out;
    }

    private static void assertKnown(Set<String> fields, Set<String> known, String where) {
        for (String f : fields) {
            assertTrue(known.contains(f), where + ": unknown field '" + f + "'");
        }
    }

    private static String property(String pom, String name) {
        Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</").matcher(pom);
        assertTrue(m.find(), name + " in the root pom");
        return m.group(1).trim();
    }

    private static String arg(String dockerfile, String name) {
        Matcher m = Pattern.compile("(?m)^ARG " + Pattern.quote(name) + "=(\\S+)$").matcher(dockerfile);
        assertTrue(m.find(), "ARG " + name + " in the Dockerfile");
        return m.group(1);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o, String what) {
        assertTrue(o instanceof Map, what + " is a mapping");
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o, String what) {
        assertTrue(o instanceof List, what + " is a list");
        return (List<Object>) o;
    }
}
