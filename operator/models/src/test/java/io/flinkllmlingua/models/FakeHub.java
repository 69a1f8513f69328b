package io.flinkllmlingua.models;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A loopback HTTP server standing in for the hub: serves byte arrays at paths, honours {@code Range: bytes=N-}
 * (206 / 416), and can misbehave per path (drop the connection mid-body, ignore ranges, stall, answer 503,
 * redirect elsewhere). Records every request.
 */
final class FakeHub implements AutoCloseable {
    /** A request as the server saw it. */
    static final class Request {
        final String path;
        final String range;
        final String authorization;

        Request(String path, String range, String authorization) {
            this.path = path;
            this.range = range;
            this.authorization = authorization;
        }

        @Override
        public String toString() {
            return path + (range != null ? " Range:" + range : "") + (authorization != null ? " (auth)" : "");
        }
    }

    /** How a path is served. */
    enum Mode {
        /** Honour ranges. */
        NORMAL,
        /** On the first request send all headers but only half the body, then drop the connection; then NORMAL. */
        DROP_HALF_ONCE,
        /** Always answer 200 with the whole body, whatever the Range header says. */
        IGNORE_RANGE,
        /** On the first request send half the body, then stall for a second; then NORMAL. */
        STALL_HALF_ONCE,
        /** Always 503. */
        ALWAYS_503
    }

    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-");

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fake-hub");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, byte[]> contents = new ConcurrentHashMap<>();
    private final Map<String, Mode> modes = new ConcurrentHashMap<>();
    private final Map<String, String> redirects = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
    private final List<Request> requests = new ArrayList<>();

    FakeHub() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Base URL, usable as the hub endpoint. */
    URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    static String resolvePath(String repo, String revision, String file) {
        return "/" + repo + "/resolve/" + revision + "/" + file;
    }

    FakeHub serve(String path, byte[] content) {
        contents.put(path, content);
        return this;
    }

    FakeHub mode(String path, Mode mode) {
        modes.put(path, mode);
        return this;
    }

    /** Answers {@code path} with a 302 to {@code location}. */
    FakeHub redirect(String path, String location) {
        redirects.put(path, location);
        return this;
    }

    synchronized List<Request> requests() {
        return new ArrayList<>(requests);
    }

    synchronized List<Request> requests(String path) {
        List<Request> out = new ArrayList<>();
        for (Request r : requests) {
            if (r.path.equals(path)) {
                out.add(r);
            }
        }
        return out;
    }

    private void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getRawPath();
        String range = ex.getRequestHeaders().getFirst("Range");
        synchronized (this) {
            requests.add(new Request(path, range, ex.getRequestHeaders().getFirst("Authorization")));
        }
        int hit = hits.computeIfAbsent(path, k -> new AtomicInteger()).incrementAndGet();
        boolean dropped = false;
        try {
            String location = redirects.get(path);
            if (location != null) {
                ex.getResponseHeaders().set("Location", location);
                ex.sendResponseHeaders(302, -1);
                return;
            }
            Mode mode = modes.getOrDefault(path, Mode.NORMAL);
            if (mode == Mode.ALWAYS_503) {
                ex.sendResponseHeaders(503, -1);
                return;
            }
            byte[] content = contents.get(path);
            if (content == null) {
                ex.getResponseHeaders().set("X-Error-Code", "EntryNotFound");
                ex.sendResponseHeaders(404, -1);
                return;
            }
            long start = 0;
            if (range != null && mode != Mode.IGNORE_RANGE) {
                Matcher m = RANGE.matcher(range);
                if (m.matches()) {
                    start = Long.parseLong(m.group(1));
                }
            }
            if (start >= content.length && start > 0) {
                ex.getResponseHeaders().set("Content-Range", "bytes */" + content.length);
                ex.sendResponseHeaders(416, -1);
                return;
            }
            int from = (int) start;
            int length = content.length - from;
            if (start > 0) {
                ex.getResponseHeaders().set("Content-Range", "bytes " + from + "-" + (content.length - 1) + "/" + content.length);
                ex.sendResponseHeaders(206, length);
            } else {
                ex.sendResponseHeaders(200, length == 0 ? -1 : length);
            }
            OutputStream out = ex.getResponseBody();
            if (hit == 1 && (mode == Mode.DROP_HALF_ONCE || mode == Mode.STALL_HALF_ONCE)) {
                out.write(content, from, length / 2);
                out.flush();
                try {
                    // Stall for a second, or give the client a moment to read what was sent before the drop.
                    Thread.sleep(mode == Mode.STALL_HALF_ONCE ? 1000 : 50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                // An exception out of the handler (without closing the exchange) makes the server close the
                // connection mid-body; closing the exchange first would leave the client waiting instead.
                dropped = true;
                throw new IllegalStateException("fake hub drops the connection");
            }
            out.write(content, from, length);
        } finally {
            if (!dropped) {
                ex.close();
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
