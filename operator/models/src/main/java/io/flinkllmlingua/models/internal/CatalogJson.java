package io.flinkllmlingua.models.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flinkllmlingua.models.ModelEntry;
import io.flinkllmlingua.models.ModelFile;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/** Reads and writes the catalog JSON format (schema version 1). Strict: unknown keys are errors, so typos surface. */
public final class CatalogJson {
    public static final int SCHEMA_VERSION = 1;

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final Set<String> TOP_KEYS = Set.of("schemaVersion", "description", "models");
    private static final Set<String> ENTRY_KEYS = Set.of("name", "description", "repo", "revision", "family",
            "baseModel", "precision", "verified", "provenance", "files", "format");
    private static final Set<String> FILE_KEYS = Set.of("path", "localName", "size", "sha256", "verified", "optional", "note", "trust");

    private CatalogJson() {
    }

    public static List<ModelEntry> read(InputStream in, String source) throws IOException {
        JsonNode root;
        try {
            root = MAPPER.readTree(in);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(source + ": not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(source + ": a catalog is a JSON object with a \"models\" array");
        }
        checkKeys(root, TOP_KEYS, source);
        JsonNode version = root.get("schemaVersion");
        if (version != null && (!version.canConvertToInt() || version.intValue() != SCHEMA_VERSION)) {
            throw new IllegalArgumentException(source + ": unsupported schemaVersion " + version + " (this build reads " + SCHEMA_VERSION + ")");
        }
        JsonNode models = root.get("models");
        if (models == null || !models.isArray()) {
            throw new IllegalArgumentException(source + ": \"models\" must be an array");
        }
        List<ModelEntry> out = new ArrayList<>();
        int i = 0;
        for (JsonNode m : models) {
            String where = source + ": models[" + i++ + "]";
            if (!m.isObject()) {
                throw new IllegalArgumentException(where + " is not an object");
            }
            out.add(readEntry(m, where));
        }
        return out;
    }

    private static ModelEntry readEntry(JsonNode m, String where) {
        checkKeys(m, ENTRY_KEYS, where);
        String name = text(m, "name", where, true);
        where = where + " (" + name + ")";
        ModelEntry.Builder b = ModelEntry.builder(name)
                .description(text(m, "description", where, false))
                .repo(text(m, "repo", where, true))
                .revision(text(m, "revision", where, true))
                .family(text(m, "family", where, true))
                .baseModel(text(m, "baseModel", where, false))
                .precision(text(m, "precision", where, false))
                .provenance(text(m, "provenance", where, false));
        String format = text(m, "format", where, false);
        if (format != null) {
            switch (format) {
                case "onnx" -> b.format(ModelEntry.Format.ONNX);
                case "safetensors" -> b.format(ModelEntry.Format.SAFETENSORS);
                default -> throw new IllegalArgumentException(where + ": \"format\" must be \"onnx\" or \"safetensors\", not \"" + format + "\"");
            }
        }
        JsonNode files = m.get("files");
        if (files == null || !files.isArray()) {
            throw new IllegalArgumentException(where + ": \"files\" must be an array");
        }
        int j = 0;
        for (JsonNode f : files) {
            b.file(readFile(f, where + ".files[" + j++ + "]"));
        }
        ModelEntry entry;
        try {
            entry = b.build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
        JsonNode declared = m.get("verified");
        if (declared != null && !declared.isNull()) {
            if (!declared.isBoolean()) {
                throw new IllegalArgumentException(where + ": \"verified\" must be true or false");
            }
            if (declared.booleanValue() != entry.verified()) {
                throw new IllegalArgumentException(where + ": declares \"verified\": " + declared.booleanValue()
                        + " but " + (entry.verified() ? "every file has a sha256" : "some files have no sha256"));
            }
        }
        return entry;
    }

    private static ModelFile readFile(JsonNode f, String where) {
        if (!f.isObject()) {
            throw new IllegalArgumentException(where + " is not an object");
        }
        checkKeys(f, FILE_KEYS, where);
        String path = text(f, "path", where, true);
        String localName = text(f, "localName", where, false);
        if (localName == null) {
            localName = path.substring(path.lastIndexOf('/') + 1);
        }
        Long size = null;
        JsonNode s = f.get("size");
        if (s != null && !s.isNull()) {
            if (!s.canConvertToLong() || !s.isIntegralNumber()) {
                throw new IllegalArgumentException(where + ": \"size\" must be an integer number of bytes or null");
            }
            size = s.longValue();
        }
        String sha = text(f, "sha256", where, false);
        boolean optional = false;
        JsonNode o = f.get("optional");
        if (o != null && !o.isNull()) {
            if (!o.isBoolean()) {
                throw new IllegalArgumentException(where + ": \"optional\" must be true or false");
            }
            optional = o.booleanValue();
        }
        String trust = text(f, "trust", where, false);
        if (trust != null && !trust.equals("revision")) {
            throw new IllegalArgumentException(where + ": \"trust\" can only be \"revision\", not \"" + trust + "\"");
        }
        ModelFile file;
        try {
            file = new ModelFile(path, localName, size, sha, optional, trust != null);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
        JsonNode declared = f.get("verified");
        if (declared != null && !declared.isNull()) {
            if (!declared.isBoolean()) {
                throw new IllegalArgumentException(where + ": \"verified\" must be true or false");
            }
            if (declared.booleanValue() != file.verified()) {
                throw new IllegalArgumentException(where + ": declares \"verified\": " + declared.booleanValue()
                        + (file.verified() ? " but has a sha256" : " but has no sha256"));
            }
        }
        return file;
    }

    private static String text(JsonNode node, String key, String where, boolean required) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            if (required) {
                throw new IllegalArgumentException(where + ": \"" + key + "\" is required");
            }
            return null;
        }
        if (!v.isTextual()) {
            throw new IllegalArgumentException(where + ": \"" + key + "\" must be a string");
        }
        return v.textValue();
    }

    private static void checkKeys(JsonNode node, Set<String> allowed, String where) {
        Iterator<String> it = node.fieldNames();
        while (it.hasNext()) {
            String k = it.next();
            if (!allowed.contains(k)) {
                throw new IllegalArgumentException(where + ": unknown key \"" + k + "\" (allowed: " + String.join(", ", new java.util.TreeSet<>(allowed)) + ")");
            }
        }
    }

    public static String write(Collection<ModelEntry> entries) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("schemaVersion", SCHEMA_VERSION);
        ArrayNode models = root.putArray("models");
        for (ModelEntry e : entries) {
            ObjectNode m = models.addObject();
            m.put("name", e.name());
            if (!e.description().isEmpty()) m.put("description", e.description());
            m.put("repo", e.repo());
            m.put("revision", e.revision());
            m.put("family", e.family());
            if (e.checkpoint()) m.put("format", "safetensors");
            if (e.baseModel() != null) m.put("baseModel", e.baseModel());
            if (e.precision() != null) m.put("precision", e.precision());
            m.put("verified", e.verified());
            if (!e.provenance().isEmpty()) m.put("provenance", e.provenance());
            ArrayNode files = m.putArray("files");
            for (ModelFile f : e.files()) {
                ObjectNode fo = files.addObject();
                fo.put("path", f.path());
                fo.put("localName", f.localName());
                if (f.size().isPresent()) fo.put("size", f.size().getAsLong()); else fo.putNull("size");
                if (f.sha256() != null) fo.put("sha256", f.sha256()); else fo.putNull("sha256");
                fo.put("verified", f.verified());
                if (f.optional()) fo.put("optional", true);
                if (f.trustedByRevision()) fo.put("trust", "revision");
            }
        }
        try {
            return MAPPER.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
