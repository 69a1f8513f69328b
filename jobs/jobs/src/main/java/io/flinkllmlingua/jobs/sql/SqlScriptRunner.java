package io.flinkllmlingua.jobs.sql;

import org.apache.flink.api.common.JobExecutionResult;
import io.flinkllmlingua.flink.LlmLinguaOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.ResultKind;
import org.apache.flink.table.api.StatementSet;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Executes a {@link SqlScript} with a streaming {@link StreamTableEnvironment}: on the cluster of {@code flink run}
 * (the context environment), on a test MiniCluster, or else on a local MiniCluster in this JVM. {@code SET} and
 * {@code RESET} change the table configuration; {@code BEGIN STATEMENT SET; ... END;} and
 * {@code EXECUTE STATEMENT SET BEGIN ...; END;} run their INSERTs as one job; other statements go to
 * {@code executeSql}. With {@code wait}, each job is awaited before the next statement (a bounded job ends, an
 * unbounded one runs until cancelled); results of queries and SHOW/DESCRIBE statements are printed.
 *
 * <p>Job parameters (what the SQL function {@code LLMLINGUA_COMPRESS} reads its {@code llmlingua.*} options from):
 * the {@code llmlingua.*} keys of the cluster configuration (e.g. a FlinkDeployment's {@code flinkConfiguration}) come
 * first, and the script's own {@code SET 'pipeline.global-job-parameters' = '...'} is merged over them (the script
 * wins); unknown {@code llmlingua.*} keys are refused with the nearest valid key, before any job starts.
 */
public final class SqlScriptRunner {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SqlScriptRunner.class);
    private static final Pattern SET = Pattern.compile("(?is)SET\\s+'((?:[^']|'')*)'\\s*=\\s*'((?:[^']|'')*)'\\s*");
    private static final Pattern RESET = Pattern.compile("(?is)RESET\\s+'((?:[^']|'')*)'\\s*");

    /** A job that a statement started. */
    public record Job(int statement, int line, String summary, JobClient client, JobExecutionResult result) {}

    private final PrintStream out;
    private final boolean wait;
    private final boolean verbose;
    private java.time.Duration kafkaCheckTimeout = io.flinkllmlingua.jobs.cli.KafkaPreflight.DEFAULT_TIMEOUT;
    private StreamTableEnvironment tEnv;
    /** Kafka tables of the session, as "table (topic @ servers)", for the start-up line. */
    private final java.util.Set<String> kafkaTables = new java.util.LinkedHashSet<>();
    /** Kafka tables already checked (bootstrap servers + topic). */
    private final java.util.Set<String> checkedTopics = new java.util.HashSet<>();

    public SqlScriptRunner(PrintStream out, boolean wait, boolean verbose) {
        this.out = out;
        this.wait = wait;
        this.verbose = verbose;
    }

    /**
     * How long the check before a job-starting statement waits for each Kafka table's broker to answer and describe
     * its topic; returns this.
     */
    public SqlScriptRunner kafkaCheckTimeout(java.time.Duration timeout) {
        this.kafkaCheckTimeout = timeout;
        return this;
    }

    /** A streaming table environment on the context (cluster or test) environment, else a local one on 127.0.0.1. */
    public static StreamTableEnvironment tableEnvironment(Configuration conf) {
        Configuration c = new Configuration(conf);
        // Only used when no cluster is given: the local MiniCluster's REST endpoint stays on the loopback interface.
        if (!io.flinkllmlingua.jobs.cli.EntryPoint.inCluster()) {
            io.flinkllmlingua.jobs.cli.LocalFlink.loopback(c);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(c);
        return StreamTableEnvironment.create(env, EnvironmentSettings.newInstance().inStreamingMode().build());
    }

    /** Runs every statement of {@code script}; the first failure stops the script (exception with its position). */
    public List<Job> run(SqlScript script, StreamTableEnvironment tEnv) throws Exception {
        this.tEnv = tEnv;
        // The cluster's llmlingua.* options: the table config sees the environment's (cluster) configuration.
        Map<String, String> cluster = LlmLinguaOptions.ofPrefix(tEnv.getConfig().toMap());
        LlmLinguaOptions.checkKeys(cluster.keySet(), "cluster configuration");
        Map<String, String> base = new LinkedHashMap<>(cluster);
        base.putAll(jobParameters(tEnv));
        setJobParameters(tEnv, base, cluster);
        List<Job> jobs = new ArrayList<>();
        List<SqlScript.Statement> statements = script.statements();
        for (int i = 0; i < statements.size(); i++) {
            SqlScript.Statement s = statements.get(i);
            String upper = s.upperPrefix(40);
            try {
                if (upper.startsWith("BEGIN STATEMENT SET") || upper.startsWith("EXECUTE STATEMENT SET BEGIN")) {
                    StatementSet set = tEnv.createStatementSet();
                    String first = upper.startsWith("EXECUTE")
                            ? s.sql().strip().replaceFirst("(?is)^EXECUTE\\s+STATEMENT\\s+SET\\s+BEGIN", "").strip() : "";
                    if (!first.isEmpty()) {
                        set.addInsertSql(first);
                    }
                    int j = i + 1;
                    for (; j < statements.size() && !statements.get(j).upperPrefix(4).equals("END"); j++) {
                        set.addInsertSql(statements.get(j).sql());
                    }
                    if (j == statements.size()) {
                        throw new IllegalArgumentException("statement set without END");
                    }
                    checkKafkaTables(tEnv);
                    log(i, s, "statement set of " + (j - i - (first.isEmpty() ? 1 : 0)) + " INSERT statements");
                    jobs.add(awaitJob(i, s, set.execute()));
                    i = j;
                    continue;
                }
                Matcher set = SET.matcher(s.sql().strip());
                if (set.matches()) {
                    tEnv.getConfig().set(unquote(set.group(1)), unquote(set.group(2)));
                    if (PipelineOptions.GLOBAL_JOB_PARAMETERS.key().equals(unquote(set.group(1)))) {
                        setJobParameters(tEnv, jobParameters(tEnv), cluster);
                    }
                    log(i, s, "OK");
                    continue;
                }
                Matcher reset = RESET.matcher(s.sql().strip());
                if (reset.matches()) {
                    tEnv.getConfig().getConfiguration().removeKey(unquote(reset.group(1)));
                    log(i, s, "OK");
                    continue;
                }
                if (upper.startsWith("INSERT") || upper.startsWith("EXECUTE") || upper.startsWith("SELECT")
                        || upper.startsWith("WITH")) {
                    checkKafkaTables(tEnv);
                }
                TableResult r = tEnv.executeSql(s.sql());
                Optional<JobClient> client = r.getJobClient();
                boolean insert = upper.startsWith("INSERT") || upper.startsWith("EXECUTE");
                if (client.isPresent() && insert) {
                    jobs.add(awaitJob(i, s, r));
                } else if (r.getResultKind() == ResultKind.SUCCESS_WITH_CONTENT) {
                    r.print();
                } else {
                    log(i, s, "OK");
                }
            } catch (Exception e) {
                throw new SqlStatementException(i + 1, s, e);
            }
        }
        return jobs;
    }

    /**
     * Before a statement that starts a job: every Kafka table of the session (temporary ones included) not checked yet
     * must have a reachable broker and an existing topic ({@link io.flinkllmlingua.jobs.cli.KafkaPreflight}), so that
     * a missing topic or an unreachable broker is one line instead of a job that hangs in the producer.
     */
    private void checkKafkaTables(StreamTableEnvironment tEnv) {
        org.apache.flink.table.catalog.CatalogManager catalogs =
                ((org.apache.flink.table.api.internal.TableEnvironmentInternal) tEnv).getCatalogManager();
        for (String name : tEnv.listTables()) {
            org.apache.flink.table.catalog.ObjectIdentifier id = org.apache.flink.table.catalog.ObjectIdentifier.of(
                    tEnv.getCurrentCatalog(), tEnv.getCurrentDatabase(), name);
            Optional<org.apache.flink.table.catalog.ContextResolvedTable> table = catalogs.getTable(id);
            if (table.isEmpty() || !(table.get().getResolvedTable()
                    instanceof org.apache.flink.table.catalog.CatalogTable catalogTable)) {
                continue;
            }
            Map<String, String> options = catalogTable.getOptions();
            String connector = options.getOrDefault("connector", "");
            String servers = options.get("properties.bootstrap.servers");
            String topics = options.get("topic");
            if (!(connector.equals("kafka") || connector.equals("upsert-kafka")) || servers == null || topics == null) {
                continue;
            }
            java.util.Properties client = new java.util.Properties();
            options.forEach((k, v) -> {
                if (k.startsWith("properties.") && !k.equals("properties.bootstrap.servers")) {
                    client.setProperty(k.substring("properties.".length()), v);
                }
            });
            kafkaTables.add(name + " (" + topics + " @ " + servers + ")");
            List<String> unchecked = new ArrayList<>();
            for (String topic : topics.split(";")) {
                if (!topic.isBlank() && checkedTopics.add(servers + "/" + topic.strip())) {
                    unchecked.add(topic.strip());
                }
            }
            if (!unchecked.isEmpty()) {
                io.flinkllmlingua.jobs.cli.KafkaPreflight.check(servers, client, unchecked, kafkaCheckTimeout,
                        io.flinkllmlingua.jobs.cli.KafkaPreflight.TopicCreation.NONE,
                        "table " + name + "; create the topic first");
            }
        }
    }

    private static Map<String, String> jobParameters(StreamTableEnvironment tEnv) {
        return tEnv.getConfig().getOptional(PipelineOptions.GLOBAL_JOB_PARAMETERS).orElse(Map.of());
    }

    /** {@code own} over {@code cluster}'s llmlingua.* options as the job parameters; unknown llmlingua.* keys refused. */
    private static void setJobParameters(StreamTableEnvironment tEnv, Map<String, String> own, Map<String, String> cluster) {
        LlmLinguaOptions.checkKeys(own.keySet(), LlmLinguaOptions.Surface.SQL_FUNCTION,
                "'" + PipelineOptions.GLOBAL_JOB_PARAMETERS.key() + "'");
        Map<String, String> merged = new LinkedHashMap<>(cluster);
        merged.putAll(own);
        if (!merged.isEmpty()) {
            tEnv.getConfig().set(PipelineOptions.GLOBAL_JOB_PARAMETERS, merged);
        }
    }

    private Job awaitJob(int index, SqlScript.Statement s, TableResult r) throws Exception {
        JobClient client = r.getJobClient().orElseThrow();
        out.printf(Locale.ROOT, "[%d] line %d: %s%n    job %s submitted%n    %s%n", index + 1, s.line(), s.summary(),
                client.getJobID(), startupLine());
        out.flush();
        if (!wait) {
            return new Job(index + 1, s.line(), s.summary(), client, null);
        }
        long t0 = System.nanoTime();
        JobExecutionResult result = client.getJobExecutionResult().get();
        out.printf(Locale.ROOT, "    job %s finished in %.1f s%n", client.getJobID(), (System.nanoTime() - t0) / 1e9);
        out.flush();
        return new Job(index + 1, s.line(), s.summary(), client, result);
    }

    /** Model, provider, Kafka tables, parallelism and checkpointing of the job a statement submits. */
    private String startupLine() {
        Map<String, String> params = jobParameters(tEnv);
        Map<String, String> conf = tEnv.getConfig().getConfiguration().toMap();
        String model = params.getOrDefault(LlmLinguaOptions.MODEL_PATH.key(), "(set by the script's model or function)");
        String line = "model " + params.getOrDefault(LlmLinguaOptions.MODEL_ID.key(), "-") + " (" + model + ")"
                + ", provider " + params.getOrDefault(LlmLinguaOptions.PROVIDER.key(), "default")
                + ", Kafka tables " + (kafkaTables.isEmpty() ? "none" : String.join(", ", kafkaTables))
                + ", parallelism " + conf.getOrDefault("parallelism.default", "default")
                + ", checkpoints " + conf.getOrDefault("execution.checkpointing.interval", "off");
        LOG.info("sql: starting: {}", line);
        return line;
    }

    private void log(int index, SqlScript.Statement s, String what) {
        if (verbose) {
            out.printf(Locale.ROOT, "[%d] line %d: %s%n    %s%n", index + 1, s.line(), s.summary(), what);
            out.flush();
        }
    }

    private static String unquote(String s) {
        return s.replace("''", "'");
    }

    /** A statement that failed, with its number and line. */
    public static final class SqlStatementException extends Exception {
        private static final long serialVersionUID = 1L;

        SqlStatementException(int number, SqlScript.Statement s, Throwable cause) {
            super("statement " + number + " (line " + s.line() + ", " + s.summary() + ") failed: "
                    + rootMessage(cause), cause);
        }

        private static String rootMessage(Throwable t) {
            String m = t.getMessage();
            Throwable c = t.getCause();
            while (c != null && c != t) {
                if (c.getMessage() != null && !c.getMessage().isBlank() && (m == null || !m.contains(c.getMessage()))) {
                    m = (m == null ? "" : m + ": ") + c.getMessage();
                }
                t = c;
                c = c.getCause();
            }
            return m == null ? t.getClass().getSimpleName() : m;
        }
    }
}
