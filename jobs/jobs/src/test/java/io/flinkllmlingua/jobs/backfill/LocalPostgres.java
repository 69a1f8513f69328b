package io.flinkllmlingua.jobs.backfill;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server for a test class: {@code initdb} into a temporary directory and {@code pg_ctl start} on
 * 127.0.0.1 and a free port, stopped and deleted afterwards. The Debian packages are used
 * ({@code /usr/lib/postgresql/<version>/bin}; {@code .ci/run} installs them). PostgreSQL refuses to run as root, so
 * when the tests run as root the server runs as the {@code postgres} user (created by the Debian package).
 */
public final class LocalPostgres implements BeforeAllCallback, AfterAllCallback {
    private Path dir;
    private Path bin;
    private int port;
    private boolean asPostgresUser;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        bin = findBin();
        asPostgresUser = "root".equals(System.getProperty("user.name"));
        dir = Files.createTempDirectory("backfill-pg");
        Path data = dir.resolve("data");
        if (asPostgresUser) {
            run(List.of("chown", "-R", "postgres", dir.toString()));
            run(List.of("chmod", "755", dir.toString()));
        }
        run(pg(List.of(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", "postgres", "-A", "trust",
                "-E", "UTF8", "--locale=C")));
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        run(pg(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-w", "-t", "60",
                "-l", dir.resolve("server.log").toString(),
                "-o", "-c listen_addresses=127.0.0.1 -p " + port + " -k " + dir + " -c fsync=off"
                        + " -c synchronous_commit=off -c full_page_writes=off",
                "start")));
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (dir == null) {
            return;
        }
        try {
            run(pg(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "immediate",
                    "-w", "stop")));
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    public String user() {
        return "postgres";
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), user(), null);
    }

    private List<String> pg(List<String> command) {
        if (!asPostgresUser) {
            return command;
        }
        List<String> c = new ArrayList<>(List.of("runuser", "-u", "postgres", "--"));
        c.addAll(command);
        return c;
    }

    private void run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            String log = dir != null && Files.exists(dir.resolve("server.log")) ? Files.readString(dir.resolve("server.log")) : "";
            throw new IOException("failed: " + command + "\n" + out + "\n" + log);
        }
    }

    private static Path findBin() throws IOException {
        Path root = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(root)) {
            throw new IOException("PostgreSQL is not installed (/usr/lib/postgresql missing): apt-get install postgresql");
        }
        try (Stream<Path> versions = Files.list(root)) {
            return versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("initdb")))
                    .max(Comparator.comparing(b -> Integer.parseInt(b.getParent().getFileName().toString().replaceAll("\\D", "0"))))
                    .orElseThrow(() -> new IOException("no initdb under /usr/lib/postgresql/*/bin"));
        }
    }
}
