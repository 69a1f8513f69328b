package io.flinkllmlingua.jobs.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Flink REST calls that {@code flink run} and the web UI make: upload a jar, run it (user-code class loading on
 * the cluster, as in production), job status, stop with a savepoint, cancel.
 */
final class FlinkRest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final String base;

    FlinkRest(String base) {
        this.base = base;
    }

    /** POST /jars/upload (multipart, field jarfile); returns the jar id. */
    String uploadJar(Path jar) throws Exception {
        String boundary = "----flink-llmlingua-" + UUID.randomUUID();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\""
                + jar.getFileName() + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.write(Files.readAllBytes(jar));
        body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        JsonNode r = send(HttpRequest.newBuilder(URI.create(base + "/jars/upload"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())), Duration.ofSeconds(120));
        String file = r.path("filename").asText();
        return file.substring(file.lastIndexOf('/') + 1);
    }

    /** POST /jars/:id/run; returns the job id. */
    String run(String jarId, List<String> args, int parallelism, String savepointPath) throws Exception {
        ObjectNode req = JSON.createObjectNode();
        req.putArray("programArgsList").addAll(args.stream().map(JSON.getNodeFactory()::textNode).toList());
        req.put("parallelism", parallelism);
        if (savepointPath != null) {
            req.put("savepointPath", savepointPath);
            req.put("allowNonRestoredState", false);
        }
        return post("/jars/" + jarId + "/run", req, Duration.ofSeconds(180)).path("jobid").asText();
    }

    JsonNode job(String jobId) throws Exception {
        return get("/jobs/" + jobId);
    }

    /** True when the job and every task of it run. */
    boolean allTasksRunning(String jobId) throws Exception {
        JsonNode j = job(jobId);
        if (!"RUNNING".equals(j.path("state").asText())) {
            return false;
        }
        for (JsonNode v : j.path("vertices")) {
            if (!"RUNNING".equals(v.path("status").asText())) {
                return false;
            }
        }
        return true;
    }

    void awaitAllTasksRunning(String jobId, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (allTasksRunning(jobId)) {
                return;
            }
            String state = job(jobId).path("state").asText();
            if (state.equals("FAILED") || state.equals("CANCELED") || state.equals("FINISHED")) {
                throw new IllegalStateException("job " + jobId + " is " + state + ": " + get("/jobs/" + jobId + "/exceptions"));
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("job " + jobId + " not running after " + timeout + ": " + job(jobId));
    }

    /** The TaskManager resource ids that run a subtask of the job. */
    Set<String> taskManagersOf(String jobId) throws Exception {
        Set<String> out = new HashSet<>();
        for (JsonNode v : job(jobId).path("vertices")) {
            for (JsonNode tm : get("/jobs/" + jobId + "/vertices/" + v.path("id").asText() + "/taskmanagers").path("taskmanagers")) {
                out.add(tm.path("taskmanager-id").asText(tm.path("resource-id").asText()));
            }
        }
        return out;
    }

    /**
     * The checkpoint or savepoint the job's tasks were last restored from ({@code latest.restored} of the
     * checkpoint statistics: id, is_savepoint, external_path, restore_timestamp), or a missing node when none.
     */
    JsonNode restoredFrom(String jobId) throws Exception {
        return get("/jobs/" + jobId + "/checkpoints").path("latest").path("restored");
    }

    /** Number of restarts the job went through (the exception history). */
    int failures(String jobId) throws Exception {
        return get("/jobs/" + jobId + "/exceptions").path("exceptionHistory").path("entries").size();
    }

    /**
     * The outcome of a stop-with-savepoint: where the savepoint is, and whether the job failed while stopping after
     * the savepoint was complete (Flink then reports the savepoint as consistent and usable for a restore).
     */
    record Stop(String location, String failedWhileStopping) {}

    private static final Pattern CREATED = Pattern.compile("A savepoint has been created at: (\\S+), but the corresponding job");

    /** Stop with a savepoint (no drain) into {@code dir}; returns once the savepoint is complete. */
    Stop stopWithSavepoint(String jobId, Path dir, Duration timeout) throws Exception {
        ObjectNode req = JSON.createObjectNode().put("targetDirectory", dir.toUri().toString()).put("drain", false);
        String trigger = post("/jobs/" + jobId + "/stop", req, Duration.ofSeconds(30)).path("request-id").asText();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode r = get("/jobs/" + jobId + "/savepoints/" + trigger);
            if ("COMPLETED".equals(r.path("status").path("id").asText())) {
                JsonNode op = r.path("operation");
                if (op.has("failure-cause")) {
                    String trace = op.path("failure-cause").path("stack-trace").asText();
                    Matcher m = CREATED.matcher(trace);
                    if (!m.find()) {
                        throw new IllegalStateException("stop-with-savepoint failed: " + op.path("failure-cause"));
                    }
                    String rootCause = trace.lines().filter(l -> l.startsWith("Caused by:")).reduce((a, b) -> b).orElse("?");
                    return new Stop(m.group(1), rootCause);
                }
                return new Stop(op.path("location").asText(), null);
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("savepoint of " + jobId + " not done after " + timeout);
    }

    void cancel(String jobId) throws Exception {
        send(HttpRequest.newBuilder(URI.create(base + "/jobs/" + jobId + "?mode=cancel"))
                .method("PATCH", HttpRequest.BodyPublishers.noBody()), Duration.ofSeconds(30));
    }

    /** Jobs in a terminal state are gone from the slots: waits for that. */
    void awaitState(String jobId, String state, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (state.equals(job(jobId).path("state").asText())) {
                return;
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("job " + jobId + " not " + state + " after " + timeout + ": " + job(jobId).path("state"));
    }

    List<String> jobIds() throws Exception {
        List<String> ids = new ArrayList<>();
        get("/jobs").path("jobs").forEach(j -> ids.add(j.path("id").asText()));
        return ids;
    }

    private JsonNode get(String path) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET(), Duration.ofSeconds(30));
    }

    private JsonNode post(String path, JsonNode body, Duration timeout) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))), timeout);
    }

    private JsonNode send(HttpRequest.Builder b, Duration timeout) throws Exception {
        // A fresh client (connection) per call: Flink's REST server closes connections that a pooled client would
        // reuse, and a POST on a closed connection is not retried (and must not be: /run would submit twice).
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> r = http.send(b.timeout(timeout).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IOException(r.request().method() + " " + r.request().uri() + " -> " + r.statusCode() + ": " + r.body());
        }
        return r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body());
    }
}
