package io.flinkllmlingua.flink;

/** An input record that cannot be compressed as it is: it goes to the dead-letter output, never retried. */
public class ChunkRejectedException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String errorClass;

    public ChunkRejectedException(String errorClass, String message) {
        super(message);
        this.errorClass = errorClass;
    }

    /** A short, stable name of the reason, e.g. {@code MalformedJson}, {@code MissingField}, {@code Oversize}. */
    public String errorClass() {
        return errorClass;
    }
}
