package io.flinkllmlingua.models;

/**
 * The two LLMLingua-2 model families the generator can imitate.
 */
public enum GeneratedFamily {
    /**
     * mBERT-like: cased WordPiece tokenizer ({@code [PAD]}=0, {@code [UNK]}=100, {@code [CLS]}=101,
     * {@code [SEP]}=102, {@code [MASK]}=103), graph inputs {@code input_ids}, {@code attention_mask},
     * {@code token_type_ids}.
     */
    WORDPIECE,
    /**
     * XLM-R-like: Unigram (SentencePiece) tokenizer with Metaspace ({@code <s>}=0, {@code <pad>}=1,
     * {@code </s>}=2, {@code <unk>}=3, {@code <mask>} last), graph inputs {@code input_ids}, {@code attention_mask}.
     */
    SENTENCEPIECE
}
