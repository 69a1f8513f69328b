package io.flinkllmlingua.jobs.cli;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The one place where a local Flink run (a plain {@code java} run of a job main, the embedded default, the local SQL
 * runner) is kept on the loopback interface: Flink's defaults bind the REST endpoint, the RPC services and the blob
 * server to every interface ({@code *}), which exposes an unauthenticated job-submission port on the host's network.
 */
public final class LocalFlink {
    /** The only address a local run listens on. */
    public static final String LOOPBACK = "127.0.0.1";

    private LocalFlink() {}

    /**
     * Sets the REST, JobManager and TaskManager addresses and bind hosts of {@code conf} to {@value #LOOPBACK}
     * where the user has not set them; returns {@code conf}.
     */
    public static Configuration loopback(Configuration conf) {
        setIfAbsent(conf, RestOptions.BIND_ADDRESS);
        setIfAbsent(conf, RestOptions.ADDRESS);
        setIfAbsent(conf, JobManagerOptions.BIND_HOST);
        setIfAbsent(conf, JobManagerOptions.ADDRESS);
        setIfAbsent(conf, TaskManagerOptions.BIND_HOST);
        setIfAbsent(conf, TaskManagerOptions.HOST);
        return conf;
    }

    /**
     * The environment of a job main: the context environment under {@code flink run} or a cluster (whose own
     * configuration decides the addresses), else a local one bound to the loopback interface.
     */
    public static StreamExecutionEnvironment environment() {
        if (EntryPoint.inCluster()) {
            return StreamExecutionEnvironment.getExecutionEnvironment();
        }
        return StreamExecutionEnvironment.getExecutionEnvironment(loopback(new Configuration()));
    }

    /** A local environment with {@code parallelism} and {@code conf}, bound to the loopback interface. */
    public static StreamExecutionEnvironment localEnvironment(int parallelism, Configuration conf) {
        return StreamExecutionEnvironment.createLocalEnvironment(parallelism, loopback(new Configuration(conf)));
    }

    private static void setIfAbsent(Configuration conf, org.apache.flink.configuration.ConfigOption<String> option) {
        if (!conf.contains(option)) {
            conf.set(option, LOOPBACK);
        }
    }
}
