package io.flinkllmlingua.models.internal;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** Builds {@code {endpoint}/{repo}/resolve/{revision}/{path}} URLs. */
public final class HubUrls {
    private HubUrls() {
    }

    public static URI resolve(URI endpoint, String repo, String revision, String path) {
        StringBuilder sb = new StringBuilder(endpoint.toString());
        while (sb.length() > 0 && sb.charAt(sb.length() - 1) == '/') {
            sb.setLength(sb.length() - 1);
        }
        for (String part : repo.split("/")) {
            sb.append('/').append(segment(part));
        }
        sb.append("/resolve/").append(segment(revision));
        for (String part : path.split("/")) {
            sb.append('/').append(segment(part));
        }
        return URI.create(sb.toString());
    }

    private static String segment(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** True when both URIs have the same scheme, host and port. */
    public static boolean sameOrigin(URI a, URI b) {
        return a.getScheme().equalsIgnoreCase(b.getScheme()) && a.getHost() != null
                && a.getHost().equalsIgnoreCase(b.getHost()) && port(a) == port(b);
    }

    private static int port(URI u) {
        if (u.getPort() >= 0) {
            return u.getPort();
        }
        return "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
    }
}
