package io.flinkllmlingua.bench;

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
                          List<SweepPoint> sweeps) {

    /** The ratios of token rates for one model: 2/1, 3/1, 2/4, 2/5 (NaN where a path did not run). */
    public Map<String, Double> ratios(String model) {
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("2/6 engine / model-only best plan", ratio(model, BenchPath.ENGINE, BenchPath.MODEL_BEST_PLAN));
        out.put("2/1 engine / model-only", ratio(model, BenchPath.ENGINE, BenchPath.MODEL_ONLY));
        out.put("3/1 Flink job / model-only", ratio(model, BenchPath.FLINK_JOB, BenchPath.MODEL_ONLY));
        out.put("2/4 engine / naive", ratio(model, BenchPath.ENGINE, BenchPath.NAIVE));
        out.put("2/5 engine / peer", ratio(model, BenchPath.ENGINE, BenchPath.NODE_PEER));
        return out;
    }

    double ratio(String model, BenchPath a, BenchPath b) {
        PathResult x = find(model, a);
        PathResult y = find(model, b);
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
