package io.flinkllmlingua.bench;

/** The measured paths of the suite, numbered as in the issue and the results table. */
public enum BenchPath {
    MODEL_ONLY(1, "model-only ceiling", "ONNX Runtime forward passes alone, replaying the engine's own batches"),
    ENGINE(2, "engine end to end", "tokenize, infer (micro-batched), merge, select, render, count; N concurrent callers"),
    FLINK_JOB(3, "Flink job via Kafka", "KafkaSource -> operator -> exactly-once KafkaSink on a local MiniCluster"),
    NAIVE(4, "naive baseline", "one record at a time, every sequence padded to 512, no batching (as the reference runs)"),
    NODE_PEER(5, "peer @atjsh/llmlingua-2", "the npm package on Node + onnxruntime-node, same ONNX model, one record at a time"),
    MODEL_BEST_PLAN(6, "model-only, best plan", "ONNX Runtime alone on the engine's sequences in the provider's best "
            + "plan (CPU: one sequence per call at its exact length)");

    private final int number;
    private final String title;
    private final String description;

    BenchPath(int number, String title, String description) {
        this.number = number;
        this.title = title;
        this.description = description;
    }

    public int number() {
        return number;
    }

    public String title() {
        return title;
    }

    public String description() {
        return description;
    }

    public String label() {
        return number + ". " + title;
    }
}
