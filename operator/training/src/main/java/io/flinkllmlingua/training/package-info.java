/**
 * Training and evaluating compressors, without Flink. {@link io.flinkllmlingua.training.TextUnits} is the unit
 * everything counts; {@link io.flinkllmlingua.training.PairAligner} turns an original/compressed pair into keep
 * labels ({@link io.flinkllmlingua.training.LabeledText}); {@link io.flinkllmlingua.training.HeadTraining}
 * ({@code llmlingua train}) trains a keep/drop head on a frozen base encoder and writes a model directory every path
 * loads; {@code training.eval} ({@code llmlingua eval}) scores keep decisions against reference labels;
 * {@code training.teacher} is the rule teacher and {@code training.demo} the demo model built with all of them.
 * See {@code src/docs/models.md}, "Training", "Evaluation" and "Demo model".
 */
package io.flinkllmlingua.training;
