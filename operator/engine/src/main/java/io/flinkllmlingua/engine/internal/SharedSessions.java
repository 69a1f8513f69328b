package io.flinkllmlingua.engine.internal;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.flinkllmlingua.engine.EngineConfig;
import io.flinkllmlingua.engine.ExecutionProvider;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.Map;

/**
 * The CPU sessions of one intra-op thread, shared by every classifier of this class loader that opens the same model
 * file with the same settings. ONNX Runtime runs such a session's call on the caller's thread and runs concurrent
 * calls of one session safely, so the engines of a TaskManager's subtasks (one thread each when slots match cores)
 * and the concurrent calls of one engine hold one copy of the weights between them instead of one each, at the same
 * speed ({@code SessionSharingBenchmark}). Sessions of more threads are not shared: their thread pool would serve
 * several callers' calls at once.
 *
 * <p>Reference-counted: {@link #acquire} opens the session for the first holder, the last {@link Lease#release} frees
 * it. Each holder cancels and waits for its own calls before releasing ({@link OnnxTokenClassifier#close}), so the
 * session is never freed under a running call. Hand-written because ONNX Runtime's Java API offers no shared-session
 * registry and the refcount must follow the close contract above.
 */
final class SharedSessions {
    /**
     * What makes two sessions interchangeable: the file as it is on disk now (a file rewritten in place, such as a
     * rebuilt quantisation, gets a new session) and the settings a session is opened with beyond its one thread.
     */
    record Key(Path file, long size, FileTime modified, int interOpThreads, EngineConfig.OptimizationLevel level) {
        static Key of(Path modelFile, EngineConfig config) throws IOException {
            Path real = modelFile.toRealPath();
            BasicFileAttributes a = Files.readAttributes(real, BasicFileAttributes.class);
            return new Key(real, a.size(), a.lastModifiedTime(), config.interOpThreads(), config.optimizationLevel());
        }
    }

    /** Opens a session (the first holder's settings, which the key makes everyone's). */
    interface Opener {
        OrtSession open() throws OrtException;
    }

    /** One holder's claim on a shared session. */
    static final class Lease {
        private final Key key;
        private final Entry entry;
        private final int holdersAtAcquire;
        private boolean released;

        private Lease(Key key, Entry entry) {
            this.key = key;
            this.entry = entry;
            this.holdersAtAcquire = entry.holders;
        }

        OrtSession session() {
            return entry.session;
        }

        /** Holders of the session when this one joined, itself included (1: it opened the session). */
        int holdersAtAcquire() {
            return holdersAtAcquire;
        }

        /** Gives the claim up; the last one frees the session. Idempotent. */
        void release() throws OrtException {
            synchronized (OPEN) {
                if (released) {
                    return;
                }
                released = true;
                if (--entry.holders == 0) {
                    OPEN.remove(key);
                    entry.session.close();
                }
            }
        }
    }

    private static final class Entry {
        final OrtSession session;
        int holders;

        Entry(OrtSession session) {
            this.session = session;
        }
    }

    /** Guards itself and every entry's holder count. */
    private static final Map<Key, Entry> OPEN = new HashMap<>();

    private SharedSessions() {}

    /** Whether a session on {@code provider} with {@code intraOpThreads} is shared: one thread on CPU. */
    static boolean shareable(ExecutionProvider provider, int intraOpThreads) {
        return provider == ExecutionProvider.CPU && intraOpThreads == 1;
    }

    /**
     * The open session of {@code key}, or a new one from {@code opener}. Opening happens under the registry's lock, so
     * that a second subtask starting at the same time waits and shares instead of loading a second copy.
     */
    static Lease acquire(Key key, Opener opener) throws OrtException {
        synchronized (OPEN) {
            Entry e = OPEN.get(key);
            if (e == null) {
                e = new Entry(opener.open());
                OPEN.put(key, e);
            }
            e.holders++;
            return new Lease(key, e);
        }
    }

    /** Sessions open now (for tests). */
    static int openSessions() {
        synchronized (OPEN) {
            return OPEN.size();
        }
    }
}
