package io.flinkllmlingua.flink.table.internal;

/** A row that cannot be compressed because of its content, under the FAIL policy. */
public final class InvalidRowException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public InvalidRowException(String message) {
        super(message);
    }
}
