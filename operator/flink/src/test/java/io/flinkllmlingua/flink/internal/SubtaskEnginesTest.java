package io.flinkllmlingua.flink.internal;

import io.flinkllmlingua.flink.LlmLinguaConfig;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SubtaskEnginesTest {
    private static final int CORES = Runtime.getRuntime().availableProcessors();

    @Test
    void byDefaultTheCoresAreDividedAmongTheSlots() {
        LlmLinguaConfig config = LlmLinguaConfig.builder("/models/x").build();
        assertEquals(CORES, SubtaskEngines.intraOpThreads(config, 1));
        assertEquals(Math.max(1, CORES / 2), SubtaskEngines.intraOpThreads(config, 2));
        assertEquals(1, SubtaskEngines.intraOpThreads(config, CORES + 1), "at least one thread");
    }

    @Test
    void configuredThreadsAreKeptWhateverTheSlots() {
        LlmLinguaConfig config = LlmLinguaConfig.builder("/models/x").threads(3).build();
        assertEquals(3, SubtaskEngines.intraOpThreads(config, 1));
        assertEquals(3, SubtaskEngines.intraOpThreads(config, 8));
    }
}
