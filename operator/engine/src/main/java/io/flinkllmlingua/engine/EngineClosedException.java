package io.flinkllmlingua.engine;

/**
 * The engine was closed before (or while) this request ran: its model call was cancelled or never started. Not a
 * fault of the request; callers that are themselves shutting down (a cancelled or failing Flink task) drop it,
 * since the record is replayed from the last checkpoint.
 */
public class EngineClosedException extends EngineException {
    private static final long serialVersionUID = 1L;

    public EngineClosedException(String detail) {
        super("engine closed: " + detail);
    }
}
