package io.flinkllmlingua.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code fetch-manifest.json}, written into a model directory when every file of the entry is in place: which
 * model, repository and revision the directory holds, and the size and SHA-256 of each file.
 */
public final class FetchManifest {
    /** File name of the manifest inside a model directory. */
    public static final String FILE_NAME = "fetch-manifest.json";
    public static final int SCHEMA_VERSION = 1;

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** One file of the manifest. {@code verified} is true when the hash was checked against a pinned catalog value. */
    public static final class Entry {
        private final String path;
        private final String localName;
        private final long size;
        private final String sha256;
        private final boolean verified;
        private final long lastModifiedMillis;

        public Entry(String path, String localName, long size, String sha256, boolean verified, long lastModifiedMillis) {
            this.path = Objects.requireNonNull(path);
            this.localName = Objects.requireNonNull(localName);
            this.size = size;
            this.sha256 = Objects.requireNonNull(sha256);
            this.verified = verified;
            this.lastModifiedMillis = lastModifiedMillis;
        }

        public String path() { return path; }
        public String localName() { return localName; }
        public long size() { return size; }
        public String sha256() { return sha256; }
        public boolean verified() { return verified; }
        /** Modification time of the file when it was recorded, used to reuse it without re-hashing. */
        public long lastModifiedMillis() { return lastModifiedMillis; }
    }

    private final String name;
    private final String repo;
    private final String revision;
    private final String family;
    private final String endpoint;
    private final Instant fetchedAt;
    private final List<Entry> files;

    public FetchManifest(String name, String repo, String revision, String family, String endpoint, Instant fetchedAt,
                         List<Entry> files) {
        this.name = Objects.requireNonNull(name);
        this.repo = Objects.requireNonNull(repo);
        this.revision = Objects.requireNonNull(revision);
        this.family = family;
        this.endpoint = endpoint;
        this.fetchedAt = Objects.requireNonNull(fetchedAt);
        this.files = List.copyOf(files);
    }

    public String name() { return name; }
    public String repo() { return repo; }
    public String revision() { return revision; }
    public String family() { return family; }
    /** The hub endpoint the files came from. */
    public String endpoint() { return endpoint; }
    public Instant fetchedAt() { return fetchedAt; }
    public List<Entry> files() { return files; }

    /** True when every file hash was checked against a pinned value. */
    public boolean verified() {
        return files.stream().allMatch(Entry::verified);
    }

    public Optional<Entry> file(String localName) {
        return files.stream().filter(f -> f.localName.equals(localName)).findFirst();
    }

    /** Reads the manifest of a model directory, if there is a readable one. */
    public static Optional<FetchManifest> read(Path modelDir) {
        Path file = modelDir.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            JsonNode root = MAPPER.readTree(file.toFile());
            List<Entry> files = new ArrayList<>();
            for (JsonNode f : root.path("files")) {
                files.add(new Entry(f.get("path").textValue(), f.get("localName").textValue(), f.get("size").longValue(),
                        f.get("sha256").textValue(), f.path("verified").booleanValue(), f.path("lastModified").asLong(-1)));
            }
            return Optional.of(new FetchManifest(root.get("name").textValue(), root.get("repo").textValue(),
                    root.get("revision").textValue(), root.path("family").textValue(), root.path("endpoint").textValue(),
                    Instant.parse(root.get("fetchedAt").textValue()), files));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Writes {@code fetch-manifest.json} into {@code modelDir} (via a temporary file and a rename). */
    public void write(Path modelDir) throws IOException {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("schemaVersion", SCHEMA_VERSION);
        root.put("name", name);
        root.put("repo", repo);
        root.put("revision", revision);
        if (family != null) root.put("family", family);
        if (endpoint != null) root.put("endpoint", endpoint);
        root.put("fetchedAt", fetchedAt.toString());
        root.put("verified", verified());
        ArrayNode arr = root.putArray("files");
        for (Entry f : files) {
            ObjectNode o = arr.addObject();
            o.put("path", f.path);
            o.put("localName", f.localName);
            o.put("size", f.size);
            o.put("sha256", f.sha256);
            o.put("verified", f.verified);
            o.put("lastModified", f.lastModifiedMillis);
        }
        Path tmp = modelDir.resolve(FILE_NAME + ".tmp");
        Files.write(tmp, (MAPPER.writeValueAsString(root) + "\n").getBytes(StandardCharsets.UTF_8));
        try {
            Files.move(tmp, modelDir.resolve(FILE_NAME), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, modelDir.resolve(FILE_NAME), StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
