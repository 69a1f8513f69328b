package io.flinkllmlingua.demo;

import io.flinkllmlingua.jobs.streaming.JobSettings;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The embedded demo ({@code bash jobs/bin/run-embedded.sh}): the Kafka ingestion job on a local Flink with a real
 * local Kafka broker, the bundled sample corpus and the MiniLM-based demo model, then a summary. It is a demo,
 * not a way to run the job in production (that is {@code CompressionJobMain} against a real Kafka).
 */
@Command(name = "llmlingua-demo", mixinStandardHelpOptions = true,
        description = "The embedded demo: a local Kafka broker (KRaft, 127.0.0.1), a local Flink, the bundled sample "
                + "corpus and the MiniLM-based demo model (not LLMLingua-2 quality).")
public final class DemoMain implements Callable<Integer> {

    @Option(names = "--records", defaultValue = "0", description = "Records to send (0: the whole sample corpus).")
    int records;

    @Option(names = "--compare-engine", description = "Afterwards, compress the same corpus with the engine alone "
            + "(no Kafka, no Flink) and print both throughputs.")
    boolean compareEngine;

    @Option(names = "--model", description = "Model directory instead of the demo model.")
    Path model;

    @Option(names = {"-p", "--parallelism"}, defaultValue = "-1", description = "Job parallelism (default: 2).")
    int parallelism;

    @Option(names = {"-D"}, description = "An llmlingua.* option, e.g. -Dllmlingua.rate=0.33.")
    Map<String, String> options = new LinkedHashMap<>();

    public static void main(String[] args) {
        System.exit(new CommandLine(new DemoMain()).setCaseInsensitiveEnumValuesAllowed(true).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        JobSettings s = new JobSettings();
        s.parallelism = parallelism;
        options.forEach((k, v) -> {
            if (!k.startsWith("llmlingua.")) {
                throw new CommandLine.ParameterException(new CommandLine(this), "-D" + k + ": only llmlingua.* options");
            }
            s.llmlingua.put(k, v);
        });
        if (model != null) {
            s.llmlingua.put("llmlingua.model.path", model.toString());
        }
        return EmbeddedDefault.run(s, records, compareEngine, System.out);
    }
}
