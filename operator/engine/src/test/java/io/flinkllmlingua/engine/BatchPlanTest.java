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
        assertEquals(new BatchPlan(1, 1), defaults.batchPlan(ExecutionProvider.CPU));
        assertEquals(new BatchPlan(32, 32), defaults.batchPlan(ExecutionProvider.CUDA));
        assertEquals(new BatchPlan(32, 32), defaults.batchPlan(ExecutionProvider.TENSORRT));
    }

    @Test
    void eachSettingOverridesOnlyItself() {
        EngineConfig sequences = EngineConfig.builder("m").maxBatchSequences(4).build();
        assertEquals(new BatchPlan(4, 1), sequences.batchPlan(ExecutionProvider.CPU));
        assertEquals(new BatchPlan(4, 32), sequences.batchPlan(ExecutionProvider.CUDA));
        EngineConfig bucket = EngineConfig.builder("m").lengthBucket(16).build();
        assertEquals(new BatchPlan(1, 16), bucket.batchPlan(ExecutionProvider.CPU));
        assertEquals(new BatchPlan(32, 16), bucket.batchPlan(ExecutionProvider.CUDA));
    }

    @Test
    void invalidSettingsAreRefusedWithTheirName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EngineConfig.builder("m").maxBatchSequences(-1).build());
        assertTrue(e.getMessage().startsWith("maxBatchSequences"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> EngineConfig.builder("m").lengthBucket(513).build());
        assertTrue(e.getMessage().startsWith("lengthBucket"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new BatchPlan(0, 1));
        assertEquals("1 sequence per call, exact length", BatchPlan.CPU.describe());
    }
}
