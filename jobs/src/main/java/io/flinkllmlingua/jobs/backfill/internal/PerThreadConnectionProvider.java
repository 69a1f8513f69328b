package io.flinkllmlingua.jobs.backfill.internal;

import org.apache.flink.connector.jdbc.datasource.connections.JdbcConnectionProvider;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * One JDBC connection per thread, for the JDBC connector's source.
 *
 * <p>Why: {@code JdbcSource} (flink-connector-jdbc 4.0.0-2.0) hands the same provider to every split reader of a
 * subtask, and the default provider caches one connection. When a reader's fetcher thread goes idle after a split
 * and closes its reader, it closes that shared connection while the next fetcher thread runs the next split's
 * query on it ("An I/O error occurred while sending to the backend ... Socket closed", seen with 4 key-range splits
 * on 2 subtasks). Split readers live in one fetcher thread each, so a per-thread connection gives each its own.
 */
public final class PerThreadConnectionProvider implements JdbcConnectionProvider {
    private static final long serialVersionUID = 1L;

    private final String url;
    private final String user;
    private final String password;
    private transient ThreadLocal<Connection> connections;

    public PerThreadConnectionProvider(String url, String user, String password) {
        this.url = url;
        this.user = user;
        this.password = password;
    }

    private ThreadLocal<Connection> connections() {
        synchronized (this) {
            if (connections == null) {
                connections = new ThreadLocal<>();
            }
            return connections;
        }
    }

    @Override
    public Connection getConnection() {
        return connections().get();
    }

    @Override
    public Properties getProperties() {
        Properties p = new Properties();
        if (user != null) {
            p.setProperty("user", user);
        }
        if (password != null) {
            p.setProperty("password", password);
        }
        return p;
    }

    @Override
    public boolean isConnectionValid() throws SQLException {
        Connection c = getConnection();
        return c != null && c.isValid(5);
    }

    @Override
    public Connection getOrEstablishConnection() throws SQLException {
        Connection c = getConnection();
        if (c == null || c.isClosed()) {
            c = DriverManager.getConnection(url, getProperties());
            connections().set(c);
        }
        return c;
    }

    @Override
    public void closeConnection() {
        Connection c = getConnection();
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                // closing: nothing to do
            }
            connections().remove();
        }
    }

    @Override
    public Connection reestablishConnection() throws SQLException {
        closeConnection();
        return getOrEstablishConnection();
    }
}
