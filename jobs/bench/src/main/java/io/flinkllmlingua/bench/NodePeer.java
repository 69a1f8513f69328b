package io.flinkllmlingua.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Path 5: the peer implementation, the npm package {@code @atjsh/llmlingua-2} (LLMLingua-2 in TypeScript on
 * transformers.js and onnxruntime-node), on the same ONNX model files and the same chunks. The Node project
 * ({@code package.json}, {@code package-lock.json} with exact versions, {@code peer.mjs}) ships in this jar; it is
 * installed with {@code npm ci} from the npm registry into {@code <cache>/bench-peer/} on first use
 * (ONNXRUNTIME_NODE_INSTALL=skip: onnxruntime-node's npm tarball carries the CPU binaries; its install script
 * would only fetch the CUDA ones from nuget). The model directory is presented in the layout transformers.js
 * expects ({@code <name>/config.json}, {@code tokenizer*.json}, {@code onnx/model.onnx}) through symbolic links,
 * with remote loading disabled. The peer compresses one record at a time (it batches a record's own 512-token
 * chunks, padded to the longest); its latencies and peak RSS come from the Node process itself.
 */
public final class NodePeer {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RESOURCES = "/io/flinkllmlingua/bench/peer/";
    private static final List<String> FILES = List.of("package.json", "package-lock.json", "peer.mjs");

    private final Path home;
    private final PrintStream log;

    public NodePeer(Path cacheRoot, PrintStream log) {
        this.home = cacheRoot.resolve("bench-peer");
        this.log = log;
    }

    /** Null when node and npm run here, else why not. */
    public static String unavailableReason() {
        for (String tool : List.of("node", "npm")) {
            try {
                Process p = new ProcessBuilder(tool, "--version").redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    return "'" + tool + " --version' failed";
                }
            } catch (IOException e) {
                return "'" + tool + "' is not installed (" + e.getMessage() + ")";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "interrupted";
            }
        }
        return null;
    }

    /** Installs the peer's Node project unless the same lockfile is already installed. */
    void install() throws IOException, InterruptedException {
        Files.createDirectories(home);
        byte[] lock = resource("package-lock.json");
        Path marker = home.resolve(".installed-lock");
        boolean current = Files.isRegularFile(marker) && java.util.Arrays.equals(Files.readAllBytes(marker), lock)
                && Files.isDirectory(home.resolve("node_modules/@atjsh/llmlingua-2"));
        for (String f : FILES) {
            Files.write(home.resolve(f), resource(f));
        }
        if (current) {
            return;
        }
        log.println("Installing the peer (@atjsh/llmlingua-2, transformers.js, onnxruntime-node) with npm ci into "
                + home + " (once; about 400 MB)...");
        long t0 = System.nanoTime();
        ProcessBuilder pb = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
                .directory(home.toFile()).redirectErrorStream(true)
                .redirectOutput(home.resolve("npm-ci.log").toFile());
        pb.environment().put("ONNXRUNTIME_NODE_INSTALL", "skip");
        Process p = pb.start();
        if (!p.waitFor(15, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IOException("npm ci did not finish in 15 minutes; see " + home.resolve("npm-ci.log"));
        }
        if (p.exitValue() != 0) {
            throw new IOException("npm ci failed (exit " + p.exitValue() + "): "
                    + tail(Files.readString(home.resolve("npm-ci.log")), 800));
        }
        Files.write(marker, lock);
        log.printf(Locale.ROOT, "Installed the peer in %.0f s%n", (System.nanoTime() - t0) / 1e9);
    }

    /**
     * Runs the peer over {@code texts}.
     *
     * @param tokens cl100k tokens of these texts (as counted by the engine), for a like-for-like token rate
     */
    public PathResult measure(String model, Path modelDir, boolean sentencePiece, List<String> texts, long tokens,
                              double rate, List<String> forceTokens, int warmup) throws Exception {
        String reason = unavailableReason();
        if (reason != null) {
            return PathResult.skipped(BenchPath.NODE_PEER, model, "Node peer not run: " + reason);
        }
        install();
        String name = "bench-" + model;
        Path layout = home.resolve("models").resolve(name);
        link(modelDir, layout);
        Path textsFile = home.resolve("texts-" + model + ".jsonl");
        StringBuilder sb = new StringBuilder();
        for (String t : texts) {
            sb.append(JSON.writeValueAsString(t)).append('\n');
        }
        Files.writeString(textsFile, sb.toString());
        List<String> cmd = new ArrayList<>(List.of("node", "peer.mjs",
                "--model-root", home.resolve("models").toString(), "--model-name", name,
                "--family", sentencePiece ? "sentencepiece" : "wordpiece",
                "--external-data", String.valueOf(BenchModel.hasExternalData(modelDir)),
                "--texts", textsFile.toString(), "--rate", String.valueOf(rate),
                "--force-tokens", JSON.writeValueAsString(forceTokens), "--warmup", String.valueOf(warmup)));
        Path err = home.resolve("peer-" + model + ".log");
        Process p = new ProcessBuilder(cmd).directory(home.toFile()).redirectError(err.toFile()).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.MINUTES) || p.exitValue() != 0) {
            return PathResult.skipped(BenchPath.NODE_PEER, model, "the Node peer failed (exit "
                    + (p.isAlive() ? "timeout" : p.exitValue()) + "): "
                    + tail(Files.readString(err), 600).replace('\n', ' '));
        }
        String[] lines = new String(out, StandardCharsets.UTF_8).trim().split("\n");
        JsonNode r = JSON.readTree(lines[lines.length - 1]);
        double[] lat = new double[r.path("latencies_ms").size()];
        for (int i = 0; i < lat.length; i++) {
            lat[i] = r.path("latencies_ms").get(i).asDouble();
        }
        return new PathResult(BenchPath.NODE_PEER, model, r.path("chunks").asInt(), tokens,
                r.path("seconds").asDouble(), LatencyStats.of(lat), Double.NaN, Double.NaN,
                r.path("peak_rss_bytes").asLong(-1),
                "@atjsh/llmlingua-2 3.0.0 on Node " + r.path("node").asText() + ", one record at a time; peak RSS "
                        + "of the Node process");
    }

    private static void link(Path modelDir, Path layout) throws IOException {
        Files.createDirectories(layout.resolve("onnx"));
        for (String f : List.of("config.json", "tokenizer.json", "tokenizer_config.json")) {
            if (Files.exists(modelDir.resolve(f))) {
                relink(modelDir.resolve(f), layout.resolve(f));
            }
        }
        relink(modelDir.resolve("model.onnx"), layout.resolve("onnx/model.onnx"));
        if (BenchModel.hasExternalData(modelDir)) {
            relink(modelDir.resolve("model.onnx_data"), layout.resolve("onnx/model.onnx_data"));
        }
    }

    private static void relink(Path target, Path link) throws IOException {
        Files.deleteIfExists(link);
        Files.createSymbolicLink(link, target.toAbsolutePath());
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = NodePeer.class.getResourceAsStream(RESOURCES + name)) {
            if (in == null) {
                throw new IOException("peer resource " + name + " is not on the classpath");
            }
            return in.readAllBytes();
        }
    }

    private static String tail(String s, int chars) {
        return s.length() <= chars ? s : "..." + s.substring(s.length() - chars);
    }
}
