package io.flinkllmlingua.flink.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.flinkllmlingua.engine.CompressionOptions;

/** A parsed, validated input record. */
public record ChunkRequest(String docId, String chunkId, String text, JsonNode metadata, CompressionOptions options) {}
