#!/usr/bin/env python3
"""Times the engine's encoder graphs on a GPU at the batch shapes the engine would send there, fp32 and fp16.

Made for the project's lent GPU machines (Python with PyTorch and ONNX Runtime, no JDK, no network, a 64 MiB carry
limit), so it needs nothing from the Java build except, optionally, the MiniLM model.onnx the engine runs and the
sequence lengths a bench-suite run wrote (results/<run>/sequence-lengths-<model>.txt). The large shapes cannot travel
(0.7 and 2.2 GB), so the script builds them there: a BERT encoder of exactly the benchmark models' shapes (post-norm
layers, exact GELU, the two-class head, random weights like the suite's generated models), run through PyTorch and,
when ONNX Runtime offers the CUDA provider, through ONNX Runtime on the graph exported from it.

Batch shapes: the engine's GPU plan (BatchPlan.GPU: up to 32 sequences per call, length rounded up to a multiple of
32, at most 16384 padded positions, a call stops before its padding efficiency falls under 0.8; everything queued, as
under load), plus one sequence per call at its exact length and 64 length-sorted sequences per call, for comparison.

Reported per model, precision, backend and plan: calls, real and padded positions, seconds and real positions per
second (model tokens, not cl100k; multiply by the suite's cl100k tokens per position to compare with its tables).
Writes results.json and results.md under --out.
"""
import argparse
import json
import math
import os
import sys
import time

SHAPES = {
    "minilm": dict(vocab=30522, hidden=384, layers=6, heads=12, ffn=1536, positions=512),
    "mbert-base-shape": dict(vocab=119547, hidden=768, layers=12, heads=12, ffn=3072, positions=512),
    "xlmr-large-shape": dict(vocab=250002, hidden=1024, layers=24, heads=16, ffn=4096, positions=514),
}
# BatchPlan.GPU and the EngineConfig defaults the micro-batcher applies with it.
GPU_MAX_SEQUENCES = 32
GPU_LENGTH_BUCKET = 32
MAX_BATCH_TOKENS = 16384
MIN_PADDING_EFFICIENCY = 0.8
MAX_SEQUENCE = 512


def padded_length(longest, bucket):
    rounded = ((longest + bucket - 1) // bucket) * bucket
    return min(max(rounded, longest), max(MAX_SEQUENCE, longest))


def engine_calls(lengths, max_sequences, bucket, max_tokens=MAX_BATCH_TOKENS, min_efficiency=MIN_PADDING_EFFICIENCY):
    """The calls the micro-batcher forms when every sequence is queued: longest first, cut as BatchCut cuts."""
    pending = sorted(lengths, reverse=True)
    calls = []
    while pending:
        padded = padded_length(pending[0], bucket)
        fit = min(len(pending), max(1, min(max_sequences, max_tokens // padded)))
        n = fit
        real = 0
        for i in range(fit):
            real += pending[i]
            if i > 0 and real < min_efficiency * (i + 1) * padded:
                n = i
                break
        calls.append((pending[:n], padded))
        pending = pending[n:]
    return calls


def plans(lengths):
    return {
        "engine GPU plan (32 per call, bucket 32)": engine_calls(lengths, GPU_MAX_SEQUENCES, GPU_LENGTH_BUCKET),
        "1 per call, exact length": [([n], n) for n in lengths],
        "64 sorted per call, padded to longest": engine_calls(lengths, 64, 1, max_tokens=64 * MAX_SEQUENCE,
                                                              min_efficiency=0),
    }


def read_lengths(path, limit):
    with open(path) as f:
        values = [int(line) for line in f if line.strip() and not line.startswith("#")]
    return values[:limit] if limit else values


def build_encoder(torch, shape):
    nn = torch.nn

    class Encoder(nn.Module):
        def __init__(self):
            super().__init__()
            h = shape["hidden"]
            self.words = nn.Embedding(shape["vocab"], h)
            self.positions = nn.Embedding(shape["positions"], h)
            self.types = nn.Embedding(2, h)
            self.norm = nn.LayerNorm(h, eps=1e-12)
            layer = nn.TransformerEncoderLayer(h, shape["heads"], shape["ffn"], dropout=0.0, activation="gelu",
                                               layer_norm_eps=1e-12, batch_first=True, norm_first=False)
            self.layers = nn.TransformerEncoder(layer, shape["layers"], enable_nested_tensor=False)
            self.head = nn.Linear(h, 2)

        def forward(self, ids, mask):
            pos = torch.arange(ids.shape[1], device=ids.device).unsqueeze(0)
            x = self.norm(self.words(ids) + self.positions(pos) + self.types(torch.zeros_like(ids)))
            x = self.layers(x, src_key_padding_mask=mask == 0)
            return torch.softmax(self.head(x).float(), dim=-1)[..., 1]

    return Encoder().eval()


def inputs_for(np, calls, vocab):
    rng = np.random.default_rng(7)
    out = []
    for members, length in calls:
        ids = np.zeros((len(members), length), dtype=np.int64)
        mask = np.zeros((len(members), length), dtype=np.int64)
        for r, n in enumerate(members):
            ids[r, :n] = rng.integers(5, vocab, n)
            mask[r, :n] = 1
        out.append((ids, mask, sum(members), len(members) * length))
    return out


def time_calls(run, batches, sync):
    run(*batches[0][:2])  # warm-up: allocations, kernels, shapes
    for ids, mask, _, _ in batches[: min(8, len(batches))]:
        run(ids, mask)
    sync()
    t0 = time.perf_counter()
    for ids, mask, _, _ in batches:
        run(ids, mask)
    sync()
    return time.perf_counter() - t0


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--models", default="minilm,mbert-base-shape,xlmr-large-shape")
    p.add_argument("--lengths", required=True, help="one real sequence length per line (bench-suite writes them)")
    p.add_argument("--limit", type=int, default=0, help="use only the first N lengths")
    p.add_argument("--onnx", action="append", default=[], metavar="MODEL=FILE",
                   help="time this ONNX file (e.g. the engine's MiniLM model.onnx) for MODEL with ONNX Runtime too")
    p.add_argument("--precisions", default="fp32,fp16")
    p.add_argument("--device", default="cuda")
    p.add_argument("--out", default=os.environ.get("OUT", "gpu-results"))
    a = p.parse_args()

    import numpy as np
    import torch
    try:
        import onnxruntime as ort
        ort_cuda = "CUDAExecutionProvider" in ort.get_available_providers()
    except ImportError:
        ort, ort_cuda = None, False
    device = torch.device(a.device)
    sync = (lambda: torch.cuda.synchronize()) if device.type == "cuda" else (lambda: None)
    lengths = read_lengths(a.lengths, a.limit)
    files = dict(kv.split("=", 1) for kv in a.onnx)
    env = {"torch": torch.__version__, "device": torch.cuda.get_device_name(0) if device.type == "cuda" else "cpu",
           "onnxruntime": getattr(ort, "__version__", None), "ort_cuda_provider": ort_cuda,
           "sequences": len(lengths), "real_positions": sum(lengths)}
    print(json.dumps(env), flush=True)
    rows = []
    os.makedirs(a.out, exist_ok=True)

    def record(model, precision, backend, plan, batches, seconds):
        real = sum(b[2] for b in batches)
        padded = sum(b[3] for b in batches)
        row = dict(model=model, precision=precision, backend=backend, plan=plan, calls=len(batches),
                   real_positions=real, padded_positions=padded, seconds=seconds,
                   real_positions_per_s=real / seconds if seconds > 0 else None)
        rows.append(row)
        print(json.dumps(row), flush=True)

    for model in [m.strip() for m in a.models.split(",") if m.strip()]:
        shape = SHAPES[model]
        torch.manual_seed(0)
        encoder = build_encoder(torch, shape).to(device)
        all_plans = {name: inputs_for(np, calls, shape["vocab"]) for name, calls in plans(lengths).items()}
        for precision in a.precisions.split(","):
            dtype = torch.float16 if precision == "fp16" else torch.float32
            if dtype == torch.float16 and device.type != "cuda":
                continue
            enc = encoder.to(dtype)

            def torch_run(ids, mask):
                with torch.inference_mode():
                    return enc(torch.from_numpy(ids).to(device, non_blocking=True),
                               torch.from_numpy(mask).to(device, non_blocking=True)).cpu()

            for plan, batches in all_plans.items():
                record(model, precision, "pytorch eager", plan, batches, time_calls(torch_run, batches, sync))
            if ort_cuda:
                path = os.path.join("/tmp", f"{model}-{precision}.onnx")
                ids0, mask0 = (torch.from_numpy(x).to(device) for x in all_plans["1 per call, exact length"][0][:2])
                torch.onnx.export(enc, (ids0, mask0), path, input_names=["input_ids", "attention_mask"],
                                  output_names=["keep"], opset_version=17, dynamo=False,
                                  dynamic_axes={"input_ids": {0: "b", 1: "s"}, "attention_mask": {0: "b", 1: "s"},
                                                "keep": {0: "b", 1: "s"}})
                candidates = [("exported from the PyTorch encoder", path)]
                if model in files and precision == "fp32":
                    candidates.append(("the engine's model.onnx", files[model]))
                for label, file in candidates:
                    session = ort.InferenceSession(file, providers=[("CUDAExecutionProvider", {"device_id": 0}),
                                                                    "CPUExecutionProvider"])
                    names = [i.name for i in session.get_inputs()]

                    def ort_run(ids, mask, s=session, n=names):
                        feed = {"input_ids": ids, "attention_mask": mask}
                        if "token_type_ids" in n:
                            feed["token_type_ids"] = np.zeros_like(ids)
                        return s.run(None, {k: v for k, v in feed.items() if k in n})

                    for plan, batches in all_plans.items():
                        record(model, precision, "onnxruntime CUDA, " + label, plan, batches,
                               time_calls(ort_run, batches, lambda: None))
        del encoder
        if device.type == "cuda":
            torch.cuda.empty_cache()

    with open(os.path.join(a.out, "results.json"), "w") as f:
        json.dump({"environment": env, "rows": rows}, f, indent=2)
    with open(os.path.join(a.out, "results.md"), "w") as f:
        f.write("| model | precision | backend | plan | calls | padding eff. | real positions/s |\n")
        f.write("|---|---|---|---|---:|---:|---:|\n")
        for r in rows:
            f.write(f"| {r['model']} | {r['precision']} | {r['backend']} | {r['plan']} | {r['calls']} | "
                    f"{r['real_positions'] / r['padded_positions']:.2f} | {r['real_positions_per_s']:,.0f} |\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
