package io.flinkllmlingua.engine.internal;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Detects an NVIDIA GPU without touching CUDA: ONNX Runtime lists the CUDA provider even on hosts without a GPU,
 * and trying it there costs seconds (extracting a ~600 MB library) before failing.
 */
public final class GpuDetector {
    private GpuDetector() {}

    public static boolean nvidiaGpuPresent() {
        if (Files.exists(Path.of("/dev/nvidia0")) || Files.exists(Path.of("/proc/driver/nvidia/version"))) {
            return true;
        }
        String visible = System.getenv("CUDA_VISIBLE_DEVICES");
        if (visible != null && (visible.isBlank() || visible.equals("-1"))) {
            return false;
        }
        // Windows and some containers expose no /dev node; the driver library is the next best sign.
        for (String dir : new String[] {"/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/local/nvidia/lib64"}) {
            if (Files.exists(Path.of(dir, "libcuda.so.1")) && Files.exists(Path.of("/dev/nvidiactl"))) {
                return true;
            }
        }
        return false;
    }
}
