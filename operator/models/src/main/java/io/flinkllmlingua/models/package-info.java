/**
 * Model catalog and downloader: {@link io.flinkllmlingua.models.ModelCatalog} names public ONNX exports of the
 * LLMLingua-2 checkpoints (hub repository, pinned revision, files with sizes and SHA-256 where known) and
 * {@link io.flinkllmlingua.models.ModelFetcher} downloads an entry into the user cache with resume, retries and
 * checksum verification, returning a directory the engine can load. See {@code src/docs/models.md}.
 *
 * Generated test models: {@link io.flinkllmlingua.models.TinyModelGenerator} writes deterministic BERT-shaped
 * token classifiers (random weights, meaningless keep decisions) and matching Hugging Face tokenizers for the two
 * LLMLingua-2 families, for tests, demos and benchmarks where no real LLMLingua-2 weights are available.
 *
 * <ul>
 *   <li>{@code ModelSpec.tiny(family)}: 2 layers, hidden 64, 4 heads, ffn 128; about 3.1M (WordPiece) / 2.4M
 *       (SentencePiece) parameters, 12.6 / 9.7 MB, generated in well under a second.</li>
 *   <li>{@code ModelSpec.officialShape(family)}: mBERT-base shapes (177.3M parameters, 0.71 GB, in
 *       {@code model.onnx}) or XLM-R-large shapes (558.9M parameters, 2.24 GB in {@code model.onnx_data}: a protobuf
 *       file cannot exceed 2 GiB, so weights above 1 GiB go to ONNX external data automatically). The tokenizer
 *       vocabulary is padded with filler pieces that never match text so that {@code [NEWi]} ids equal the real
 *       models' (119547 + i, 250002 + i).</li>
 * </ul>
 * External data is loaded by ONNX Runtime only when the session is created from the model's path (not from bytes).
 */
package io.flinkllmlingua.models;
