package io.flinkllmlingua.demo;

import io.flinkllmlingua.flink.LlmLinguaOptions;
import io.flinkllmlingua.jobs.cli.EntryPoint;
import io.flinkllmlingua.jobs.streaming.JobSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The embedded demo ({@code bash jobs/bin/run-embedded.sh}): the Kafka ingestion job on a local Flink with a real
 * local Kafka broker (KRaft, 127.0.0.1), the bundled sample corpus and, without {@code --model}, the MiniLM-based
 * demo model, until the input is consumed; then a summary. A demo, not a way to run the job in production: that is
 * {@code CompressionJobMain} against a real Kafka, which never starts a broker of its own.
 */
@Command(name = DemoMain.NAME, mixinStandardHelpOptions = true,
        description = "The embedded demo: the ingestion job on a local Kafka broker and Flink, the bundled sample "
                + "corpus and the MiniLM-based demo model (not LLMLingua-2 quality).")
public final class DemoMain implements Callable<Integer> {
    static final String NAME = "llmlingua-demo";

    @Option(names = "--records", defaultValue = "0", description = "Records to send (0: the whole sample corpus).")
    int records;

    @Option(names = "--compare-engine", description = "Afterwards, compress the same corpus with the engine alone "
            + "(no Kafka, no Flink) and print both throughputs.")
    boolean compareEngine;

    @Option(names = "--model", description = "Model directory (default: the MiniLM demo model, built once).")
    String model;

    @Option(names = {"-p", "--parallelism"}, defaultValue = "-1", description = "Job parallelism (default: 2).")
    int parallelism;

    @Option(names = "-D", description = "An llmlingua.* option, e.g. -Dllmlingua.rate=0.3.")
    Map<String, String> overrides = new LinkedHashMap<>();

    @Option(names = {"-v", "--verbose"}, description = "Stack traces on errors.")
    boolean verbose;

    public static void main(String[] args) {
        io.flinkllmlingua.jobs.cli.JobLog.configureLocalLogging();
        EntryPoint.finish(NAME, EntryPoint.commandLine(new DemoMain(), NAME, System.err).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        for (String k : overrides.keySet()) {
            if (!k.startsWith(LlmLinguaOptions.PREFIX)) {
                throw new IllegalArgumentException("unknown option -D" + k + " (-D takes llmlingua.* options)");
            }
        }
        LlmLinguaOptions.checkKeys(overrides.keySet(), LlmLinguaOptions.Surface.DATASTREAM, "-D");
        JobSettings s = new JobSettings();
        s.parallelism = parallelism;
        s.llmlingua.putAll(overrides);
        if (model != null) {
            s.llmlingua.put(LlmLinguaOptions.MODEL_PATH.key(), model);
        }
        return EmbeddedDefault.run(s, records, compareEngine, System.out);
    }
}
