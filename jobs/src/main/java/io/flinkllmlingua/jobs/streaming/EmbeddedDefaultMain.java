package io.flinkllmlingua.jobs.streaming;

import io.flinkllmlingua.flink.LlmLinguaOptions;
import io.flinkllmlingua.jobs.cli.EntryPoint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The embedded demo (what {@code jobs/bin/run-embedded.sh} runs): a local Kafka broker, a local Flink, the bundled
 * sample corpus and, without {@code --model}, the MiniLM demo model, through the ingestion job until the input is
 * consumed; then a summary. Kept apart from {@link CompressionJobMain}, which never starts a broker of its own.
 */
@Command(name = "embedded-demo", mixinStandardHelpOptions = true,
        description = "The ingestion job on an embedded Kafka broker and the bundled sample corpus.")
public final class EmbeddedDefaultMain implements Callable<Integer> {
    static final String NAME = "embedded-demo";

    @Option(names = "--records", defaultValue = "0", description = "Records to send (0: the whole sample corpus).")
    int records;

    @Option(names = "--compare-engine", description = "Afterwards, compress the same corpus with the engine alone "
            + "(no Kafka, no Flink) and print both throughputs.")
    boolean compareEngine;

    @Option(names = "--model", description = "Model directory (default: the MiniLM demo model, built once).")
    String model;

    @Option(names = "-D", description = "An llmlingua.* option, e.g. -Dllmlingua.rate=0.3.")
    Map<String, String> overrides = new LinkedHashMap<>();

    @Option(names = {"-v", "--verbose"}, description = "Stack traces on errors.")
    boolean verbose;

    public static void main(String[] args) {
        EntryPoint.finish(NAME, EntryPoint.commandLine(new EmbeddedDefaultMain(), NAME, System.err).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        JobSettings s = new JobSettings();
        for (String k : overrides.keySet()) {
            if (!k.startsWith(LlmLinguaOptions.PREFIX)) {
                throw new IllegalArgumentException("unknown option -D" + k + " (-D takes llmlingua.* options)");
            }
        }
        LlmLinguaOptions.checkKeys(overrides.keySet(), LlmLinguaOptions.Surface.DATASTREAM, "-D");
        s.llmlingua.putAll(overrides);
        if (model != null) {
            s.llmlingua.put(LlmLinguaOptions.MODEL_PATH.key(), model);
        }
        return EmbeddedDefault.run(s, records, compareEngine, System.out);
    }
}
