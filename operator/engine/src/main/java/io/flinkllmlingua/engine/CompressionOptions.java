package io.flinkllmlingua.engine;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * Per-request options, named as the reference's {@code compress_prompt_llmlingua2} parameters. Immutable and
 * serializable so that a Flink job can ship it to its tasks.
 *
 * <p><b>Defaults.</b> {@link #builder()} and {@link #defaults()} hold the product's defaults, the same on every path
 * (Java API, DataStream job, backfill, SQL, CLI; the {@code llmlingua.*} options declare theirs from these values):
 * the reference's parameters except for two, chosen for RAG ingestion: {@link RenderMode#ORIGINAL_SPANS} (the same
 * keep decisions, the input's own characters: no {@code https : / /}, no spaces between CJK characters) and the
 * force tokens {@link #PRODUCT_FORCE_TOKENS} (newline and sentence ends are always kept). {@link #referenceBuilder()}
 * and {@link #reference()} hold the reference's own defaults ({@link RenderMode#REFERENCE}, no force tokens), for
 * bit-parity with the reference.
 *
 * <p><b>Validation</b> happens once, in {@link Builder#build()}, for every path, with an
 * {@link InvalidOptionsException}: numbers must be finite, at most 100 force tokens, none empty. The rate domain
 * is {@code [0, 1]} (a fraction of tokens to keep; the reference's {@code rate >= 1} keeps everything, so a value
 * above 1 adds nothing and is almost always a percentage given by mistake; a negative fraction means nothing); it is
 * not checked when a token target decides the rate or the token-level filter is off. A rate of 0 is accepted because
 * the reference runs with it on an input without tokens (the empty result); on any other input the reference raises
 * and {@link PromptCompressor} refuses the request with an {@link InvalidOptionsException}. The context-level rate
 * may be any finite number, as in the reference (at 1 or more it is "unset" and derived from the rate; where the
 * reference's percentile index leaves [0, 100] it is clamped, see the README's differences).
 */
public final class CompressionOptions implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The reference's {@code max_force_token}. */
    public static final int MAX_FORCE_TOKENS = 100;
    public static final String DEFAULT_WORD_SEP = "\t\t|\t\t";
    public static final String DEFAULT_LABEL_SEP = " ";
    /** The product's default force tokens: newline and sentence ends. */
    public static final List<String> PRODUCT_FORCE_TOKENS = List.of("\n", ".", "!", "?");
    /** The product's default rendering. */
    public static final RenderMode PRODUCT_RENDER_MODE = RenderMode.ORIGINAL_SPANS;
    /** The largest rate accepted: 1 keeps every token. */
    public static final double MAX_RATE = 1.0;

    private final double rate;
    private final double targetToken;
    private final boolean useContextLevelFilter;
    private final boolean useTokenLevelFilter;
    private final int targetContext;
    private final double contextLevelRate;
    private final double contextLevelTargetToken;
    private final List<Integer> forceContextIds;
    private final boolean returnWordLabel;
    private final String wordSep;
    private final String labelSep;
    private final TokenToWord tokenToWord;
    private final List<String> forceTokens;
    private final boolean forceReserveDigit;
    private final boolean dropConsecutive;
    private final List<String> chunkEndTokens;
    private final RenderMode renderMode;
    private final SpecialTokenPolicy specialTokenPolicy;

    private CompressionOptions(Builder b) {
        this.rate = b.rate;
        this.targetToken = b.targetToken;
        this.useContextLevelFilter = b.useContextLevelFilter;
        this.useTokenLevelFilter = b.useTokenLevelFilter;
        this.targetContext = b.targetContext;
        this.contextLevelRate = b.contextLevelRate;
        this.contextLevelTargetToken = b.contextLevelTargetToken;
        this.forceContextIds = List.copyOf(b.forceContextIds);
        this.returnWordLabel = b.returnWordLabel;
        this.wordSep = b.wordSep;
        this.labelSep = b.labelSep;
        this.tokenToWord = b.tokenToWord;
        this.forceTokens = Collections.unmodifiableList(new ArrayList<>(b.forceTokens));
        this.forceReserveDigit = b.forceReserveDigit;
        this.dropConsecutive = b.dropConsecutive;
        this.chunkEndTokens = Collections.unmodifiableList(new ArrayList<>(b.chunkEndTokens));
        this.renderMode = b.renderMode;
        this.specialTokenPolicy = b.specialTokenPolicy;
    }

    /**
     * The product's defaults: the reference's {@code compress_prompt_llmlingua2} parameters (context-level filter off)
     * with {@link #PRODUCT_RENDER_MODE} and {@link #PRODUCT_FORCE_TOKENS}.
     */
    public static Builder builder() {
        return new Builder();
    }

    /** The product's defaults, built. */
    public static CompressionOptions defaults() {
        return builder().build();
    }

    /**
     * The reference's own defaults of {@code compress_prompt_llmlingua2}: {@link RenderMode#REFERENCE}, no force
     * tokens, context-level filter off. For bit-parity with the reference (the fidelity tests use it).
     */
    public static Builder referenceBuilder() {
        return new Builder().renderMode(RenderMode.REFERENCE).forceTokens(List.of());
    }

    /** The reference's own defaults, built. */
    public static CompressionOptions reference() {
        return referenceBuilder().build();
    }

    /**
     * The reference's defaults of its generic {@code compress_prompt} entry, which turns the context-level filter
     * on (it only acts with two or more contexts).
     */
    public static Builder compressPromptDefaults() {
        return referenceBuilder().useContextLevelFilter(true);
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.rate = rate;
        b.targetToken = targetToken;
        b.useContextLevelFilter = useContextLevelFilter;
        b.useTokenLevelFilter = useTokenLevelFilter;
        b.targetContext = targetContext;
        b.contextLevelRate = contextLevelRate;
        b.contextLevelTargetToken = contextLevelTargetToken;
        b.forceContextIds = new ArrayList<>(forceContextIds);
        b.returnWordLabel = returnWordLabel;
        b.wordSep = wordSep;
        b.labelSep = labelSep;
        b.tokenToWord = tokenToWord;
        b.forceTokens = new ArrayList<>(forceTokens);
        b.forceReserveDigit = forceReserveDigit;
        b.dropConsecutive = dropConsecutive;
        b.chunkEndTokens = new ArrayList<>(chunkEndTokens);
        b.renderMode = renderMode;
        b.specialTokenPolicy = specialTokenPolicy;
        return b;
    }

    /** Fraction of tokens to keep, in [0, 1] (1 keeps everything; 0 only suits an input without tokens). */
    public double rate() { return rate; }
    /** Token budget overriding {@link #rate()} when positive (-1: unset). */
    public double targetToken() { return targetToken; }
    public boolean useContextLevelFilter() { return useContextLevelFilter; }
    public boolean useTokenLevelFilter() { return useTokenLevelFilter; }
    public int targetContext() { return targetContext; }
    public double contextLevelRate() { return contextLevelRate; }
    public double contextLevelTargetToken() { return contextLevelTargetToken; }
    public List<Integer> forceContextIds() { return forceContextIds; }
    public boolean returnWordLabel() { return returnWordLabel; }
    public String wordSep() { return wordSep; }
    public String labelSep() { return labelSep; }
    public TokenToWord tokenToWord() { return tokenToWord; }
    public List<String> forceTokens() { return forceTokens; }
    public boolean forceReserveDigit() { return forceReserveDigit; }
    public boolean dropConsecutive() { return dropConsecutive; }
    public List<String> chunkEndTokens() { return chunkEndTokens; }
    public RenderMode renderMode() { return renderMode; }
    public SpecialTokenPolicy specialTokenPolicy() { return specialTokenPolicy; }

    @Override
    public boolean equals(Object o) {
        if (this == o) return true;
        if (!(o instanceof CompressionOptions)) return false;
        CompressionOptions that = (CompressionOptions) o;
        return Double.compare(rate, that.rate) == 0
                && Double.compare(targetToken, that.targetToken) == 0
                && useContextLevelFilter == that.useContextLevelFilter
                && useTokenLevelFilter == that.useTokenLevelFilter
                && targetContext == that.targetContext
                && Double.compare(contextLevelRate, that.contextLevelRate) == 0
                && Double.compare(contextLevelTargetToken, that.contextLevelTargetToken) == 0
                && forceContextIds.equals(that.forceContextIds)
                && returnWordLabel == that.returnWordLabel
                && wordSep.equals(that.wordSep)
                && labelSep.equals(that.labelSep)
                && tokenToWord == that.tokenToWord
                && forceTokens.equals(that.forceTokens)
                && forceReserveDigit == that.forceReserveDigit
                && dropConsecutive == that.dropConsecutive
                && chunkEndTokens.equals(that.chunkEndTokens)
                && renderMode == that.renderMode
                && specialTokenPolicy == that.specialTokenPolicy;
    }

    @Override
    public int hashCode() {
        return Objects.hash(rate, targetToken, useContextLevelFilter, useTokenLevelFilter, targetContext,
                contextLevelRate, contextLevelTargetToken, forceContextIds, returnWordLabel, wordSep, labelSep,
                tokenToWord, forceTokens, forceReserveDigit, dropConsecutive, chunkEndTokens, renderMode,
                specialTokenPolicy);
    }

    @Override
    public String toString() {
        return "CompressionOptions{rate=" + rate + ", targetToken=" + targetToken
                + ", useContextLevelFilter=" + useContextLevelFilter + ", useTokenLevelFilter=" + useTokenLevelFilter
                + ", targetContext=" + targetContext + ", contextLevelRate=" + contextLevelRate
                + ", contextLevelTargetToken=" + contextLevelTargetToken + ", forceContextIds=" + forceContextIds
                + ", tokenToWord=" + tokenToWord + ", forceTokens=" + forceTokens.size()
                + ", forceReserveDigit=" + forceReserveDigit + ", dropConsecutive=" + dropConsecutive
                + ", chunkEndTokens=" + chunkEndTokens + ", renderMode=" + renderMode + "}";
    }

    /** Builder, starting from the product's defaults ({@link #builder()}) or the reference's ({@link #referenceBuilder()}). */
    public static final class Builder {
        private double rate = 0.5;
        private double targetToken = -1;
        private boolean useContextLevelFilter = false;
        private boolean useTokenLevelFilter = true;
        private int targetContext = -1;
        private double contextLevelRate = 1.0;
        private double contextLevelTargetToken = -1;
        private List<Integer> forceContextIds = new ArrayList<>();
        private boolean returnWordLabel = false;
        private String wordSep = DEFAULT_WORD_SEP;
        private String labelSep = DEFAULT_LABEL_SEP;
        private TokenToWord tokenToWord = TokenToWord.MEAN;
        private List<String> forceTokens = new ArrayList<>(PRODUCT_FORCE_TOKENS);
        private boolean forceReserveDigit = false;
        private boolean dropConsecutive = false;
        private List<String> chunkEndTokens = new ArrayList<>(List.of(".", "\n"));
        private RenderMode renderMode = PRODUCT_RENDER_MODE;
        private SpecialTokenPolicy specialTokenPolicy = SpecialTokenPolicy.REJECT;

        private Builder() {}

        public Builder rate(double rate) { this.rate = rate; return this; }
        public Builder targetToken(double targetToken) { this.targetToken = targetToken; return this; }
        public Builder useContextLevelFilter(boolean v) { this.useContextLevelFilter = v; return this; }
        public Builder useTokenLevelFilter(boolean v) { this.useTokenLevelFilter = v; return this; }
        public Builder targetContext(int v) { this.targetContext = v; return this; }
        public Builder contextLevelRate(double v) { this.contextLevelRate = v; return this; }
        public Builder contextLevelTargetToken(double v) { this.contextLevelTargetToken = v; return this; }
        public Builder forceContextIds(List<Integer> ids) {
            this.forceContextIds = ids == null ? new ArrayList<>() : new ArrayList<>(ids);
            return this;
        }
        public Builder returnWordLabel(boolean v) { this.returnWordLabel = v; return this; }
        public Builder wordSep(String v) { this.wordSep = Objects.requireNonNull(v, "wordSep"); return this; }
        public Builder labelSep(String v) { this.labelSep = Objects.requireNonNull(v, "labelSep"); return this; }
        public Builder tokenToWord(TokenToWord v) { this.tokenToWord = Objects.requireNonNull(v, "tokenToWord"); return this; }
        public Builder forceTokens(List<String> v) {
            this.forceTokens = v == null ? new ArrayList<>() : new ArrayList<>(v);
            return this;
        }
        public Builder forceReserveDigit(boolean v) { this.forceReserveDigit = v; return this; }
        public Builder dropConsecutive(boolean v) { this.dropConsecutive = v; return this; }
        public Builder chunkEndTokens(List<String> v) {
            this.chunkEndTokens = v == null ? new ArrayList<>() : new ArrayList<>(v);
            return this;
        }
        public Builder renderMode(RenderMode v) { this.renderMode = Objects.requireNonNull(v, "renderMode"); return this; }
        public Builder specialTokenPolicy(SpecialTokenPolicy v) {
            this.specialTokenPolicy = Objects.requireNonNull(v, "specialTokenPolicy");
            return this;
        }

        public CompressionOptions build() {
            requireFinite("rate", rate);
            requireFinite("target_token", targetToken);
            requireFinite("context_level_rate", contextLevelRate);
            requireFinite("context_level_target_token", contextLevelTargetToken);
            if (targetToken <= 0 && useTokenLevelFilter && !(rate >= 0 && rate <= MAX_RATE)) {
                throw new InvalidOptionsException("rate must be >= 0 and <= " + fmt(MAX_RATE)
                        + " (the fraction of tokens to keep), got " + rate);
            }
            if (forceTokens.size() > MAX_FORCE_TOKENS) {
                throw new InvalidOptionsException("more than " + MAX_FORCE_TOKENS + " force tokens ("
                        + forceTokens.size() + ")");
            }
            for (String t : forceTokens) {
                if (t == null || t.isEmpty()) {
                    // Python's str.replace("", x) would insert the placeholder between every character.
                    throw new InvalidOptionsException("force tokens must be non-empty strings");
                }
            }
            for (String t : chunkEndTokens) {
                if (t == null) {
                    throw new InvalidOptionsException("chunk end tokens must not be null");
                }
            }
            for (Integer id : forceContextIds) {
                if (id == null) {
                    throw new InvalidOptionsException("force_context_ids must not contain null");
                }
            }
            return new CompressionOptions(this);
        }

        /** NaN and infinities are refused: the reference would compare or truncate them, never meaningfully. */
        private static void requireFinite(String name, double v) {
            if (Double.isNaN(v) || Double.isInfinite(v)) {
                throw new InvalidOptionsException(name + " must be a finite number, got " + v);
            }
        }

        private static String fmt(double d) {
            return d == Math.rint(d) && !Double.isInfinite(d) ? Long.toString((long) d) : Double.toString(d);
        }
    }
}
