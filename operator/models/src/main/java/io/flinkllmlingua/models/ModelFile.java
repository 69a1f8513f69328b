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
    private final boolean trustedByRevision;

    /** A file that is not trusted by its pinned revision alone, see the six-argument constructor. */
    public ModelFile(String path, String localName, Long size, String sha256, boolean optional) {
        this(path, localName, size, sha256, optional, false);
    }

    /**
     * @param path      path inside the hub repository ({@code onnx/model.onnx}); no {@code ..} segments
     * @param localName file name in the model directory ({@code model.onnx}); a plain name, no directories
     * @param size      size in bytes, or null when unknown
     * @param sha256    lowercase or uppercase hex SHA-256, or null when unknown (unverified)
     * @param optional  true when a 404 for this file is not an error (the file is then left out)
     * @param trustedByRevision true for a small text file with no known SHA-256 that is accepted because the entry's
     *                  revision is a commit sha (catalog {@code "trust": "revision"}): the hub serves that commit's
     *                  bytes, which are not checked locally; the computed hash is printed and recorded. Weight files
     *                  cannot be trusted this way (checked by {@link ModelEntry}).
     */
    public ModelFile(String path, String localName, Long size, String sha256, boolean optional,
                     boolean trustedByRevision) {
        this.path = checkRepoPath(path);
        this.localName = checkLocalName(localName);
        if (size != null && size < 0) {
            throw new IllegalArgumentException("negative size " + size + " for " + path);
        }
        this.size = size;
        this.sha256 = sha256 == null ? null : checkSha256(sha256, path);
        this.optional = optional;
        this.trustedByRevision = trustedByRevision && this.sha256 == null;
        if (trustedByRevision && sha256 != null) {
            throw new IllegalArgumentException(path + ": \"trust\": \"revision\" is for files without a sha256");
        }
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

    /** True when the file has no pinned hash and is accepted on the strength of the entry's pinned commit sha. */
    public boolean trustedByRevision() { return trustedByRevision; }

    /** True when fetching this file needs no {@code --allow-unverified}: a pinned hash, or trust by the revision. */
    public boolean acceptedWithoutOverride() { return sha256 != null || trustedByRevision; }

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
        return optional == f.optional && trustedByRevision == f.trustedByRevision && path.equals(f.path) && localName.equals(f.localName)
                && Objects.equals(size, f.size) && Objects.equals(sha256, f.sha256);
    }

    @Override
    public int hashCode() {
        return Objects.hash(path, localName, size, sha256, optional);
    }

    @Override
    public String toString() {
        return path + " -> " + localName + (size != null ? " (" + size + " bytes)" : "")
                + (sha256 != null ? " sha256:" + sha256 : trustedByRevision ? " (trusted by revision)" : " (unverified)") + (optional ? " [optional]" : "");
    }
}
