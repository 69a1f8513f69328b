package io.flinkllmlingua.engine;

/**
 * A request refused because of its options: the builder's rules ({@link CompressionOptions.Builder#build()}), or
 * options that cannot apply to the request's input (a rate of 0 on a text that has tokens to keep or drop).
 * Callers that classify refusals (the operator's {@code InvalidOptions} dead letters) tell it from the other
 * {@link InvalidRequestException}s, which are about the input itself.
 */
public class InvalidOptionsException extends InvalidRequestException {
    private static final long serialVersionUID = 1L;

    public InvalidOptionsException(String message) {
        super(message);
    }
}
