package io.flinkllmlingua.engine;

import java.util.Locale;

/**
 * The two tokenizer families LLMLingua-2 checkpoints come in. The reference picks the family from a
 * substring of the model name; here it is detected from {@code tokenizer.json} and can be overridden.
 */
public enum ModelFamily {
    /** WordPiece tokenizers: multilingual BERT, TinyBERT, MobileBERT. Continuation pieces start with {@code ##}. */
    WORDPIECE("##"),
    /** SentencePiece (Unigram + Metaspace) tokenizers: XLM-RoBERTa. Word-initial pieces start with {@code ▁}. */
    SENTENCEPIECE("\u2581");

    private final String marker;

    ModelFamily(String marker) {
        this.marker = marker;
    }

    /** The piece marker: {@code ##} (continuation) for WordPiece, {@code ▁} (word start) for SentencePiece. */
    public String marker() {
        return marker;
    }

    /** Maps the {@code model.type} of a tokenizer.json ({@code WordPiece}, {@code Unigram}) to a family. */
    public static ModelFamily fromTokenizerModelType(String modelType) {
        if (modelType == null) {
            throw new IllegalArgumentException("tokenizer.json has no model.type");
        }
        switch (modelType) {
            case "WordPiece":
                return WORDPIECE;
            case "Unigram":
                return SENTENCEPIECE;
            default:
                throw new IllegalArgumentException(
                        "Unsupported tokenizer model type '" + modelType
                                + "': LLMLingua-2 models use WordPiece (BERT family) or Unigram (XLM-R family)");
        }
    }

    /** Parses {@code wordpiece}/{@code sentencepiece} (case-insensitive), also accepting {@code bert}/{@code xlm-roberta}. */
    public static ModelFamily parse(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        switch (v) {
            case "wordpiece":
            case "bert":
                return WORDPIECE;
            case "sentencepiece":
            case "xlm-roberta":
            case "xlmr":
                return SENTENCEPIECE;
            default:
                throw new IllegalArgumentException("Unknown model family '" + value + "' (expected wordpiece or sentencepiece)");
        }
    }
}
