package io.flinkllmlingua.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flinkllmlingua.training.eval.KeepAgreement;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Writes a suite report as {@code results.md}, {@code results.json} and PNG plots into one folder. */
public final class ResultsWriter {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Sweep name -> (plot file, title, x label, log x). */
    private static final Map<String, String[]> PLOTS = new LinkedHashMap<>();

    static {
        PLOTS.put("batch-size", new String[] {"throughput-vs-batch-size.png", "Engine throughput vs batch size",
                "max sequences per model call", "false"});
        PLOTS.put("sequence-length", new String[] {"throughput-vs-sequence-length.png",
                "Engine throughput vs sequence length", "mean real tokens per sequence", "false"});
        PLOTS.put("parallelism", new String[] {"throughput-vs-parallelism.png", "Flink job throughput vs parallelism",
                "parallelism", "false"});
        PLOTS.put("input-size", new String[] {"cost-vs-input-size.png", "Engine cost vs document size",
                "document bytes", "true"});
    }

    private ResultsWriter() {}

    /** Writes everything; returns the markdown file. */
    public static Path write(Path dir, SuiteReport report) throws IOException {
        Files.createDirectories(dir);
        List<String> plots = writePlots(dir, report);
        Path md = dir.resolve("results.md");
        Files.writeString(md, markdown(report, plots));
        Files.writeString(dir.resolve("results.json"), JSON.writeValueAsString(json(report)));
        return md;
    }

    static List<String> writePlots(Path dir, SuiteReport report) throws IOException {
        List<String> written = new ArrayList<>();
        for (Map.Entry<String, String[]> e : PLOTS.entrySet()) {
            List<SweepPoint> points = report.sweep(e.getKey());
            if (points.isEmpty()) {
                continue;
            }
            String[] p = e.getValue();
            boolean inputSize = e.getKey().equals("input-size");
            List<LinePlot.Series> series = new ArrayList<>();
            series.add(series(inputSize ? "time per KiB (ORIGINAL_SPANS, the product's)" : "tokens/s", points,
                    inputSize));
            List<SweepPoint> reference = report.sweep("input-size-reference");
            if (inputSize && !reference.isEmpty()) {
                series.add(series("time per KiB (REFERENCE rendering)", reference, true));
            }
            LinePlot.write(dir.resolve(p[0]), p[1] + " (" + points.get(0).model() + ")", p[2],
                    inputSize ? "ms per KiB" : "cl100k tokens / s", series, Boolean.parseBoolean(p[3]));
            written.add(p[0]);
        }
        return written;
    }

    private static LinePlot.Series series(String name, List<SweepPoint> points, boolean perKib) {
        return new LinePlot.Series(name, points.stream().mapToDouble(SweepPoint::x).toArray(),
                points.stream().mapToDouble(perKib ? SweepPoint::millisPerKib : SweepPoint::tokensPerSecond).toArray());
    }

    /** The report as markdown: environment, the main table per model, ratios, the gap analysis, sweeps. */
    public static String markdown(SuiteReport report, List<String> plots) {
        StringBuilder sb = new StringBuilder();
        sb.append("# flink-llmlingua benchmark suite\n\n");
        sb.append("Run ").append(report.startedAt()).append(". Command: `").append(report.command()).append("`\n\n");
        for (Map.Entry<String, String> e : report.environment().entrySet()) {
            sb.append("- ").append(e.getKey()).append(": ").append(e.getValue()).append('\n');
        }
        sb.append("\nTokens are cl100k_base tokens of the original chunks (the reference's count; the same chunks on ")
                .append("every path). Latency is per chunk (path 1: the model call that scored it). Padding ")
                .append("efficiency = real positions / padded positions fed to the model. Peak RSS: see README.\n");
        for (String model : report.models()) {
            sb.append("\n## ").append(model).append("\n\n");
            sb.append("| path | chunks | tokens | tokens/s | chunks/s | p50 ms | p99 ms | mean batch | padding eff. "
                    + "| peak RSS MB | notes |\n");
            sb.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
            for (PathResult r : report.results()) {
                if (!r.model().equals(model)) {
                    continue;
                }
                sb.append("| ").append(r.path().label()).append(" | ");
                if (!r.ran()) {
                    sb.append("- | - | - | - | - | - | - | - | - | ").append(escape(r.note())).append(" |\n");
                    continue;
                }
                sb.append(r.chunks()).append(" | ").append(r.tokens()).append(" | ")
                        .append(num(r.tokensPerSecond(), 0)).append(" | ").append(num(r.chunksPerSecond(), 2))
                        .append(" | ").append(num(r.latency().p50Millis(), 1)).append(" | ")
                        .append(num(r.latency().p99Millis(), 1)).append(" | ").append(num(r.meanBatch(), 2))
                        .append(" | ").append(num(r.paddingEfficiency(), 2)).append(" | ")
                        .append(r.peakRssBytes() < 0 ? "n/a" : num(r.peakRssBytes() / 1048576.0, 0)).append(" | ")
                        .append(escape(r.note())).append(" |\n");
            }
            phases(sb, report, model);
            sb.append("\n| ratio of tokens/s | value |\n|---|---:|\n");
            for (Map.Entry<String, Double> e : report.ratios(model).entrySet()) {
                sb.append("| ").append(e.getKey()).append(" | ").append(num(e.getValue(), 2)).append(" |\n");
            }
            KeepAgreement.Result agreement = report.agreements().get(model);
            if (agreement != null) {
                sb.append("\nKeep decisions against the fp32 model on the first ").append(agreement.texts())
                        .append(" chunks (rate 0.5, product options): ").append(escape(agreement.summary()))
                        .append(".\n");
            }
            EngineThroughput.StageTimes st = report.engineStages().get(model);
            if (st != null) {
                sb.append("\nWhere the engine's time went (path 2): wall ").append(num(st.wallSeconds(), 2))
                        .append(st.sessions() == 1 ? " s, of which the batcher's session ran the model "
                                : " s, of which the batcher's " + st.sessions() + " sessions ran the model together ")
                        .append(num(st.modelSeconds(), 2)).append(" s (")
                        .append(num(100 * st.modelSeconds() / (st.wallSeconds() * st.sessions()), 0))
                        .append(st.sessions() == 1 ? "%" : "% of " + st.sessions() + " x wall")
                        .append("). Summed over callers: preprocess (cl100k count, tokenize, chunk, encode) ")
                        .append(num(st.preprocessSeconds(), 2)).append(" s, waiting for the model ")
                        .append(num(st.inferenceWaitSeconds(), 2)).append(" s, selection (merge, select, render, ")
                        .append("count) ").append(num(st.selectionSeconds(), 2)).append(" s.\n");
            }
            StageProfile pr = report.profiles().get(model);
            PathResult ceiling = report.find(model, BenchPath.MODEL_ONLY);
            if (ceiling == null || !ceiling.ran()) {
                ceiling = report.find(model, BenchPath.MODEL_BEST_PLAN);
            }
            if (pr != null) {
                sb.append("\nOne thread, per chunk: cl100k_base count ").append(num(pr.countMillisPerChunk(), 2))
                        .append(" ms, model tokenization ").append(num(pr.tokenizeMillisPerChunk(), 2))
                        .append(" ms (done twice per chunk by the engine)");
                if (ceiling != null && ceiling.ran()) {
                    sb.append("; the model alone (path ").append(ceiling.path().number()).append(") ")
                            .append(num(ceiling.seconds() * 1000 / ceiling.chunks(), 2))
                            .append(" ms of wall time per chunk");
                }
                sb.append(".\n");
            }
        }
        if (!report.sweeps().isEmpty()) {
            sb.append("\n## Scaling\n");
            for (String sweep : List.of("batch-size", "sequence-length", "parallelism", "input-size",
                    "input-size-reference")) {
                List<SweepPoint> points = report.sweep(sweep);
                if (points.isEmpty()) {
                    continue;
                }
                boolean size = sweep.startsWith("input-size");
                sb.append("\n### ").append(sweep).append(" (").append(points.get(0).model()).append(")\n\n");
                sb.append(size ? "| document bytes | tokens | seconds | ms per KiB | tokens/s |\n|---:|---:|---:|---:|---:|\n"
                        : "| " + sweep + " | chunks | tokens/s | chunks/s | mean batch | padding eff. | p50 ms | p99 ms |\n"
                                + "|---:|---:|---:|---:|---:|---:|---:|---:|\n");
                for (SweepPoint p : points) {
                    PathResult r = p.result();
                    if (size) {
                        sb.append("| ").append(num(p.x(), 0)).append(" | ").append(r.tokens()).append(" | ")
                                .append(num(r.seconds(), 3)).append(" | ").append(num(p.millisPerKib(), 2))
                                .append(" | ").append(num(r.tokensPerSecond(), 0)).append(" |\n");
                    } else {
                        sb.append("| ").append(num(p.x(), sweep.equals("sequence-length") ? 0 : 0)).append(" | ")
                                .append(r.chunks()).append(" | ").append(num(r.tokensPerSecond(), 0)).append(" | ")
                                .append(num(r.chunksPerSecond(), 2)).append(" | ").append(num(r.meanBatch(), 2))
                                .append(" | ").append(num(r.paddingEfficiency(), 2)).append(" | ")
                                .append(num(r.latency().p50Millis(), 1)).append(" | ")
                                .append(num(r.latency().p99Millis(), 1)).append(" |\n");
                    }
                }
            }
        }
        Map<Double, Double> spansOverReference = spansOverReference(report);
        if (!spansOverReference.isEmpty()) {
            sb.append("\nTime of one document in the product's render mode (ORIGINAL_SPANS) over the reference's ")
                    .append("(REFERENCE), same document, same model:\n\n| document bytes | ORIGINAL_SPANS / REFERENCE |\n")
                    .append("|---:|---:|\n");
            spansOverReference.forEach((bytes, ratio) -> sb.append("| ").append(num(bytes, 0)).append(" | ")
                    .append(num(ratio, 2)).append(" |\n"));
        }
        if (!plots.isEmpty()) {
            sb.append("\n## Plots\n\n");
            for (String p : plots) {
                sb.append("![").append(p).append("](").append(p).append(")\n");
            }
        }
        return sb.toString();
    }

    /** Document bytes -> seconds in ORIGINAL_SPANS over seconds in REFERENCE, where both were measured. */
    static Map<Double, Double> spansOverReference(SuiteReport report) {
        Map<Double, Double> out = new LinkedHashMap<>();
        for (SweepPoint ref : report.sweep("input-size-reference")) {
            for (SweepPoint spans : report.sweep("input-size")) {
                if (spans.x() == ref.x() && spans.model().equals(ref.model()) && ref.result().seconds() > 0) {
                    out.put(ref.x(), spans.result().seconds() / ref.result().seconds());
                }
            }
        }
        return out;
    }

    static ObjectNode json(SuiteReport report) {
        ObjectNode root = JSON.createObjectNode();
        root.put("started_at", report.startedAt());
        root.put("command", report.command());
        ObjectNode env = root.putObject("environment");
        report.environment().forEach(env::put);
        ArrayNode results = root.putArray("results");
        for (PathResult r : report.results()) {
            results.add(json(r));
        }
        ObjectNode ratios = root.putObject("ratios");
        for (String model : report.models()) {
            ObjectNode m = ratios.putObject(model);
            report.ratios(model).forEach((k, v) -> putNumber(m, k.substring(0, k.indexOf(' ')), v));
        }
        ObjectNode agreements = root.putObject("keep_agreement");
        report.agreements().forEach((model, a) -> {
            ObjectNode n = agreements.putObject(model);
            n.put("texts", a.texts());
            n.put("word_agreement", a.wordAgreement());
            n.put("token_agreement", a.tokenAgreement());
            n.put("max_probability_difference", a.maxProbabilityDifference());
        });
        ObjectNode spans = root.putObject("original_spans_over_reference");
        spansOverReference(report).forEach((bytes, ratio) -> putNumber(spans, String.valueOf(bytes.longValue()), ratio));
        ObjectNode stages = root.putObject("engine_stages");
        report.engineStages().forEach((model, st) -> {
            ObjectNode s = stages.putObject(model);
            s.put("wall_s", st.wallSeconds());
            s.put("model_s", st.modelSeconds());
            s.put("preprocess_cpu_s", st.preprocessSeconds());
            s.put("inference_wait_s", st.inferenceWaitSeconds());
            s.put("selection_cpu_s", st.selectionSeconds());
        });
        ObjectNode profiles = root.putObject("stage_profiles");
        report.profiles().forEach((model, pr) -> {
            ObjectNode s = profiles.putObject(model);
            s.put("chunks", pr.chunks());
            s.put("cl100k_count_ms_per_chunk", pr.countMillisPerChunk());
            s.put("tokenize_ms_per_chunk", pr.tokenizeMillisPerChunk());
        });
        ArrayNode sweeps = root.putArray("sweeps");
        for (SweepPoint p : report.sweeps()) {
            ObjectNode n = sweeps.addObject();
            n.put("sweep", p.sweep());
            n.put("x", p.x());
            n.set("result", json(p.result()));
        }
        return root;
    }

    private static ObjectNode json(PathResult r) {
        ObjectNode n = JSON.createObjectNode();
        n.put("path", r.path().number());
        n.put("path_name", r.path().title());
        n.put("model", r.model());
        n.put("ran", r.ran());
        n.put("chunks", r.chunks());
        n.put("tokens", r.tokens());
        putNumber(n, "seconds", r.seconds());
        putNumber(n, "tokens_per_s", r.tokensPerSecond());
        putNumber(n, "chunks_per_s", r.chunksPerSecond());
        putNumber(n, "p50_ms", r.latency().p50Millis());
        putNumber(n, "p99_ms", r.latency().p99Millis());
        putNumber(n, "mean_batch", r.meanBatch());
        putNumber(n, "padding_efficiency", r.paddingEfficiency());
        putNumber(n, "startup_s", r.phases().startupSeconds());
        putNumber(n, "steady_s", r.phases().steadySeconds());
        n.put("steady_tokens", r.phases().steadyTokens());
        putNumber(n, "steady_tokens_per_s", r.steadyTokensPerSecond());
        putNumber(n, "steady_cpu_s", r.phases().steadyCpuSeconds());
        ObjectNode roles = n.putObject("steady_cpu_s_by_thread_role");
        r.phases().steadyCpuByRole().forEach((role, sec) -> roles.put(role.name().toLowerCase(Locale.ROOT), sec));
        n.put("peak_rss_bytes", r.peakRssBytes());
        n.put("note", r.note());
        return n;
    }

    /** Start-up and steady state of the rows that split them (see {@link Phases}). */
    private static void phases(StringBuilder sb, SuiteReport report, String model) {
        boolean header = false;
        for (PathResult r : report.results()) {
            if (!r.model().equals(model) || !Double.isFinite(r.steadyTokensPerSecond())) {
                continue;
            }
            if (!header) {
                sb.append("\nStart-up (until the first compressed chunk) and steady state (first to last compressed ")
                        .append("chunk); tokens per CPU-second of the whole process in that time, and where that CPU ")
                        .append("time went by thread (model calls: ONNX Runtime on the batcher's threads; the JVM: its JIT ")
                        .append("compiler and GC threads):\n\n| path | start-up s | steady s | steady tokens/s | tokens/CPU-s "
                        + "| steady CPU by thread |\n|---|---:|---:|---:|---:|---|\n");
                header = true;
            }
            sb.append("| ").append(r.path().label()).append(" | ").append(num(r.phases().startupSeconds(), 2)).append(" | ")
                    .append(num(r.phases().steadySeconds(), 1)).append(" | ").append(num(r.steadyTokensPerSecond(), 0))
                    .append(" | ").append(num(r.phases().tokensPerCpuSecond(), 0)).append(" | ")
                    .append(r.phases().steadyCpuByRole().isEmpty() ? "n/a"
                            : ThreadCpu.describe(r.phases().steadyCpuByRole())).append(" |\n");
        }
    }

    private static void putNumber(ObjectNode n, String key, double v) {
        if (Double.isFinite(v)) {
            n.put(key, v);
        } else {
            n.putNull(key);
        }
    }

    static String num(double v, int decimals) {
        if (!Double.isFinite(v)) {
            return "n/a";
        }
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    private static String escape(String s) {
        return s == null ? "" : s.replace("|", "\\|").replace("\n", " ");
    }
}
