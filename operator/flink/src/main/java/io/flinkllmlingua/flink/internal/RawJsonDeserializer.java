package io.flinkllmlingua.flink.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;

/** Reads any JSON value into its compact JSON text (the records' {@code metadata}, written back raw). */
public final class RawJsonDeserializer extends JsonDeserializer<String> {
    @Override
    public String deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
        JsonNode node = ctxt.readTree(p);
        return node == null || node.isNull() ? null : node.toString();
    }

    @Override
    public String getNullValue(DeserializationContext ctxt) {
        return null;
    }
}
