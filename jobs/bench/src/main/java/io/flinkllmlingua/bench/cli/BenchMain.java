package io.flinkllmlingua.bench.cli;

import io.flinkllmlingua.engine.ExecutionProvider;
import io.flinkllmlingua.engine.ModelFamily;
import io.flinkllmlingua.jobs.cli.EngineDefaults;
import io.flinkllmlingua.jobs.cli.EnumConverter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/**
 * {@code llmlingua-bench}: the benchmarks, apart from the product's CLI (they need the test kit's Kafka broker, the
 * demo model and the Node peer). Exit codes: 0 done, 1 a failure, 2 a usage error.
 */
@Command(name = "llmlingua-bench", mixinStandardHelpOptions = true,
        description = "LLMLingua-2 benchmarks: the engine alone, and the benchmark suite.",
        subcommands = {BenchCommand.class, BenchSuiteCommand.class, CommandLine.HelpCommand.class})
public final class BenchMain implements Runnable {
    public static final int EXIT_OK = 0;
    public static final int EXIT_ERROR = 1;
    public static final int EXIT_USAGE = 2;

    private final PrintStream out;
    private final PrintStream err;

    @Spec
    CommandSpec spec;

    public BenchMain(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        System.exit(new BenchMain(out, err).execute(args));
    }

    /** Parses {@code args}, runs the subcommand and returns the exit code. */
    public int execute(String... args) {
        CommandLine cl = new CommandLine(this);
        cl.registerConverter(ExecutionProvider.class, new EnumConverter<>(ExecutionProvider.class));
        cl.registerConverter(ModelFamily.class, ModelFamily::parse);
        cl.setDefaultValueProvider(new EngineDefaults());
        CommandLine bench = cl.getSubcommands().get("bench");
        ((BenchCommand) bench.getCommand()).engine.installOn(bench);
        cl.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        cl.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        cl.setParameterExceptionHandler((ex, a) -> {
            err.println("llmlingua-bench: " + ex.getMessage());
            err.println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help' for more information.");
            return EXIT_USAGE;
        });
        cl.setExecutionExceptionHandler((ex, command, parseResult) -> {
            err.println("llmlingua-bench: " + ex);
            return EXIT_ERROR;
        });
        return cl.execute(args);
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing subcommand");
    }

    PrintStream stdout() {
        return out;
    }

    PrintStream stderr() {
        return err;
    }
}
