package io.flinkllmlingua.engine;

import ai.onnxruntime.OrtEnvironment;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Regression test for the ONNX Runtime 1.29.0 crash: creating the environment SIGSEGVs the JVM when the process
 * command line is longer than about 4 KB (its telemetry walks /proc/self/cmdline). A Flink TaskManager has such a
 * command line. Starts ORT in a child JVM whose command line is over 8 KB.
 */
class OrtLongCommandLineTest {

    /** Child main: creates the ORT environment and lists providers. */
    public static final class Child {
        public static void main(String[] args) throws Exception {
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            System.out.println("providers=" + OrtEnvironment.getAvailableProviders());
            System.out.println("ORT_OK " + env.getVersion());
        }
    }

    @Test
    void ortStartsInAJvmWithACommandLineOver8KB() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        // A long but harmless system property, as a TaskManager's -D options and -cp are.
        cmd.add("-Dpadding=" + "x".repeat(9000));
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Child.class.getName());
        int length = String.join(" ", cmd).length();
        assertTrue(length > 8192, "command line is " + length + " characters");

        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove("ORT_DISABLE_TELEMETRY"); // test the release itself, not the workaround
        File log = File.createTempFile("ort-child", ".log");
        log.deleteOnExit();
        pb.redirectOutput(log);
        Process p = pb.start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child JVM did not finish");
        String out = Files.readString(log.toPath(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), "child JVM exit code (139 = the 1.29.0 SIGSEGV); output:\n" + out);
        assertTrue(out.contains("ORT_OK"), out);
    }
}
