package io.flinkllmlingua.models;

import java.io.IOException;

/**
 * A checkpoint that cannot be converted: a missing or malformed file, an unsupported architecture, a tensor whose
 * shape disagrees with config.json. The message is one line that names the file.
 */
public class CheckpointImportException extends IOException {
    public CheckpointImportException(String message) {
        super(message);
    }

    public CheckpointImportException(String message, Throwable cause) {
        super(message, cause);
    }
}
