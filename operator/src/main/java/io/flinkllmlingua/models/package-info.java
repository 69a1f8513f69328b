/**
 * Model catalog and downloader: {@link io.flinkllmlingua.models.ModelCatalog} names public ONNX exports of the
 * LLMLingua-2 checkpoints (hub repository, pinned revision, files with sizes and SHA-256 where known) and
 * {@link io.flinkllmlingua.models.ModelFetcher} downloads an entry into the user cache with resume, retries and
 * checksum verification, returning a directory the engine can load. See {@code src/docs/models.md}.
 */
package io.flinkllmlingua.models;
