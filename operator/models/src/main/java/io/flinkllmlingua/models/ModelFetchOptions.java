package io.flinkllmlingua.models;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Settings of a {@link ModelFetcher}: hub endpoint, token, cache directory, retries and timeouts.
 * {@link #fromEnvironment()} reads {@code LLMLINGUA_HF_ENDPOINT}, {@code HF_TOKEN} and {@code LLMLINGUA_CACHE}.
 */
public final class ModelFetchOptions {
    public static final URI DEFAULT_ENDPOINT = URI.create("https://huggingface.co");
    public static final String ENV_ENDPOINT = "LLMLINGUA_HF_ENDPOINT";
    public static final String ENV_TOKEN = "HF_TOKEN";
    public static final String ENV_CACHE = "LLMLINGUA_CACHE";

    private final URI endpoint;
    private final String token;
    private final Path cacheRoot;
    private final int maxAttempts;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final Duration connectTimeout;
    private final Duration responseTimeout;
    private final Duration readTimeout;
    private final int maxRedirects;
    private final boolean allowUnverified;

    private ModelFetchOptions(Builder b) {
        this.endpoint = b.endpoint;
        this.token = b.token;
        this.cacheRoot = b.cacheRoot;
        this.maxAttempts = b.maxAttempts;
        this.initialBackoff = b.initialBackoff;
        this.maxBackoff = b.maxBackoff;
        this.connectTimeout = b.connectTimeout;
        this.responseTimeout = b.responseTimeout;
        this.readTimeout = b.readTimeout;
        this.maxRedirects = b.maxRedirects;
        this.allowUnverified = b.allowUnverified;
    }

    /** Defaults, with the endpoint, token and cache taken from the process environment. */
    public static ModelFetchOptions fromEnvironment() {
        return builderFromEnvironment(System.getenv(), System.getProperty("user.home")).build();
    }

    /**
     * A builder initialised from an environment map: {@code LLMLINGUA_HF_ENDPOINT} (default
     * {@code https://huggingface.co}), {@code HF_TOKEN} (bearer token, optional) and {@code LLMLINGUA_CACHE}
     * (default {@code <userHome>/.cache/flink-llmlingua}).
     */
    public static Builder builderFromEnvironment(Map<String, String> env, String userHome) {
        Builder b = builder();
        String endpoint = blankToNull(env.get(ENV_ENDPOINT));
        if (endpoint != null) {
            b.endpoint(URI.create(endpoint));
        }
        b.token(blankToNull(env.get(ENV_TOKEN)));
        String cache = blankToNull(env.get(ENV_CACHE));
        b.cacheRoot(cache != null ? Path.of(cache) : Path.of(userHome, ".cache", "flink-llmlingua"));
        return b;
    }

    /** A builder with the defaults and the cache under {@code ~/.cache/flink-llmlingua}, ignoring the environment. */
    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.endpoint = endpoint;
        b.token = token;
        b.cacheRoot = cacheRoot;
        b.maxAttempts = maxAttempts;
        b.initialBackoff = initialBackoff;
        b.maxBackoff = maxBackoff;
        b.connectTimeout = connectTimeout;
        b.responseTimeout = responseTimeout;
        b.readTimeout = readTimeout;
        b.maxRedirects = maxRedirects;
        b.allowUnverified = allowUnverified;
        return b;
    }

    /** Hub base URL; files are fetched from {@code {endpoint}/{repo}/resolve/{revision}/{path}}. */
    public URI endpoint() { return endpoint; }

    /** Bearer token sent to the endpoint's origin only (never to a redirect target on another host), or null. */
    public String token() { return token; }

    /** Cache root; models go to {@code <cacheRoot>/models/<name>/<revision>/}. */
    public Path cacheRoot() { return cacheRoot; }

    /** Tries per file, first one included, counted since the last try that grew the part file. */
    public int maxAttempts() { return maxAttempts; }

    public Duration initialBackoff() { return initialBackoff; }

    public Duration maxBackoff() { return maxBackoff; }

    public Duration connectTimeout() { return connectTimeout; }

    /** How long to wait for the response headers of one request. */
    public Duration responseTimeout() { return responseTimeout; }

    /** How long the body may stall (no byte received) before the transfer is abandoned and retried. */
    public Duration readTimeout() { return readTimeout; }

    public int maxRedirects() { return maxRedirects; }

    /** When true, entries without pinned hashes are downloaded and their computed hashes reported. */
    public boolean allowUnverified() { return allowUnverified; }

    @Override
    public String toString() {
        return "ModelFetchOptions(endpoint=" + endpoint + ", token=" + (token == null ? "none" : "set")
                + ", cacheRoot=" + cacheRoot + ", maxAttempts=" + maxAttempts + ", backoff=" + initialBackoff + ".." + maxBackoff
                + ", connectTimeout=" + connectTimeout + ", responseTimeout=" + responseTimeout + ", readTimeout=" + readTimeout
                + ", allowUnverified=" + allowUnverified + ")";
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    public static final class Builder {
        private URI endpoint = DEFAULT_ENDPOINT;
        private String token;
        private Path cacheRoot = Path.of(System.getProperty("user.home"), ".cache", "flink-llmlingua");
        private int maxAttempts = 5;
        private Duration initialBackoff = Duration.ofSeconds(1);
        private Duration maxBackoff = Duration.ofSeconds(30);
        private Duration connectTimeout = Duration.ofSeconds(30);
        private Duration responseTimeout = Duration.ofSeconds(60);
        private Duration readTimeout = Duration.ofSeconds(60);
        private int maxRedirects = 10;
        private boolean allowUnverified;

        private Builder() {
        }

        public Builder endpoint(URI v) {
            Objects.requireNonNull(v, "endpoint");
            String scheme = v.getScheme();
            if (scheme == null || !(scheme.equalsIgnoreCase("https") || scheme.equalsIgnoreCase("http")) || v.getHost() == null) {
                throw new IllegalArgumentException("hub endpoint must be an http(s) URL with a host: " + v);
            }
            String s = v.toString();
            while (s.endsWith("/")) {
                s = s.substring(0, s.length() - 1);
            }
            this.endpoint = URI.create(s);
            return this;
        }

        public Builder endpoint(String v) { return endpoint(URI.create(v)); }
        public Builder token(String v) { this.token = v == null || v.isBlank() ? null : v.trim(); return this; }
        public Builder cacheRoot(Path v) { this.cacheRoot = Objects.requireNonNull(v, "cacheRoot"); return this; }

        public Builder maxAttempts(int v) {
            if (v < 1) throw new IllegalArgumentException("maxAttempts must be >= 1");
            this.maxAttempts = v;
            return this;
        }

        /** Backoff before retry n is {@code min(max, initial * 2^(n-1))}. */
        public Builder backoff(Duration initial, Duration max) {
            if (initial.isNegative() || max.compareTo(initial) < 0) {
                throw new IllegalArgumentException("backoff must satisfy 0 <= initial <= max");
            }
            this.initialBackoff = initial;
            this.maxBackoff = max;
            return this;
        }

        public Builder connectTimeout(Duration v) { this.connectTimeout = positive(v, "connectTimeout"); return this; }
        public Builder responseTimeout(Duration v) { this.responseTimeout = positive(v, "responseTimeout"); return this; }
        public Builder readTimeout(Duration v) { this.readTimeout = positive(v, "readTimeout"); return this; }

        public Builder maxRedirects(int v) {
            if (v < 0) throw new IllegalArgumentException("maxRedirects must be >= 0");
            this.maxRedirects = v;
            return this;
        }

        public Builder allowUnverified(boolean v) { this.allowUnverified = v; return this; }

        public ModelFetchOptions build() {
            return new ModelFetchOptions(this);
        }

        private static Duration positive(Duration d, String what) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive");
            }
            return d;
        }
    }
}
