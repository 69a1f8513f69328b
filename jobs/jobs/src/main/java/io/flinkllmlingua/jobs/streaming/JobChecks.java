package io.flinkllmlingua.jobs.streaming;

import io.flinkllmlingua.flink.LlmLinguaConfig;
import io.flinkllmlingua.flink.LlmLinguaOptions;

import java.nio.file.Files;
import java.util.Map;

/** Checks the job mains (ingestion, backfill) make before building a job, so that a mistake is one clear message. */
public final class JobChecks {
    private JobChecks() {}

    /**
     * Validates the operator options ({@link LlmLinguaConfig.Builder#build()}), and in a local run that the model
     * directory exists (on a cluster only the TaskManagers need it).
     *
     * @throws IllegalArgumentException naming the option
     */
    public static LlmLinguaConfig check(Map<String, String> llmlingua, boolean local) {
        String model = llmlingua.get(LlmLinguaOptions.MODEL_PATH.key());
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("missing --model (or -D" + LlmLinguaOptions.MODEL_PATH.key()
                    + "): the model directory");
        }
        LlmLinguaConfig config = LlmLinguaConfig.fromMap(llmlingua);
        if (local && !Files.isDirectory(config.engine().modelDir())) {
            throw new IllegalArgumentException("model directory not found: " + config.engine().modelDir()
                    + " (--model or " + LlmLinguaOptions.MODEL_PATH.key() + ")");
        }
        return config;
    }
}
