package io.flinkllmlingua.models;

import io.flinkllmlingua.models.internal.CatalogJson;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Named model entries, read from JSON. The built-in catalog is the resource
 * {@code io/flinkllmlingua/models/catalog.json}; users can pass their own file in the same format (see
 * {@code src/docs/models.md}), or {@link #merge(ModelCatalog) merge} one over the built-in catalog.
 */
public final class ModelCatalog {
    /** Class-path location of the built-in catalog. */
    public static final String BUILT_IN_RESOURCE = "/io/flinkllmlingua/models/catalog.json";

    private final Map<String, ModelEntry> entries;
    private final String source;

    private ModelCatalog(Map<String, ModelEntry> entries, String source) {
        this.entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
        this.source = source;
    }

    /** A catalog of the given entries (names must be unique). */
    public static ModelCatalog of(String source, Collection<ModelEntry> entries) {
        Map<String, ModelEntry> map = new LinkedHashMap<>();
        for (ModelEntry e : entries) {
            if (map.put(e.name(), e) != null) {
                throw new IllegalArgumentException(source + ": model '" + e.name() + "' is defined twice");
            }
        }
        return new ModelCatalog(map, source);
    }

    /** The catalog shipped in the jar. */
    public static ModelCatalog builtIn() {
        try (InputStream in = ModelCatalog.class.getResourceAsStream(BUILT_IN_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("built-in model catalog " + BUILT_IN_RESOURCE + " is missing from the class path");
            }
            return parse(in, "built-in catalog");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the built-in model catalog", e);
        }
    }

    /** Reads a catalog file. */
    public static ModelCatalog load(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return parse(in, file.toString());
        }
    }

    /**
     * Parses catalog JSON.
     *
     * @param source named in error messages
     * @throws IllegalArgumentException when the JSON is malformed or an entry is invalid
     */
    public static ModelCatalog parse(InputStream json, String source) throws IOException {
        return of(source, CatalogJson.read(json, source));
    }

    /** Where the catalog was read from (for messages). */
    public String source() { return source; }

    /** The entries, in file order. */
    public List<ModelEntry> entries() { return new ArrayList<>(entries.values()); }

    /** The entry names, in file order. */
    public List<String> names() { return new ArrayList<>(entries.keySet()); }

    public Optional<ModelEntry> find(String name) {
        return Optional.ofNullable(entries.get(name));
    }

    /** The named entry; the exception lists the known names. */
    public ModelEntry get(String name) {
        ModelEntry e = entries.get(name);
        if (e == null) {
            throw new IllegalArgumentException("unknown model '" + name + "' in " + source + "; known models: "
                    + String.join(", ", entries.keySet()));
        }
        return e;
    }

    /** This catalog with the entries of {@code overrides} added, replacing entries of the same name. */
    public ModelCatalog merge(ModelCatalog overrides) {
        Map<String, ModelEntry> map = new LinkedHashMap<>(entries);
        map.putAll(overrides.entries);
        return new ModelCatalog(map, overrides.source + " over " + source);
    }

    /** The catalog as JSON in the format {@link #parse} reads (e.g. to write a catalog with pinned hashes). */
    public String toJson() {
        return CatalogJson.write(entries.values());
    }

    @Override
    public String toString() {
        return "ModelCatalog(" + source + ", " + entries.keySet() + ")";
    }
}
