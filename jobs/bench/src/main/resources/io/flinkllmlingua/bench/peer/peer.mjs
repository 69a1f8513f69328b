// The peer of the benchmark suite: @atjsh/llmlingua-2 (LLMLingua-2 in TypeScript on transformers.js with
// onnxruntime-node), run over the same corpus and the same local ONNX model as the Java paths.
// Remote model loading is disabled: the model is read from --model-root/--model-name only.
// Prints one JSON object: per-chunk latencies, wall time, peak RSS.
import { readFileSync } from "node:fs";
import { env } from "@huggingface/transformers";
import { LLMLingua2 } from "@atjsh/llmlingua-2";
import { Tiktoken } from "js-tiktoken/lite";
import cl100k_base from "js-tiktoken/ranks/cl100k_base";

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => {
  if (a.startsWith("--")) acc.push([a.slice(2), all[i + 1]]);
  return acc;
}, []));
env.allowRemoteModels = false;
env.allowLocalModels = true;
env.localModelPath = args["model-root"];

const texts = readFileSync(args["texts"], "utf8").split("\n").filter((l) => l.length > 0)
  .map((l) => JSON.parse(l));
const factory = args["family"] === "sentencepiece" ? LLMLingua2.WithXLMRoBERTa : LLMLingua2.WithBERTMultilingual;
const modelSpecificOptions = { subfolder: "onnx" };
if (args["external-data"] === "true") {
  modelSpecificOptions.use_external_data_format = { "model.onnx": 1 };
}
const t0 = performance.now();
const { promptCompressor } = await factory(args["model-name"], {
  transformerJSConfig: { device: "cpu", dtype: "fp32" },
  oaiTokenizer: new Tiktoken(cl100k_base),
  modelSpecificOptions,
});
const loadMillis = performance.now() - t0;
const options = { rate: Number(args["rate"]), force_tokens: JSON.parse(args["force-tokens"] ?? "[]") };

const warmup = Math.min(texts.length, Number(args["warmup"] ?? 2));
for (let i = 0; i < warmup; i++) {
  await promptCompressor.compress_prompt(texts[i], options);
}
const latencies = [];
let compressedChars = 0;
const start = performance.now();
for (const text of texts) {
  const s = performance.now();
  const out = await promptCompressor.compress_prompt(text, options);
  latencies.push(performance.now() - s);
  compressedChars += out.length;
}
const seconds = (performance.now() - start) / 1000;
// VmHWM of this process's own address space. Not resourceUsage().maxRSS: on Linux that survives exec and
// would report the launching JVM's peak.
function peakRssBytes() {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
    if (m) return Number(m[1]) * 1024;
  } catch (e) {
    // not Linux
  }
  return process.resourceUsage().maxRSS * 1024;
}
process.stdout.write(JSON.stringify({
  package: "@atjsh/llmlingua-2",
  chunks: texts.length,
  seconds,
  load_ms: loadMillis,
  latencies_ms: latencies,
  compressed_chars: compressedChars,
  peak_rss_bytes: peakRssBytes(),
  node: process.version,
}) + "\n");
