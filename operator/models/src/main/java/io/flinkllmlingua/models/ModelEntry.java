package io.flinkllmlingua.models;

import io.flinkllmlingua.engine.ModelFamily;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A named, downloadable model: a hub repository at a pinned revision and the files that make up an engine model
 * directory ({@code model.onnx}, optional {@code model.onnx_data}, {@code tokenizer.json}, {@code config.json},
 * optional {@code tokenizer_config.json}).
 */
public final class ModelEntry {
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]*");
    private static final Pattern REPO = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final Pattern REVISION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");

    private final String name;
    private final String description;
    private final String repo;
    private final String revision;
    private final String family;
    private final String baseModel;
    private final String precision;
    private final String provenance;
    private final List<ModelFile> files;
    private final Format format;

    /** What the files are. */
    public enum Format {
        /** An engine model directory as is: {@code model.onnx} (+ data), tokenizer, config. */
        ONNX,
        /**
         * A Hugging Face checkpoint ({@code model.safetensors}, {@code config.json}, {@code tokenizer.json}) that
         * {@link ModelFetcher} converts with {@link CheckpointImporter} after the download.
         */
        SAFETENSORS
    }

    private static final Set<String> WEIGHT_FILES = Set.of("model.onnx", "model.onnx_data", CheckpointImporter.WEIGHTS_FILE);

    private ModelEntry(Builder b) {
        if (b.name == null || !NAME.matcher(b.name).matches()) {
            throw new IllegalArgumentException("invalid model name '" + b.name
                    + "' (lowercase letters, digits, '.', '_' or '-')");
        }
        this.name = b.name;
        if (b.repo == null || !REPO.matcher(b.repo).matches()) {
            throw new IllegalArgumentException("model '" + b.name + "': invalid hub repository id '" + b.repo
                    + "' (expected owner/name)");
        }
        this.repo = b.repo;
        if (b.revision == null || !REVISION.matcher(b.revision).matches()) {
            throw new IllegalArgumentException("model '" + b.name + "': invalid revision '" + b.revision
                    + "' (a commit sha, or a branch/tag name without '/')");
        }
        this.revision = b.revision;
        if (b.family == null) {
            throw new IllegalArgumentException("model '" + b.name + "': family is required (wordpiece or sentencepiece)");
        }
        ModelFamily parsed = ModelFamily.parse(b.family);
        this.family = parsed == ModelFamily.WORDPIECE ? "wordpiece" : "sentencepiece";
        this.description = b.description == null ? "" : b.description;
        this.baseModel = b.baseModel;
        this.precision = b.precision;
        this.provenance = b.provenance == null ? "" : b.provenance;
        if (b.files.isEmpty()) {
            throw new IllegalArgumentException("model '" + b.name + "' lists no files");
        }
        Set<String> localNames = new HashSet<>();
        for (ModelFile f : b.files) {
            if (!localNames.add(f.localName())) {
                throw new IllegalArgumentException("model '" + b.name + "': two files map to local name '" + f.localName() + "'");
            }
        }
        this.format = b.format == null ? Format.ONNX : b.format;
        List<String> required = format == Format.ONNX ? List.of("model.onnx")
                : List.of(CheckpointImporter.WEIGHTS_FILE, CheckpointImporter.CONFIG_FILE, "tokenizer.json");
        for (String r : required) {
            if (!localNames.contains(r)) {
                throw new IllegalArgumentException("model '" + b.name + "': no file maps to " + r
                        + (format == Format.SAFETENSORS ? " (a safetensors checkpoint)" : ""));
            }
        }
        for (ModelFile f : b.files) {
            if (f.trustedByRevision() && WEIGHT_FILES.contains(f.localName())) {
                throw new IllegalArgumentException("model '" + b.name + "': " + f.path() + " holds weights:"
                        + " \"trust\": \"revision\" is only for small text files, pin its sha256");
            }
            if (f.trustedByRevision() && !COMMIT.matcher(b.revision).matches()) {
                throw new IllegalArgumentException("model '" + b.name + "': " + f.path() + " is trusted by the"
                        + " revision, which must then be a full 40-digit commit sha, not '" + b.revision + "'");
            }
        }
        this.files = List.copyOf(b.files);
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** Catalog name, e.g. {@code xlm-roberta-large-meetingbank}; also the cache directory name. */
    public String name() { return name; }

    /** One line for listings. */
    public String description() { return description; }

    /** Hub repository id, {@code owner/name}. */
    public String repo() { return repo; }

    /** Revision the files are downloaded at; a full commit sha for pinned entries. */
    public String revision() { return revision; }

    /** True when {@link #revision()} is a full 40-digit commit sha (not a branch or tag that can move). */
    public boolean pinnedRevision() { return COMMIT.matcher(revision).matches(); }

    /** {@code wordpiece} or {@code sentencepiece}. */
    public String family() { return family; }

    /** The family as the engine's enum. */
    public ModelFamily modelFamily() { return ModelFamily.parse(family); }

    /** The checkpoint this export was made from (e.g. {@code microsoft/llmlingua-2-...}), or null. */
    public String baseModel() { return baseModel; }

    /** {@code fp32}, {@code int8}, ..., or null when not stated. */
    public String precision() { return precision; }

    /** Where the revision, paths and hashes came from; free text. */
    public String provenance() { return provenance; }

    /** {@link Format#ONNX} (the default) or {@link Format#SAFETENSORS} (converted after the download). */
    public Format format() { return format; }

    /** True for a safetensors checkpoint that the fetcher converts to ONNX. */
    public boolean checkpoint() { return format == Format.SAFETENSORS; }

    /**
     * True when the fetcher accepts the entry without {@code --allow-unverified}: every file has a pinned SHA-256 or
     * is a small text file trusted by the pinned commit sha.
     */
    public boolean acceptedWithoutOverride() {
        return files.stream().allMatch(ModelFile::acceptedWithoutOverride);
    }

    /** The files that need {@code --allow-unverified}: no pinned hash and no trust by the revision. */
    public List<ModelFile> filesNeedingOverride() {
        List<ModelFile> out = new ArrayList<>();
        for (ModelFile f : files) {
            if (!f.acceptedWithoutOverride()) {
                out.add(f);
            }
        }
        return out;
    }

    /** The files, in download order. */
    public List<ModelFile> files() { return files; }

    /**
     * True when every file has a pinned SHA-256. (Whether the revision is an immutable commit is a separate
     * question, see {@link #pinnedRevision()}: with hashes pinned, a moved branch fails verification instead of
     * delivering different bytes.)
     */
    public boolean verified() {
        for (ModelFile f : files) {
            if (!f.verified()) {
                return false;
            }
        }
        return true;
    }

    /** The files without a pinned SHA-256. */
    public List<ModelFile> unverifiedFiles() {
        List<ModelFile> out = new ArrayList<>();
        for (ModelFile f : files) {
            if (!f.verified()) {
                out.add(f);
            }
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) return true;
        if (!(o instanceof ModelEntry)) return false;
        ModelEntry e = (ModelEntry) o;
        return name.equals(e.name) && repo.equals(e.repo) && revision.equals(e.revision) && family.equals(e.family)
                && files.equals(e.files) && description.equals(e.description) && provenance.equals(e.provenance)
                && Objects.equals(baseModel, e.baseModel) && Objects.equals(precision, e.precision)
                && format == e.format;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, repo, revision, family, files);
    }

    @Override
    public String toString() {
        return name + " (" + repo + "@" + revision + ", " + family + (verified() ? "" : ", unverified") + ")";
    }

    /** Builds an entry; {@link #build()} validates it. */
    public static final class Builder {
        private final String name;
        private String description;
        private String repo;
        private String revision;
        private String family;
        private String baseModel;
        private String precision;
        private String provenance;
        private final List<ModelFile> files = new ArrayList<>();
        private Format format;

        private Builder(String name) {
            this.name = name;
        }

        public Builder description(String v) { this.description = v; return this; }
        public Builder repo(String v) { this.repo = v; return this; }
        public Builder revision(String v) { this.revision = v; return this; }
        public Builder family(String v) { this.family = v; return this; }
        public Builder baseModel(String v) { this.baseModel = v; return this; }
        public Builder precision(String v) { this.precision = v; return this; }
        public Builder provenance(String v) { this.provenance = v; return this; }
        public Builder format(Format v) { this.format = v; return this; }
        public Builder file(ModelFile f) { this.files.add(Objects.requireNonNull(f)); return this; }

        /** Shorthand for a required file. */
        public Builder file(String path, String localName, Long size, String sha256) {
            return file(new ModelFile(path, localName, size, sha256, false));
        }

        public ModelEntry build() {
            return new ModelEntry(this);
        }
    }
}
