package io.flinkllmlingua.engine;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * Per-request options, named and defaulted as the reference's {@code compress_prompt_llmlingua2}. Immutable
 * and serializable so that a Flink job can ship it to its tasks.
 *
 * <p>Validation happens in {@link Builder#build()}; requests the reference would crash on with an exception
 * (rate 0, more than 100 force tokens, a context-level rate above 1) are refused here with an
 * {@link InvalidRequestException}.
 */
public final class CompressionOptions implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The reference's {@code max_force_token}. */
    public static final int MAX_FORCE_TOKENS = 100;
    public static final String DEFAULT_WORD_SEP = "\t\t|\t\t";
    public static final String DEFAULT_LABEL_SEP = " ";

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

    /** Defaults of the reference's {@code compress_prompt_llmlingua2} (context-level filter off). */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Defaults of the reference's generic {@code compress_prompt} entry, which turns the context-level filter
     * on (it only acts with two or more contexts).
     */
    public static Builder compressPromptDefaults() {
        return new Builder().useContextLevelFilter(true);
    }

    public static CompressionOptions defaults() {
        return builder().build();
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

    /** Fraction of tokens to keep (0 &lt; rate; 1 or more keeps everything). */
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

    /** Builder with the reference's defaults. */
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
        private List<String> forceTokens = new ArrayList<>();
        private boolean forceReserveDigit = false;
        private boolean dropConsecutive = false;
        private List<String> chunkEndTokens = new ArrayList<>(List.of(".", "\n"));
        private RenderMode renderMode = RenderMode.REFERENCE;
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
            if (Double.isNaN(rate) || Double.isInfinite(rate)) {
                throw new InvalidRequestException("rate must be a finite number, got " + rate);
            }
            if (Double.isNaN(targetToken) || Double.isInfinite(targetToken)) {
                throw new InvalidRequestException("target_token must be a finite number, got " + targetToken);
            }
            if (Double.isNaN(contextLevelTargetToken) || Double.isInfinite(contextLevelTargetToken)) {
                throw new InvalidRequestException("context_level_target_token must be finite, got " + contextLevelTargetToken);
            }
            // The reference turns rate <= 0 into percentile 101 and numpy raises; refuse it up front.
            if (rate <= 0 && targetToken <= 0 && useTokenLevelFilter) {
                throw new InvalidRequestException(
                        "rate must be > 0 (it is the fraction of tokens to keep), got " + rate);
            }
            if (Double.isNaN(contextLevelRate) || contextLevelRate > 1.0 || contextLevelRate < 0) {
                throw new InvalidRequestException(
                        "context_level_rate must be in [0, 1], got " + contextLevelRate);
            }
            if (forceTokens.size() > MAX_FORCE_TOKENS) {
                throw new InvalidRequestException("more than " + MAX_FORCE_TOKENS + " force tokens ("
                        + forceTokens.size() + ")");
            }
            for (String t : forceTokens) {
                if (t == null || t.isEmpty()) {
                    // Python's str.replace("", x) would insert the placeholder between every character.
                    throw new InvalidRequestException("force tokens must be non-empty strings");
                }
            }
            for (String t : chunkEndTokens) {
                if (t == null) {
                    throw new InvalidRequestException("chunk end tokens must not be null");
                }
            }
            for (Integer id : forceContextIds) {
                if (id == null) {
                    throw new InvalidRequestException("force_context_ids must not contain null");
                }
            }
            return new CompressionOptions(this);
        }
    }
}
