package io.flinkllmlingua.engine.internal;

/**
 * Builds the model input of a chunk as the reference's {@code TokenClfDataset} does: the boundary strings are
 * always "[CLS]"/"[SEP]" (so XLM-R sees its unk id at both ends), conversion is string to id with unknown strings
 * mapped to unk, and the sequence is truncated to 512 positions. Padding is left to the batcher.
 */
public final class ModelInputEncoder {
    public static final int MAX_SEQUENCE = 512;

    private final ModelTokenizer tokenizer;
    private final int startId;
    private final int endId;

    public ModelInputEncoder(ModelTokenizer tokenizer) {
        this.tokenizer = tokenizer;
        this.startId = tokenizer.idOf(tokenizer.inputStartToken());
        this.endId = tokenizer.idOf(tokenizer.inputEndToken());
    }

    public ModelInput encode(String[] pieces) {
        int len = Math.min(pieces.length + 2, MAX_SEQUENCE);
        int[] ids = new int[len];
        boolean[] mask = new boolean[len];
        ids[0] = startId;
        mask[0] = true;
        String pad = tokenizer.inputPadToken();
        for (int i = 1; i < len; i++) {
            int p = i - 1;
            if (p < pieces.length) {
                ids[i] = tokenizer.idOf(pieces[p]);
                mask[i] = !pad.equals(pieces[p]);
            } else {
                ids[i] = endId;
                mask[i] = true;
            }
        }
        return new ModelInput(ids, mask);
    }

    /** Id used for padding positions (masked): the id of the string "[PAD]". */
    public int padId() {
        return tokenizer.idOf(tokenizer.inputPadToken());
    }
}
