package io.flinkllmlingua.bench;

import io.flinkllmlingua.training.eval.KeepAgreement;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything one suite run measured, in the order it ran: the five paths per model, the engine's stage times
 * (where the gap to the ceiling goes), and the scaling sweeps.
 */
public record SuiteReport(String startedAt, Map<String, String> environment, String command, List<PathResult> results,
                          Map<String, EngineThroughput.StageTimes> engineStages, Map<String, StageProfile> profiles,
                          List<SweepPoint> sweeps, Map<String, KeepAgreement.Result> agreements) {

    /** The int8 models' suffix: {@code minilm-int8} quantises {@code minilm}. */
    static final String INT8_SUFFIX = "-int8";

    /** The ratios of token rates for one model: 2/6, 2/1, 3/6, 2/4, 2/5 (NaN where a path did not run). */
    public Map<String, Double> ratios(String model) {
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("2/6 engine / model-only best plan", ratio(model, BenchPath.ENGINE, BenchPath.MODEL_BEST_PLAN));
        out.put("2/1 engine / model-only", ratio(model, BenchPath.ENGINE, BenchPath.MODEL_ONLY));
        out.put("3/6 Flink job / model-only best plan", ratio(model, BenchPath.FLINK_JOB, BenchPath.MODEL_BEST_PLAN));
        out.put("2/4 engine / naive", ratio(model, BenchPath.ENGINE, BenchPath.NAIVE));
        out.put("2/5 engine / peer", ratio(model, BenchPath.ENGINE, BenchPath.NODE_PEER));
        if (model.endsWith(INT8_SUFFIX)) {
            String fp32 = model.substring(0, model.length() - INT8_SUFFIX.length());
            // The first word is the key in results.json: one per ratio.
            out.put("int8/fp32:2 engine (path 2 of " + fp32 + ")", ratio(model, fp32, BenchPath.ENGINE));
            out.put("int8/fp32:6 model-only best plan (path 6)", ratio(model, fp32, BenchPath.MODEL_BEST_PLAN));
        }
        return out;
    }

    double ratio(String model, BenchPath a, BenchPath b) {
        return ratio(find(model, a), find(model, b));
    }

    /** One path of two models: {@code model} over {@code other}. */
    double ratio(String model, String other, BenchPath path) {
        return ratio(find(model, path), find(other, path));
    }

    private static double ratio(PathResult x, PathResult y) {
        if (x == null || y == null || !x.ran() || !y.ran()) {
            return Double.NaN;
        }
        return x.tokensPerSecond() / y.tokensPerSecond();
    }

    PathResult find(String model, BenchPath path) {
        for (PathResult r : results) {
            if (r.model().equals(model) && r.path() == path) {
                return r;
            }
        }
        return null;
    }

    public List<String> models() {
        List<String> out = new ArrayList<>();
        for (PathResult r : results) {
            if (!out.contains(r.model())) {
                out.add(r.model());
            }
        }
        return out;
    }

    public List<SweepPoint> sweep(String name) {
        List<SweepPoint> out = new ArrayList<>();
        for (SweepPoint p : sweeps) {
            if (p.sweep().equals(name)) {
                out.add(p);
            }
        }
        out.sort(java.util.Comparator.comparingDouble(SweepPoint::x));
        return out;
    }
}
