package io.flinkllmlingua.engine;

/** Where ONNX Runtime runs the model. */
public enum ExecutionProvider {
    /** CUDA when a GPU is detected on the host (without loading the CUDA libraries otherwise), else CPU. */
    AUTO,
    /** CPU only. */
    CPU,
    /** CUDA; fails when no GPU or CUDA 12 / cuDNN 9 runtime is available. */
    CUDA,
    /** TensorRT with CUDA as fallback for unsupported nodes; needs TensorRT 10 libraries. */
    TENSORRT
}
