package io.flinkllmlingua.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResultsWriterTest {

    private static PathResult row(BenchPath path, String model, double seconds, double p50) {
        return new PathResult(path, model, 10, 4000, seconds, LatencyStats.of(new double[] {p50, p50 * 2}), 8.0,
                0.75, 512L << 20, "");
    }

    private static SuiteReport report() {
        List<PathResult> results = List.of(
                row(BenchPath.MODEL_BEST_PLAN, "m", 0.8, 8),
                row(BenchPath.MODEL_ONLY, "m", 1.0, 10),
                row(BenchPath.ENGINE, "m", 2.0, 20),
                row(BenchPath.FLINK_JOB, "m", 8.0, Double.NaN),
                row(BenchPath.NAIVE, "m", 5.0, 30),
                PathResult.skipped(BenchPath.NODE_PEER, "m", "Node peer not run: 'npm' is not installed"));
        List<SweepPoint> sweeps = List.of(
                new SweepPoint("batch-size", "m", 16, row(BenchPath.ENGINE, "m", 1.0, 5)),
                new SweepPoint("batch-size", "m", 1, row(BenchPath.ENGINE, "m", 4.0, 5)),
                new SweepPoint("input-size", "m", 10240, row(BenchPath.ENGINE, "m", 0.5, 5)));
        return new SuiteReport("2026-01-01T00:00:00Z", Map.of("host CPU", "test"), "llmlingua bench-suite --quick",
                results, Map.of("m", new EngineThroughput.StageTimes(3, 4, 1, 3, 2, 2)),
                Map.of("m", new StageProfile(10, 0.25, 0.5)), sweeps, Map.of());
    }

    @Test
    void ratiosCompareTokenRatesAndAreMissingWhereAPathDidNotRun() {
        Map<String, Double> r = report().ratios("m");
        assertEquals(0.5, r.get("2/1 engine / model-only"), 1e-12);
        assertEquals(0.4, r.get("2/6 engine / model-only best plan"), 1e-12);
        assertEquals(0.1, r.get("3/6 Flink job / model-only best plan"), 1e-12);
        assertEquals(2.5, r.get("2/4 engine / naive"), 1e-12);
        assertTrue(r.get("2/5 engine / peer").isNaN());
    }

    @Test
    void markdownHasOneRowPerPathTheRatiosAndTheReasonForASkippedPath() {
        String md = ResultsWriter.markdown(report(), List.of("throughput-vs-batch-size.png"));
        assertTrue(md.contains("| 1. model-only ceiling | 10 | 4000 | 4000 | 10.00 | 10.0 | 20.0 | 8.00 | 0.75 | 512 |"),
                md);
        assertTrue(md.contains("| 2. engine end to end | 10 | 4000 | 2000 | 5.00 |"), md);
        assertTrue(md.contains("| 3. Flink job via Kafka | 10 | 4000 | 500 | 1.25 | n/a | n/a |"), md);
        assertTrue(md.contains("| 5. peer @atjsh/llmlingua-2 | - |"), md);
        assertTrue(md.contains("Node peer not run: 'npm' is not installed"), md);
        assertTrue(md.contains("| 2/1 engine / model-only | 0.50 |"), md);
        assertTrue(md.contains("| 2/5 engine / peer | n/a |"), md);
        assertTrue(md.contains("the batcher's 2 sessions ran the model together 3.00 s (75% of 2 x wall)"), md);
        assertTrue(md.contains("cl100k_base count 0.25 ms, model tokenization 0.50 ms (done twice per chunk by the "
                + "engine); the model alone (path 1) 100.00 ms of wall time per chunk."), md);
        // sweep rows sorted by the swept value
        assertTrue(md.indexOf("| 1 | 10 | 1000 |") < md.indexOf("| 16 | 10 | 4000 |"), md);
        assertTrue(md.contains("| 10240 | 4000 | 0.500 | 50.00 | 8000 |"), md);
        assertTrue(md.contains("![throughput-vs-batch-size.png](throughput-vs-batch-size.png)"), md);
    }

    @Test
    void onCpuWherePath1IsNotRunTheModelAloneIsPath6() {
        SuiteReport full = report();
        List<PathResult> results = new java.util.ArrayList<>(full.results());
        results.replaceAll(r -> r.path() == BenchPath.MODEL_ONLY
                ? PathResult.skipped(BenchPath.MODEL_ONLY, "m", "not run on CPU") : r);
        SuiteReport cpu = new SuiteReport(full.startedAt(), full.environment(), full.command(), results,
                full.engineStages(), full.profiles(), full.sweeps(), full.agreements());
        assertTrue(cpu.ratios("m").get("2/1 engine / model-only").isNaN());
        assertEquals(0.4, cpu.ratios("m").get("2/6 engine / model-only best plan"), 1e-12);
        String md = ResultsWriter.markdown(cpu, List.of());
        assertTrue(md.contains("the model alone (path 6) 80.00 ms of wall time per chunk."), md);
        assertTrue(md.contains("not run on CPU"), md);
    }

    @Test
    void anInt8ModelGetsBothInt8RatiosUnderTheirOwnKeys(@TempDir Path dir) throws Exception {
        SuiteReport full = report();
        List<PathResult> results = new java.util.ArrayList<>(full.results());
        results.add(row(BenchPath.ENGINE, "m-int8", 1.0, 10));
        results.add(row(BenchPath.MODEL_BEST_PLAN, "m-int8", 0.5, 5));
        SuiteReport r = new SuiteReport(full.startedAt(), full.environment(), full.command(), results,
                full.engineStages(), full.profiles(), full.sweeps(), full.agreements());
        ResultsWriter.write(dir, r);
        JsonNode ratios = new ObjectMapper().readTree(dir.resolve("results.json").toFile()).path("ratios")
                .path("m-int8");
        assertEquals(2.0, ratios.path("int8/fp32:2").asDouble(), 1e-12, ratios.toString());
        assertEquals(1.6, ratios.path("int8/fp32:6").asDouble(), 1e-12, ratios.toString());
    }

    @Test
    void writesMarkdownJsonAndReadablePlots(@TempDir Path dir) throws Exception {
        Path md = ResultsWriter.write(dir, report());
        assertTrue(Files.readString(md).contains("## m"));
        JsonNode json = new ObjectMapper().readTree(dir.resolve("results.json").toFile());
        assertEquals(6, json.path("results").size());
        assertTrue(json.path("results").get(5).path("tokens_per_s").isNull(), "NaN is written as null");
        assertEquals(0.5, json.path("ratios").path("m").path("2/1").asDouble(), 1e-12);
        for (String png : List.of("throughput-vs-batch-size.png", "cost-vs-input-size.png")) {
            BufferedImage img = ImageIO.read(dir.resolve(png).toFile());
            assertNotNull(img, png);
            assertEquals(800, img.getWidth());
        }
        assertTrue(Files.notExists(dir.resolve("throughput-vs-parallelism.png")), "no plot for a sweep that did not run");
    }

    @Test
    void aRowWithASteadyStateShowsWhereItsCpuWentInTheTableAndTheJson(@TempDir Path dir) throws Exception {
        SuiteReport full = report();
        List<PathResult> results = new java.util.ArrayList<>(full.results());
        Map<ThreadCpu.Role, Double> roles = Map.of(ThreadCpu.Role.MODEL, 9.0, ThreadCpu.Role.BROKER, 1.0);
        results.replaceAll(r -> r.path() == BenchPath.FLINK_JOB
                ? r.withPhases(new Phases(1.5, 3600, 6.0, 0.5, 10.0, roles)) : r);
        SuiteReport r = new SuiteReport(full.startedAt(), full.environment(), full.command(), results,
                full.engineStages(), full.profiles(), full.sweeps(), full.agreements());
        String md = ResultsWriter.markdown(r, List.of());
        assertTrue(md.contains("| 3. Flink job via Kafka | 1.50 | 6.0 | 600 | 360 | model calls 9.0 s (90 %), "
                + "Kafka broker (in-process) 1.0 s (10 %) |"), md);
        ResultsWriter.write(dir, r);
        JsonNode job = new ObjectMapper().readTree(dir.resolve("results.json").toFile()).path("results").get(3);
        assertEquals(9.0, job.path("steady_cpu_s_by_thread_role").path("model").asDouble(), 1e-12, job.toString());
        assertEquals(1.0, job.path("steady_cpu_s_by_thread_role").path("broker").asDouble(), 1e-12, job.toString());
    }
}
