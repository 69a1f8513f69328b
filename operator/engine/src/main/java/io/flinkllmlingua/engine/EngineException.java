package io.flinkllmlingua.engine;

/** A failure of the engine itself (model files, ONNX Runtime, tokenizer). May be transient (e.g. GPU out of memory). */
public class EngineException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public EngineException(String message) {
        super(message);
    }

    public EngineException(String message, Throwable cause) {
        super(message, cause);
    }
}
