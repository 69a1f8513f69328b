package io.flinkllmlingua.models;

import java.util.Locale;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * One file of a catalog entry: where it lives in the hub repository, the name it gets in the local model
 * directory, and, when known, its size and SHA-256.
 *
 * <p>A file whose {@link #sha256()} is null is <em>unverified</em>: nobody has pinned its hash yet, so the
 * fetcher refuses it unless unverified downloads were allowed explicitly.
 */
public final class ModelFile {
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern LOCAL_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    private final String path;
    private final String localName;
    private final Long size;
    private final String sha256;
    private final boolean optional;

    /**
     * @param path      path inside the hub repository ({@code onnx/model.onnx}); no {@code ..} segments
     * @param localName file name in the model directory ({@code model.onnx}); a plain name, no directories
     * @param size      size in bytes, or null when unknown
     * @param sha256    lowercase or uppercase hex SHA-256, or null when unknown (unverified)
     * @param optional  true when a 404 for this file is not an error (the file is then left out)
     */
    public ModelFile(String path, String localName, Long size, String sha256, boolean optional) {
        this.path = checkRepoPath(path);
        this.localName = checkLocalName(localName);
        if (size != null && size < 0) {
            throw new IllegalArgumentException("negative size " + size + " for " + path);
        }
        this.size = size;
        this.sha256 = sha256 == null ? null : checkSha256(sha256, path);
        this.optional = optional;
    }

    /** Path of the file inside the hub repository. */
    public String path() { return path; }

    /** Name of the file in the local model directory. */
    public String localName() { return localName; }

    /** Expected size in bytes, when the catalog knows it. */
    public OptionalLong size() { return size == null ? OptionalLong.empty() : OptionalLong.of(size); }

    /** Expected SHA-256 (lowercase hex), or null when the file is unverified. */
    public String sha256() { return sha256; }

    /** True when the catalog pins a SHA-256 for this file. */
    public boolean verified() { return sha256 != null; }

    /** True when a missing file (HTTP 404) is skipped instead of failing the fetch. */
    public boolean optional() { return optional; }

    static String checkSha256(String value, String what) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        if (!SHA256.matcher(v).matches()) {
            throw new IllegalArgumentException("invalid SHA-256 for " + what + ": '" + value + "' (expected 64 hex digits)");
        }
        return v;
    }

    private static String checkRepoPath(String path) {
        Objects.requireNonNull(path, "path");
        if (path.isEmpty() || path.startsWith("/") || path.endsWith("/") || path.contains("\\")) {
            throw new IllegalArgumentException("invalid repository path '" + path + "'");
        }
        for (String segment : path.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw new IllegalArgumentException("invalid repository path '" + path + "'");
            }
        }
        return path;
    }

    private static String checkLocalName(String name) {
        Objects.requireNonNull(name, "localName");
        if (!LOCAL_NAME.matcher(name).matches() || name.endsWith(".part")) {
            throw new IllegalArgumentException("invalid local file name '" + name
                    + "' (a plain file name of letters, digits, '.', '_' or '-', not ending in .part)");
        }
        return name;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) return true;
        if (!(o instanceof ModelFile)) return false;
        ModelFile f = (ModelFile) o;
        return optional == f.optional && path.equals(f.path) && localName.equals(f.localName)
                && Objects.equals(size, f.size) && Objects.equals(sha256, f.sha256);
    }

    @Override
    public int hashCode() {
        return Objects.hash(path, localName, size, sha256, optional);
    }

    @Override
    public String toString() {
        return path + " -> " + localName + (size != null ? " (" + size + " bytes)" : "")
                + (sha256 != null ? " sha256:" + sha256 : " (unverified)") + (optional ? " [optional]" : "");
    }
}
