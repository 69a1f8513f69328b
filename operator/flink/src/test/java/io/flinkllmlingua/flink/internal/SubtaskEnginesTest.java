package io.flinkllmlingua.flink.internal;

import io.flinkllmlingua.flink.LlmLinguaConfig;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SubtaskEnginesTest {
    private static final int CORES = Runtime.getRuntime().availableProcessors();

    @Test
    void byDefaultTheCoresAreDividedAmongTheSlots() {
        LlmLinguaConfig config = LlmLinguaConfig.builder("/models/x").build();
        assertEquals(CORES, SubtaskEngines.intraOpThreads(config, 1, 0));
        assertEquals(Math.max(1, CORES / 2), SubtaskEngines.intraOpThreads(config, 2, 0));
        assertEquals(Math.max(1, CORES / 2), SubtaskEngines.intraOpThreads(config, 2, 2));
        assertEquals(1, SubtaskEngines.intraOpThreads(config, CORES + 1, 0), "at least one thread");
    }

    @Test
    void slotsTheOperatorCannotFillTakeNoShare() {
        LlmLinguaConfig config = LlmLinguaConfig.builder("/models/x").build();
        // A local TaskManager of 8 slots running the operator at parallelism 1: one engine, every core.
        assertEquals(CORES, SubtaskEngines.intraOpThreads(config, 8, 1));
        assertEquals(Math.max(1, CORES / 2), SubtaskEngines.intraOpThreads(config, 8, 2));
        // More subtasks than slots: at most one engine per slot in this TaskManager.
        assertEquals(Math.max(1, CORES / 2), SubtaskEngines.intraOpThreads(config, 2, 16));
    }

    @Test
    void configuredThreadsAreKeptWhateverTheSlots() {
        LlmLinguaConfig config = LlmLinguaConfig.builder("/models/x").threads(3).build();
        assertEquals(3, SubtaskEngines.intraOpThreads(config, 1, 1));
        assertEquals(3, SubtaskEngines.intraOpThreads(config, 8, 8));
    }
}
