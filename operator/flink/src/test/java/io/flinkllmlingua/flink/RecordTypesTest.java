package io.flinkllmlingua.flink;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.CompositeType;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.GenericTypeInfo;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The record types: Flink serialises them without Kryo, and their JSON is the documented one. */
class RecordTypesTest {
    private static final String INPUT = "{\"doc_id\":\"d\",\"chunk_id\":\"d#1\",\"text\":\"Some text.\","
            + "\"metadata\":{\"lang\":\"en\",\"n\":[1,2]},\"rate\":0.4,\"force_tokens\":[\"\\n\"]}";

    @Test
    void everyStreamTypeIsAFlinkPojoWithoutGenericFields() {
        for (Class<?> c : List.of(InputChunk.class, CompressedChunk.class, DeadLetter.class, ChunkOutcome.class,
                SourceRecord.class)) {
            TypeInformation<?> t = TypeInformation.of(c);
            assertTrue(t instanceof PojoTypeInfo, c + ": " + t);
            List<String> generic = new ArrayList<>();
            collectGeneric(t, c.getSimpleName(), generic);
            assertTrue(generic.isEmpty(), "Kryo would serialise " + generic);
        }
    }

    private static void collectGeneric(TypeInformation<?> t, String path, List<String> out) {
        if (t instanceof GenericTypeInfo) {
            out.add(path + ": " + t);
        }
        if (t instanceof CompositeType<?> ct) {
            for (int i = 0; i < ct.getArity(); i++) {
                collectGeneric(ct.getTypeAt(i), path + "." + ct.getFieldNames()[i], out);
            }
        }
        for (TypeInformation<?> g : t.getGenericParameters().values()) {
            collectGeneric(g, path + "<>", out);
        }
    }

    @Test
    void anOutcomeSurvivesFlinkSerialisation() throws Exception {
        InputChunk in = RecordCodec.decode(INPUT.getBytes(StandardCharsets.UTF_8));
        DeadLetter d = RecordCodec.deadLetter(SourceRecord.ofValue("t", 3, INPUT.getBytes(StandardCharsets.UTF_8)),
                in, "Oversize", "too big", 1);
        ChunkOutcome o = ChunkOutcome.deadLetter(d, null);
        @SuppressWarnings("unchecked")
        TypeSerializer<ChunkOutcome> s = TypeInformation.of(ChunkOutcome.class)
                .createSerializer(new SerializerConfigImpl());
        DataOutputSerializer out = new DataOutputSerializer(256);
        s.serialize(o, out);
        ChunkOutcome back = s.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
        assertEquals(d, back.deadLetter);
        TypeSerializer<InputChunk> is = TypeInformation.of(InputChunk.class).createSerializer(new SerializerConfigImpl());
        out.clear();
        is.serialize(in, out);
        assertEquals(in, is.deserialize(new DataInputDeserializer(out.getCopyOfBuffer())));
    }

    @Test
    void inputChunksDecodeStrictlyAndMetadataStaysAnObject() throws Exception {
        InputChunk in = RecordCodec.decode(INPUT.getBytes(StandardCharsets.UTF_8));
        assertEquals("d", in.docId());
        assertEquals(0.4, in.rate());
        assertEquals(List.of("\n"), in.forceTokens());
        assertEquals("{\"lang\":\"en\",\"n\":[1,2]}", in.metadata());
        assertEquals(INPUT, new String(RecordCodec.encode(in), StandardCharsets.UTF_8));

        assertEquals("MalformedJson", reject("{\"doc_id\": "));
        assertEquals("NotAnObject", reject("[1]"));
        assertEquals("MissingField", reject("{\"doc_id\":\"d\",\"text\":\"x\"}"));
        assertEquals("InvalidField", reject("{\"doc_id\":\"d\",\"chunk_id\":\"c\",\"text\":42}"));
        assertEquals("InvalidField", reject("{\"doc_id\":\"d\",\"chunk_id\":\"c\",\"text\":\"x\",\"rate\":\"half\"}"));
        assertEquals("NotUtf8", assertThrows(ChunkRejectedException.class,
                () -> RecordCodec.decode(new byte[] {(byte) 0xff, 0x7b})).errorClass());
        assertEquals("NullValue", assertThrows(ChunkRejectedException.class,
                () -> RecordCodec.decode((byte[]) null)).errorClass());
    }

    private static String reject(String json) {
        return assertThrows(ChunkRejectedException.class,
                () -> RecordCodec.decode(json.getBytes(StandardCharsets.UTF_8))).errorClass();
    }

    @Test
    void compressedChunksAndDeadLettersWriteTheDocumentedJson() throws Exception {
        CompressedChunk c = new CompressedChunk("d", "d#1", "Some.", 3, 1, CompressedChunk.ratio(3, 1),
                CompressedChunk.keptFraction(3, 1), "m", "", "0.1.0", "ORIGINAL_SPANS", "abc",
                new RecordSource("t", 0, 7L, null), "{\"lang\":\"en\"}");
        JsonNode j = RecordCodec.mapper().readTree(RecordCodec.encode(c));
        assertEquals(3.0, j.get("ratio").asDouble());
        assertEquals(1.0 / 3, j.get("kept_fraction").asDouble(), 1e-12);
        assertTrue(j.get("metadata").isObject());
        assertEquals(c, RecordCodec.readCompressed(RecordCodec.encode(c)));
        assertFalse(j.has("rate"), "no ambiguous rate field");

        CompressedChunk dropped = new CompressedChunk("d", "c", "", 5, 0, CompressedChunk.ratio(5, 0),
                CompressedChunk.keptFraction(5, 0), "m", "", "v", "REFERENCE", "h", null, null);
        JsonNode jd = RecordCodec.mapper().readTree(RecordCodec.encode(dropped));
        assertTrue(jd.get("ratio").isNull(), "all-dropped: no finite ratio");
        assertEquals(0.0, jd.get("kept_fraction").asDouble());
        assertTrue(dropped.allDropped());

        SourceRecord origin = new SourceRecord("t", 1, 9, 42L, "k".getBytes(StandardCharsets.UTF_8),
                new byte[] {(byte) 0xff}, new String[] {"trace"}, new byte[][] {"x".getBytes(StandardCharsets.UTF_8)});
        DeadLetter d = RecordCodec.deadLetter(origin, null, "NotUtf8", "not UTF-8", 1);
        JsonNode jl = RecordCodec.mapper().readTree(RecordCodec.encode(d));
        assertEquals("NotUtf8", jl.path("error").path("class").asText());
        assertEquals("base64", jl.path("value_encoding").asText());
        assertEquals("/w==", jl.path("value").asText());
        assertEquals("utf-8", jl.path("key_encoding").asText());
        assertEquals(42, jl.path("source").path("timestamp").asLong());
        assertEquals("x", jl.path("headers").get(0).path("value").asText());
        assertFalse(jl.has("doc_id"));
        DeadLetter tombstone = RecordCodec.deadLetter(SourceRecord.ofValue("t", 0, null), null, "NullValue", "none", 1);
        JsonNode jt = RecordCodec.mapper().readTree(RecordCodec.encode(tombstone));
        assertTrue(jt.has("value") && jt.get("value").isNull());
        assertNull(RecordCodec.readDeadLetter(RecordCodec.encode(tombstone)).value());
    }

    @Test
    void thePolicyDefinesEmptyAllDroppedAndRejectedChunksOnce() throws Exception {
        io.flinkllmlingua.engine.CompressionOptions defaults = io.flinkllmlingua.engine.CompressionOptions.builder()
                .rate(0.5).build();
        ChunkPolicy policy =
                new ChunkPolicy(defaults, 100, "m", "", false);
        InputChunk c = InputChunk.of("d", "c", "alpha beta gamma");
        // all dropped: an empty text, 0 tokens kept, kept fraction 0, no finite ratio
        CompressedChunk dropped = policy.compressed(c, defaults, new io.flinkllmlingua.engine.CompressionResult("",
                List.of(""), 3, 0, 1.0, 100.0, "1.0x", "100.0%", "", null, null, 1,
                new io.flinkllmlingua.engine.CompressionTimings(0, 0, 0, 0)));
        assertTrue(dropped.allDropped());
        assertNull(dropped.ratio());
        assertEquals(0.0, dropped.keptFraction());
        assertEquals(64, dropped.contentHash().length());
        // empty: passed through with its own text and token count
        CompressedChunk empty = policy.passThrough(InputChunk.of("d", "e", "  "),
                new io.flinkllmlingua.engine.Cl100kCounter());
        assertEquals("  ", empty.compressedText());
        assertEquals(empty.originalTokens(), empty.compressedTokens());
        assertEquals(1.0, empty.ratio());
        assertEquals(1.0, empty.keptFraction());
        // rejected before the engine (a rate outside [0, 1] by the engine builder's own rule; rate 0 on a text
        // with tokens is refused by the engine itself, also as InvalidOptions)
        assertEquals("InvalidOptions", assertThrows(ChunkRejectedException.class,
                () -> policy.checkAndResolve(c.withRate(1.5))).errorClass());
        assertEquals("InvalidOptions", ChunkPolicy.errorClass(new io.flinkllmlingua.engine.InvalidOptionsException("x")));
        assertEquals("InvalidRequest", ChunkPolicy.errorClass(new io.flinkllmlingua.engine.InvalidRequestException("x")));
        assertEquals("Oversize", assertThrows(ChunkRejectedException.class,
                () -> policy.checkAndResolve(InputChunk.of("d", "c", "word ".repeat(30)))).errorClass());
        assertEquals("InvalidField", assertThrows(ChunkRejectedException.class,
                () -> policy.checkAndResolve(c.withMetadata("{not json"))).errorClass());
        assertEquals("InvalidOptions", assertThrows(ChunkRejectedException.class,
                () -> policy.checkAndResolve(c.withForceTokens(List.of("")))).errorClass());
        // the hash covers resolved options: a record's own rate equal to the default changes nothing
        assertEquals(policy.contentHash(c), policy.contentHash(c.withRate(0.5)));
        assertTrue(!policy.contentHash(c).equals(policy.contentHash(c.withRate(0.4))));
    }
}
