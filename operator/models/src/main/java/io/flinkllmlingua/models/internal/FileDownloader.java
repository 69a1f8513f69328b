package io.flinkllmlingua.models.internal;

import io.flinkllmlingua.models.ModelFetchException;
import io.flinkllmlingua.models.ModelFetchOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Transfers one URL into a {@code .part} file: resumes an existing part with {@code Range: bytes=N-}, restarts when
 * the server ignores the range (200), handles 416, follows redirects itself (so the bearer token never leaves the
 * endpoint's origin), retries transient failures with bounded exponential backoff and abandons a stalled body
 * after the read timeout. Size and hash are computed while streaming; checking them against the catalog is the
 * caller's job.
 */
public final class FileDownloader {
    private static final Logger LOG = LoggerFactory.getLogger(FileDownloader.class);
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes\\s+(\\d+)-(\\d+)/(\\d+|\\*)");
    private static final Pattern CONTENT_RANGE_UNSATISFIED = Pattern.compile("bytes\\s+\\*/(\\d+)");
    private static final int BUFFER = 1 << 16;
    private static final long PROGRESS_STEP = 1 << 20;

    /** Callbacks for one file. */
    public interface Progress {
        void started(long bytesDone, long totalBytes);

        void progress(long bytesDone, long totalBytes);

        void retrying(int failedAttempt, int maxAttempts, Duration delay, String reason);
    }

    /** What a transfer produced. */
    public static final class Result {
        private final boolean notFound;
        private final long size;
        private final String sha256;

        private Result(boolean notFound, long size, String sha256) {
            this.notFound = notFound;
            this.size = size;
            this.sha256 = sha256;
        }

        public boolean notFound() { return notFound; }
        public long size() { return size; }
        public String sha256() { return sha256; }
    }

    /** A failure worth another try. */
    private static final class Transient extends Exception {
        private static final long serialVersionUID = 1L;
        final int status;
        final Duration retryAfter;

        Transient(String message, int status, Duration retryAfter, Throwable cause) {
            super(message, cause);
            this.status = status;
            this.retryAfter = retryAfter;
        }
    }

    private final HttpClient client;
    private final ModelFetchOptions options;
    private final ScheduledExecutorService watchdog;
    private final String userAgent;

    public FileDownloader(HttpClient client, ModelFetchOptions options, ScheduledExecutorService watchdog, String userAgent) {
        this.client = client;
        this.options = options;
        this.watchdog = watchdog;
        this.userAgent = userAgent;
    }

    /**
     * Downloads {@code url} into {@code part}, keeping what is already there when the server honours ranges.
     *
     * @param expectedSize size from the catalog, or -1
     * @param optional     when true a 404 returns a not-found result instead of failing
     */
    public Result download(URI url, Path part, long expectedSize, boolean optional, Progress progress) throws ModelFetchException {
        int failures = 0;
        long highWater = sizeOrZero(part);
        while (true) {
            try {
                return attempt(url, part, expectedSize, optional, progress);
            } catch (Transient t) {
                long now = sizeOrZero(part);
                if (now > highWater) {
                    // This try got further than any before it: count tries from here, so a long download over a
                    // flaky link is not abandoned while it still makes progress (bounded: highWater only grows).
                    highWater = now;
                    failures = 0;
                }
                failures++;
                if (failures >= options.maxAttempts()) {
                    throw new ModelFetchException("Giving up on " + url + " after " + failures + " consecutive failed attempt"
                            + (failures == 1 ? "" : "s") + "; last error: " + t.getMessage()
                            + (now > 0 ? " (" + now + " bytes kept in " + part.getFileName() + " for a later resume)" : ""),
                            url.toString(), t.status, t.getCause());
                }
                Duration delay = backoff(failures, t.retryAfter);
                LOG.warn("Attempt {}/{} for {} failed: {}; retrying in {} ms", failures, options.maxAttempts(), url,
                        t.getMessage(), delay.toMillis());
                progress.retrying(failures, options.maxAttempts(), delay, t.getMessage());
                sleep(delay, url);
            }
        }
    }

    private Duration backoff(int failures, Duration retryAfter) {
        long initial = options.initialBackoff().toMillis();
        long max = options.maxBackoff().toMillis();
        long delay = initial;
        for (int i = 1; i < failures && delay < max; i++) {
            delay = Math.min(max, delay * 2);
        }
        delay = Math.min(max, delay);
        if (retryAfter != null) {
            delay = Math.min(max, Math.max(delay, retryAfter.toMillis()));
        }
        return Duration.ofMillis(delay);
    }

    private static void sleep(Duration d, URI url) throws ModelFetchException {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ModelFetchException("Interrupted while downloading " + url, url.toString(), -1, e);
        }
    }

    private Result attempt(URI url, Path part, long expectedSize, boolean optional, Progress progress)
            throws Transient, ModelFetchException {
        long have = sizeOrZero(part);
        if (expectedSize >= 0 && have > expectedSize) {
            LOG.warn("{} holds {} bytes, more than the expected {}; starting over", part, have, expectedSize);
            delete(part);
            have = 0;
        }
        MessageDigest digest = Sha256.newDigest();
        if (have > 0) {
            try {
                Sha256.update(digest, part, have);
            } catch (IOException e) {
                throw new ModelFetchException("Cannot read the partial download " + part + ": " + e.getMessage(), e);
            }
        }
        if (expectedSize > 0 && have == expectedSize) {
            progress.started(have, expectedSize);
            progress.progress(have, expectedSize);
            return new Result(false, have, Sha256.hex(digest));
        }

        HttpResponse<InputStream> response = send(url, have);
        int status = response.statusCode();
        URI finalUri = response.uri();
        String where = finalUri.equals(url) ? url.toString() : url + " (redirected to " + stripQuery(finalUri) + ")";
        InputStream body = response.body();
        try {
            if (status == 416) {
                long total = contentRangeTotal(response).orElse(-1L);
                if (have > 0 && total == have) {
                    progress.started(have, have);
                    progress.progress(have, have);
                    return new Result(false, have, Sha256.hex(digest));
                }
                delete(part);
                throw new Transient("HTTP 416 Range Not Satisfiable for bytes=" + have + "- (remote size "
                        + (total >= 0 ? total : "unknown") + "); the partial file was discarded", status, null, null);
            }
            if (status == 404) {
                if (optional) {
                    return new Result(true, 0, null);
                }
                throw new ModelFetchException("HTTP 404 Not Found: " + where + errorDetail(response)
                        + "; check the repository, revision and file path in the catalog", url.toString(), status, null);
            }
            if (status == 401 || status == 403) {
                throw new ModelFetchException("HTTP " + status + " " + reason(status) + ": " + where + errorDetail(response)
                        + (options.token() == null ? "; the repository may be private or gated: set HF_TOKEN"
                        : "; the token in HF_TOKEN was refused"), url.toString(), status, null);
            }
            if (status == 408 || status == 425 || status == 429 || status >= 500) {
                throw new Transient("HTTP " + status + " " + reason(status) + " from " + where + errorDetail(response),
                        status, retryAfter(response), null);
            }
            if (status != 200 && status != 206) {
                throw new ModelFetchException("Unexpected HTTP " + status + " " + reason(status) + " for " + where
                        + errorDetail(response), url.toString(), status, null);
            }

            long contentLength = response.headers().firstValueAsLong("content-length").orElse(-1L);
            boolean append;
            long total;
            if (status == 206) {
                Matcher m = CONTENT_RANGE.matcher(response.headers().firstValue("content-range").orElse(""));
                if (!m.matches() || Long.parseLong(m.group(1)) != have) {
                    delete(part);
                    throw new Transient("HTTP 206 with Content-Range '" + response.headers().firstValue("content-range").orElse("")
                            + "' does not continue at byte " + have + "; the partial file was discarded", status, null, null);
                }
                append = true;
                total = m.group(3).equals("*") ? (contentLength >= 0 ? have + contentLength : -1) : Long.parseLong(m.group(3));
            } else {
                if (have > 0) {
                    LOG.info("{} ignored the Range request (HTTP 200); restarting {} from byte 0", stripQuery(finalUri), part.getFileName());
                    digest.reset();
                    have = 0;
                }
                append = false;
                total = contentLength;
            }
            if (expectedSize >= 0) {
                if (total >= 0 && total != expectedSize) {
                    throw new ModelFetchException("Size mismatch for " + where + ": the catalog expects " + expectedSize
                            + " bytes, the server announces " + total, url.toString(), status, null);
                }
                total = expectedSize;
            }
            progress.started(have, total);
            long received = stream(body, part, append, digest, have, total, progress, where);
            long now = have + received;
            if (contentLength >= 0 && received < contentLength) {
                throw new Transient("connection closed after " + received + " of " + contentLength + " bytes", status, null, null);
            }
            if (total >= 0 && now < total) {
                throw new Transient("transfer ended at byte " + now + " of " + total, status, null, null);
            }
            if (total >= 0 && now > total) {
                delete(part);
                throw new ModelFetchException("Size mismatch for " + where + ": expected " + total + " bytes, received "
                        + now + "; the partial file was deleted", url.toString(), status, null);
            }
            progress.progress(now, total >= 0 ? total : now);
            return new Result(false, now, Sha256.hex(digest));
        } finally {
            closeQuietly(body);
        }
    }

    /** Streams the body into the part file; returns the bytes received. Stalls longer than the read timeout abort it. */
    private long stream(InputStream body, Path part, boolean append, MessageDigest digest, long have, long total,
                        Progress progress, String where) throws Transient, ModelFetchException {
        long[] lastActivity = {System.nanoTime()};
        boolean[] stalled = {false};
        long timeoutNanos = options.readTimeout().toNanos();
        long period = Math.max(10, Math.min(1000, options.readTimeout().toMillis() / 4));
        ScheduledFuture<?> check = watchdog.scheduleAtFixedRate(() -> {
            long last;
            synchronized (lastActivity) {
                last = lastActivity[0];
            }
            if (System.nanoTime() - last > timeoutNanos) {
                synchronized (lastActivity) {
                    stalled[0] = true;
                }
                closeQuietly(body);
            }
        }, period, period, TimeUnit.MILLISECONDS);
        long received = 0;
        long lastReported = have;
        StandardOpenOption mode = append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING;
        try (FileChannel out = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE, mode)) {
            byte[] buf = new byte[BUFFER];
            while (true) {
                int n;
                try {
                    n = body.read(buf);
                } catch (IOException e) {
                    if (isStalled(lastActivity, stalled)) {
                        throw new Transient("no data received for " + options.readTimeout().toMillis() + " ms", -1, null, e);
                    }
                    throw new Transient("transfer interrupted after " + received + " bytes: " + describe(e), -1, null, e);
                }
                if (n < 0) {
                    break;
                }
                synchronized (lastActivity) {
                    lastActivity[0] = System.nanoTime();
                }
                ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
                while (bb.hasRemaining()) {
                    out.write(bb);
                }
                digest.update(buf, 0, n);
                received += n;
                if (have + received - lastReported >= PROGRESS_STEP) {
                    lastReported = have + received;
                    progress.progress(lastReported, total);
                }
            }
            if (isStalled(lastActivity, stalled)) {
                throw new Transient("no data received for " + options.readTimeout().toMillis() + " ms", -1, null, null);
            }
            out.force(true);
        } catch (IOException e) {
            throw new ModelFetchException("Cannot write " + part + " (downloading " + where + "): " + e.getMessage(), e);
        } finally {
            check.cancel(false);
        }
        return received;
    }

    private static boolean isStalled(long[] lock, boolean[] stalled) {
        synchronized (lock) {
            return stalled[0];
        }
    }

    /** Sends a GET, following up to maxRedirects redirects; the token only goes to the endpoint's origin. */
    private HttpResponse<InputStream> send(URI url, long rangeStart) throws Transient, ModelFetchException {
        URI current = url;
        for (int hop = 0; ; hop++) {
            HttpRequest.Builder rb = HttpRequest.newBuilder(current)
                    .GET()
                    .timeout(options.responseTimeout())
                    .header("User-Agent", userAgent);
            if (rangeStart > 0) {
                rb.header("Range", "bytes=" + rangeStart + "-");
            }
            if (options.token() != null && HubUrls.sameOrigin(current, options.endpoint())) {
                rb.header("Authorization", "Bearer " + options.token());
            }
            HttpResponse<InputStream> response;
            try {
                response = client.send(rb.build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (IOException e) {
                throw new Transient("request to " + stripQuery(current) + " failed: " + describe(e), -1, null, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ModelFetchException("Interrupted while downloading " + url, url.toString(), -1, e);
            }
            int status = response.statusCode();
            if (status == 301 || status == 302 || status == 303 || status == 307 || status == 308) {
                closeQuietly(response.body());
                Optional<String> location = response.headers().firstValue("location");
                if (location.isEmpty()) {
                    throw new ModelFetchException("HTTP " + status + " without a Location header from " + stripQuery(current),
                            url.toString(), status, null);
                }
                if (hop >= options.maxRedirects()) {
                    throw new ModelFetchException("Too many redirects (more than " + options.maxRedirects() + ") for " + url,
                            url.toString(), status, null);
                }
                URI next;
                try {
                    next = current.resolve(location.get());
                } catch (IllegalArgumentException e) {
                    throw new ModelFetchException("Invalid redirect Location '" + location.get() + "' from " + stripQuery(current),
                            url.toString(), status, e);
                }
                if ("https".equalsIgnoreCase(current.getScheme()) && !"https".equalsIgnoreCase(next.getScheme())) {
                    throw new ModelFetchException("Refusing to follow a redirect from https to " + next.getScheme() + " ("
                            + stripQuery(next) + ")", url.toString(), status, null);
                }
                current = next;
                continue;
            }
            return response;
        }
    }

    private static Optional<Long> contentRangeTotal(HttpResponse<?> response) {
        String cr = response.headers().firstValue("content-range").orElse("");
        Matcher m = CONTENT_RANGE_UNSATISFIED.matcher(cr);
        if (m.matches()) {
            return Optional.of(Long.parseLong(m.group(1)));
        }
        m = CONTENT_RANGE.matcher(cr);
        if (m.matches() && !m.group(3).equals("*")) {
            return Optional.of(Long.parseLong(m.group(3)));
        }
        return Optional.empty();
    }

    private static Duration retryAfter(HttpResponse<?> response) {
        Optional<String> v = response.headers().firstValue("retry-after");
        if (v.isPresent()) {
            try {
                long seconds = Long.parseLong(v.get().trim());
                if (seconds >= 0) {
                    return Duration.ofSeconds(seconds);
                }
            } catch (NumberFormatException ignored) {
                // an HTTP date: fall back to the computed backoff
            }
        }
        return null;
    }

    /** The hub explains errors in X-Error-Code / X-Error-Message headers. */
    private static String errorDetail(HttpResponse<?> response) {
        String code = response.headers().firstValue("x-error-code").orElse(null);
        String message = response.headers().firstValue("x-error-message").orElse(null);
        if (code == null && message == null) {
            return "";
        }
        return " [" + (code != null ? code : "") + (code != null && message != null ? ": " : "")
                + (message != null ? message : "") + "]";
    }

    private static String reason(int status) {
        switch (status) {
            case 401: return "Unauthorized";
            case 403: return "Forbidden";
            case 404: return "Not Found";
            case 408: return "Request Timeout";
            case 416: return "Range Not Satisfiable";
            case 425: return "Too Early";
            case 429: return "Too Many Requests";
            case 500: return "Internal Server Error";
            case 502: return "Bad Gateway";
            case 503: return "Service Unavailable";
            case 504: return "Gateway Timeout";
            default: return "";
        }
    }

    /** CDN redirect targets carry signed query strings; keep them out of messages. */
    static String stripQuery(URI u) {
        String s = u.toString();
        int q = s.indexOf('?');
        return q < 0 ? s : s.substring(0, q) + "?...";
    }

    private static String describe(Throwable e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m != null ? ": " + m : "");
    }

    private static long sizeOrZero(Path p) {
        try {
            return Files.exists(p) ? Files.size(p) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    private static void delete(Path p) throws ModelFetchException {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new ModelFetchException("Cannot delete " + p + ": " + e.getMessage(), e);
        }
    }

    private static void closeQuietly(InputStream in) {
        if (in == null) {
            return;
        }
        try {
            in.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }
}
