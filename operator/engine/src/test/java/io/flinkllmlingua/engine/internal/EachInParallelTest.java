package io.flinkllmlingua.engine.internal;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The helper that copies a long text's piece encodings on several threads before the caller frees them. */
class EachInParallelTest {

    @Test
    void aFailureIsRethrownOnlyAfterEveryOtherPieceHasEnded() {
        int n = 16;
        AtomicInteger ended = new AtomicInteger();
        IllegalStateException boom = new IllegalStateException("piece 0 failed");
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () ->
                ModelTokenizer.eachInParallel(n, i -> {
                    if (i == 0) {
                        throw boom;
                    }
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    ended.incrementAndGet();
                }));
        assertSame(boom, thrown);
        // Had it returned early, the caller's finally would free encodings that these pieces still read.
        assertEquals(n - 1, ended.get());
    }

    @Test
    void everyIndexRunsOnceAndSeveralFailuresAreKeptAsSuppressed() {
        AtomicInteger sum = new AtomicInteger();
        ModelTokenizer.eachInParallel(100, sum::addAndGet);
        assertEquals(99 * 100 / 2, sum.get());
        RuntimeException e = assertThrows(RuntimeException.class, () -> ModelTokenizer.eachInParallel(4, i -> {
            throw new RuntimeException("piece " + i);
        }));
        assertEquals(3, e.getSuppressed().length);
    }
}
