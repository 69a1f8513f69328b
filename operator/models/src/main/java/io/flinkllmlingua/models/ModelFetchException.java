package io.flinkllmlingua.models;

import java.io.IOException;

/**
 * A model download that failed for good: unverified entry refused, HTTP error, retries exhausted, size or
 * SHA-256 mismatch. The message names the file, the URL (never the token) and what was expected.
 */
public class ModelFetchException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String url;
    private final int statusCode;

    public ModelFetchException(String message) {
        this(message, null, -1, null);
    }

    public ModelFetchException(String message, Throwable cause) {
        this(message, null, -1, cause);
    }

    public ModelFetchException(String message, String url, int statusCode, Throwable cause) {
        super(message, cause);
        this.url = url;
        this.statusCode = statusCode;
    }

    /** The URL involved, or null. */
    public String url() { return url; }

    /** The last HTTP status seen, or -1. */
    public int statusCode() { return statusCode; }
}
