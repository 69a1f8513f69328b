package io.flinkllmlingua.flink.internal;

import io.flinkllmlingua.flink.LlmLinguaConfig;
import org.apache.flink.api.common.externalresource.ExternalResourceInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collections;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/** What the DataStream operator and the SQL functions share when a subtask opens its engine. */
public final class SubtaskEngines {
    private static final Logger LOG = LoggerFactory.getLogger(SubtaskEngines.class);

    private SubtaskEngines() {}

    /**
     * The GPU of a subtask: the {@code index} property of Flink's external resource (when the TaskManager declares
     * GPUs), else the configured device, else the subtask index spread over the configured device count.
     *
     * @param externalResources {@code RuntimeContext::getExternalResourceInfos} or {@code FunctionContext::...}
     */
    public static int chooseDevice(Function<String, Set<ExternalResourceInfo>> externalResources,
                                   LlmLinguaConfig config, int subtask) {
        Set<ExternalResourceInfo> gpus = Collections.emptySet();
        try {
            gpus = externalResources.apply(config.gpuResource());
        } catch (RuntimeException e) {
            LOG.debug("No external resource '{}': {}", config.gpuResource(), e.getMessage());
        }
        for (ExternalResourceInfo info : gpus) {
            Optional<String> index = info.getProperty("index");
            if (index.isPresent()) {
                try {
                    return Integer.parseInt(index.get().trim());
                } catch (NumberFormatException e) {
                    LOG.warn("Ignoring GPU index '{}' of external resource '{}'", index.get(), config.gpuResource());
                }
            }
        }
        return config.device() >= 0 ? config.device() : subtask % config.deviceCount();
    }

    /**
     * ONNX Runtime intra-op threads of one subtask's engine: {@code llmlingua.threads} when set (> 0); else the
     * JVM's cores divided among the engines that can share this TaskManager, at least one. That is one per slot, but
     * never more than the operator's parallelism: a local run's TaskManager often has more slots than the job uses.
     * ONNX Runtime's own default (a thread per core, per session, spinning while it waits for work) would put
     * engines x cores compute threads on the cores: with parallelism 2 in one 2-core TaskManager, 4 threads that
     * preempt each other.
     *
     * @param slots       the TaskManager's task slots
     * @param parallelism the operator's parallelism (0 when unknown: the slots alone)
     */
    public static int intraOpThreads(LlmLinguaConfig config, int slots, int parallelism) {
        int configured = config.engine().intraOpThreads();
        if (configured > 0) {
            return configured;
        }
        int engines = Math.max(1, parallelism > 0 ? Math.min(slots, parallelism) : slots);
        return Math.max(1, Runtime.getRuntime().availableProcessors() / engines);
    }

    /**
     * Threads for tokenization and selection of in-flight records (model calls wait in the engine's batcher
     * without holding one): between 2 and 8, by the cores available.
     */
    public static ExecutorService workerPool(String namePrefix) {
        int threads = Math.max(2, Math.min(Runtime.getRuntime().availableProcessors(), 8));
        AtomicInteger n = new AtomicInteger();
        return Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, namePrefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }
}
