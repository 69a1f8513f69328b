package io.flinkllmlingua.engine;

/** A compression request the engine refuses: bad parameters or input it cannot process. Never retried. */
public class InvalidRequestException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public InvalidRequestException(String message) {
        super(message);
    }
}
