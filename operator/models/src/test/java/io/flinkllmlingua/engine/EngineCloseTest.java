package io.flinkllmlingua.engine;

import io.flinkllmlingua.models.minilm.MiniLmModelBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Closing the engine while its model is running (a Flink task cancelled or failing mid-record) on the MiniLM demo
 * model, whose calls on large inputs run long enough to be caught. Freeing the ONNX Runtime session under a running
 * call crashed the JVM (SIGSEGV in libonnxruntime); surefire would report that as a crashed fork, so passing here
 * means the JVM survived every close.
 */
class EngineCloseTest {
    private static final int LOOPS = 30;
    private static final String SENTENCES = "The configuration file is read once at startup. If a value is missing, "
            + "the server falls back to the default listed in the table below, and a warning is written to the log. "
            + "Each request carries a time limit in milliseconds; when it expires the client retries twice. ";

    @TempDir
    static Path tmp;
    private static Path model;

    @BeforeAll
    static void build() throws Exception {
        model = tmp.resolve("minilm");
        MiniLmModelBuilder.build(model);
    }

    private static EngineConfig config() {
        return EngineConfig.builder(model).executionProvider(ExecutionProvider.CPU).intraOpThreads(1)
                .maxBatchSequences(8).build();
    }

    @Test
    void closingWhileCompressionsRunCompletesEveryFutureAndKeepsTheJvmAlive() throws Exception {
        Random random = new Random(20261202L);
        String large = SENTENCES.repeat(120); // about 30 KB: dozens of 512-token chunks, several model calls
        CompressionOptions options = CompressionOptions.defaults();
        ExecutorService stages = Executors.newFixedThreadPool(2);
        ExecutorService closer = Executors.newSingleThreadExecutor();
        ExecutorService syncCaller = Executors.newSingleThreadExecutor();
        int completed = 0;
        int closedErrors = 0;
        int cancelledCalls = 0;
        try {
            for (int loop = 0; loop < LOOPS; loop++) {
                PromptCompressor engine = PromptCompressor.open(config());
                List<CompletableFuture<CompressionResult>> futures = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    futures.add(engine.compressAsync(List.of(large), options, stages));
                }
                // The blocking API as well: its caller waits in the batcher.
                futures.add(CompletableFuture.supplyAsync(() -> engine.compress(large, options), syncCaller));
                long delayMs = 20 + random.nextInt(400);
                CompletableFuture<Void> closed = CompletableFuture.runAsync(() -> {
                    sleep(delayMs);
                    engine.close();
                }, closer);
                // Bounded waits only so that a hang fails the test instead of the build; nothing depends on timing.
                closed.get(120, TimeUnit.SECONDS);
                for (CompletableFuture<CompressionResult> f : futures) {
                    try {
                        CompressionResult r = f.get(120, TimeUnit.SECONDS);
                        assertTrue(r.originTokens() > 0);
                        completed++;
                    } catch (ExecutionException e) {
                        Throwable cause = e.getCause();
                        assertInstanceOf(EngineClosedException.class, cause, "loop " + loop + ": " + cause);
                        assertTrue(cause.getMessage().startsWith("engine closed: "), cause.getMessage());
                        closedErrors++;
                        if (cause.getMessage().contains("cancelled")) {
                            cancelledCalls++;
                        }
                    }
                }
                // A closed engine refuses at once, with the same error.
                ExecutionException late = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                        () -> engine.compressAsync(List.of("late"), options, stages).get(30, TimeUnit.SECONDS));
                assertInstanceOf(EngineClosedException.class, late.getCause());
            }
        } finally {
            stages.shutdown();
            closer.shutdown();
            syncCaller.shutdown();
        }
        System.out.printf("engine close loop: %d compressions completed, %d ended by the close (%d of them in a "
                + "cancelled model call)%n", completed, closedErrors, cancelledCalls);
        assertEquals(LOOPS * 4, completed + closedErrors);
        assertTrue(cancelledCalls > 0, "no close landed on a running model call, so the test proved nothing");
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
