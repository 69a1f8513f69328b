package io.flinkllmlingua.models.internal;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import java.nio.FloatBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

/** Small hand-built ONNX graphs for the graph rewrites' tests, and running them in ONNX Runtime. */
final class TestGraphs {
    private TestGraphs() {}

    static float[] gaussian(Random rnd, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) rnd.nextGaussian();
        }
        return v;
    }

    /** A float graph input or output of a fixed shape. */
    static ValueInfoProto info(String name, long... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (long d : dims) {
            shape.addDimBuilder().setDimValue(d);
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(shape))).build();
    }

    static TensorProto tensor(String name, float[] v, long... dims) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE);
        for (long d : dims) {
            t.addDims(d);
        }
        for (float f : v) {
            t.addFloatData(f);
        }
        return t.build();
    }

    static AttributeProto intAttr(String name, long v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(v).build();
    }

    static AttributeProto floatAttr(String name, float v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(v).build();
    }

    /** A model of {@code graph} in the default domain at {@code opset}, IR version {@code irVersion}. */
    static ModelProto.Builder model(GraphProto.Builder graph, int irVersion, int opset) {
        return ModelProto.newBuilder().setIrVersion(irVersion)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset)).setGraph(graph);
    }

    /** A float input for {@link #run}: its values and shape. */
    record Input(float[] values, long... shape) {}

    /** The first output of {@code model} on float {@code inputs}, by name. */
    static float[] run(ModelProto model, Map<String, Input> inputs) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        Map<String, OnnxTensor> tensors = new HashMap<>();
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions();
             OrtSession s = env.createSession(model.toByteArray(), o)) {
            for (Map.Entry<String, Input> e : inputs.entrySet()) {
                tensors.put(e.getKey(), OnnxTensor.createTensor(env, FloatBuffer.wrap(e.getValue().values()),
                        e.getValue().shape()));
            }
            try (OrtSession.Result r = s.run(tensors)) {
                FloatBuffer fb = ((OnnxTensor) r.get(0)).getFloatBuffer();
                float[] out = new float[fb.remaining()];
                fb.get(out);
                return out;
            }
        } finally {
            tensors.values().forEach(OnnxTensor::close);
        }
    }
}
