package io.flinkllmlingua.engine.internal;

/**
 * One chunk as the model sees it: ids of {@code [CLS] + pieces + [SEP]} truncated to 512 (reference §5.2), and
 * the attention mask (0 only where the string was "[PAD]").
 */
public record ModelInput(int[] ids, boolean[] mask) {
    public int length() {
        return ids.length;
    }
}
