package io.flinkllmlingua.engine;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BatchPlanTest {

    @Test
    void theProviderChoosesTheDefaultPlan() {
        EngineConfig defaults = EngineConfig.builder("m").build();
        assertEquals(0, defaults.maxBatchSequences(), "unset: the provider's");
        assertEquals(0, defaults.lengthBucket(), "unset: the provider's");
        assertEquals(0, defaults.sessions(), "unset: the provider's");
        int cores = Runtime.getRuntime().availableProcessors();
        assertEquals(new BatchPlan(1, 1, Math.min(2, cores)), defaults.batchPlan(ExecutionProvider.CPU),
                "two sessions on CPU, at most one per core");
        assertEquals(new BatchPlan(32, 32, 1), defaults.batchPlan(ExecutionProvider.CUDA));
        assertEquals(new BatchPlan(32, 32, 1), defaults.batchPlan(ExecutionProvider.TENSORRT));
    }

    @Test
    void theThreadBudgetIsSharedAmongTheSessions() {
        EngineConfig four = EngineConfig.builder("m").intraOpThreads(4).build();
        BatchPlan cpu = four.batchPlan(ExecutionProvider.CPU);
        assertEquals(2, cpu.sessions());
        assertEquals(2, four.threadsPerSession(cpu), "4 threads over 2 sessions");
        assertEquals(4, four.threadsPerSession(four.batchPlan(ExecutionProvider.CUDA)), "one GPU session keeps them all");

        EngineConfig one = EngineConfig.builder("m").intraOpThreads(1).build();
        BatchPlan single = one.batchPlan(ExecutionProvider.CPU);
        assertEquals(1, single.sessions(), "the default never gives a session less than one thread");
        assertEquals(1, one.threadsPerSession(single));

        EngineConfig unset = EngineConfig.builder("m").build();
        assertEquals(0, unset.threadsPerSession(unset.batchPlan(ExecutionProvider.CUDA)),
                "one session and no thread count: ONNX Runtime's default");
        EngineConfig three = EngineConfig.builder("m").intraOpThreads(2).sessions(3).build();
        BatchPlan explicit = three.batchPlan(ExecutionProvider.CPU);
        assertEquals(3, explicit.sessions(), "a session count set by the user is not capped");
        assertEquals(1, three.threadsPerSession(explicit), "at least one thread each");
        assertEquals(3, three.batchPlan(ExecutionProvider.CUDA).sessions(), "also on a GPU");
    }

    @Test
    void eachSettingOverridesOnlyItself() {
        EngineConfig sequences = EngineConfig.builder("m").intraOpThreads(2).maxBatchSequences(4).build();
        assertEquals(new BatchPlan(4, 1, 2), sequences.batchPlan(ExecutionProvider.CPU));
        assertEquals(new BatchPlan(4, 32, 1), sequences.batchPlan(ExecutionProvider.CUDA));
        EngineConfig bucket = EngineConfig.builder("m").intraOpThreads(2).lengthBucket(16).build();
        assertEquals(new BatchPlan(1, 16, 2), bucket.batchPlan(ExecutionProvider.CPU));
        assertEquals(new BatchPlan(32, 16, 1), bucket.batchPlan(ExecutionProvider.CUDA));
        EngineConfig sessions = EngineConfig.builder("m").intraOpThreads(2).sessions(1).build();
        assertEquals(new BatchPlan(1, 1, 1), sessions.batchPlan(ExecutionProvider.CPU));
    }

    @Test
    void invalidSettingsAreRefusedWithTheirName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EngineConfig.builder("m").maxBatchSequences(-1).build());
        assertTrue(e.getMessage().startsWith("maxBatchSequences"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> EngineConfig.builder("m").lengthBucket(513).build());
        assertTrue(e.getMessage().startsWith("lengthBucket"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> EngineConfig.builder("m").sessions(-1).build());
        assertTrue(e.getMessage().startsWith("sessions"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> EngineConfig.builder("m").sessions(EngineConfig.MAX_SESSIONS + 1).build());
        assertThrows(IllegalArgumentException.class, () -> new BatchPlan(0, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new BatchPlan(1, 1, 0));
        assertEquals("1 sequence per call, exact length, 2 sessions", BatchPlan.CPU.describe());
        assertEquals("32 sequences per call, length rounded up to a multiple of 32, 1 session", BatchPlan.GPU.describe());
    }
}
