package io.flinkllmlingua.flink.table.internal;

import java.util.Collections;
import java.util.Collection;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.catalog.Column;
import org.apache.flink.table.catalog.ResolvedSchema;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.types.logical.DecimalType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.LogicalTypeFamily;
import org.apache.flink.table.types.logical.LogicalTypeRoot;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The INPUT and OUTPUT of an llmlingua2 model, checked: input {@code (text STRING)} or {@code (text STRING,
 * rate <numeric>)} (the per-row rate); output any of {@code compressed_text STRING, original_tokens INT,
 * compressed_tokens INT, ratio DOUBLE, kept_fraction DOUBLE} (the
 * {@link io.flinkllmlingua.flink.CompressedChunk} fields of those names), by name, in any order (INT may be BIGINT, DOUBLE may be FLOAT).
 */
public final class ModelSchema implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The output columns a model may declare. */
    enum Output {
        COMPRESSED_TEXT("compressed_text", "STRING"),
        ORIGINAL_TOKENS("original_tokens", "INT"),
        COMPRESSED_TOKENS("compressed_tokens", "INT"),
        RATIO("ratio", "DOUBLE"),
        KEPT_FRACTION("kept_fraction", "DOUBLE");

        final String column;
        final String type;

        Output(String column, String type) {
            this.column = column;
            this.type = type;
        }

        boolean accepts(LogicalType t) {
            switch (this) {
                case COMPRESSED_TEXT:
                    return t.is(LogicalTypeFamily.CHARACTER_STRING);
                case ORIGINAL_TOKENS:
                case COMPRESSED_TOKENS:
                    return t.is(LogicalTypeRoot.INTEGER) || t.is(LogicalTypeRoot.BIGINT);
                default:
                    return t.is(LogicalTypeRoot.DOUBLE) || t.is(LogicalTypeRoot.FLOAT);
            }
        }

        static String supported() {
            List<String> s = new ArrayList<>();
            for (Output o : values()) {
                s.add(o.column + " " + o.type);
            }
            return String.join(", ", s);
        }
    }

    private final Output[] outputs;
    private final LogicalTypeRoot[] outputRoots;
    /** The root of the per-row rate column, null when the input has only the text. */
    private final LogicalTypeRoot rateRoot;
    private final int ratePrecision;
    private final int rateScale;

    private ModelSchema(Output[] outputs, LogicalTypeRoot[] outputRoots, LogicalTypeRoot rateRoot, int ratePrecision,
                        int rateScale) {
        this.outputs = outputs;
        this.outputRoots = outputRoots;
        this.rateRoot = rateRoot;
        this.ratePrecision = ratePrecision;
        this.rateScale = rateScale;
    }

    /** Checks the model's schemas; {@code name} prefixes the messages. */
    public static ModelSchema of(ResolvedSchema input, ResolvedSchema output, String name) {
        List<Column> in = input.getColumns();
        if (in.isEmpty() || in.size() > 2) {
            throw new ValidationException(name + ": INPUT must be (text STRING) or (text STRING, rate DOUBLE), got "
                    + describe(in));
        }
        LogicalType textType = in.get(0).getDataType().getLogicalType();
        if (!textType.is(LogicalTypeFamily.CHARACTER_STRING)) {
            throw new ValidationException(name + ": the first INPUT column ('" + in.get(0).getName()
                    + "', the text) must be a STRING, got " + textType.asSummaryString());
        }
        LogicalTypeRoot rateRoot = null;
        int precision = 0;
        int scale = 0;
        if (in.size() == 2) {
            LogicalType rateType = in.get(1).getDataType().getLogicalType();
            if (!rateType.is(LogicalTypeFamily.NUMERIC)) {
                throw new ValidationException(name + ": the second INPUT column ('" + in.get(1).getName()
                        + "', the per-row rate) must be numeric (DOUBLE), got " + rateType.asSummaryString());
            }
            rateRoot = rateType.getTypeRoot();
            if (rateType instanceof DecimalType) {
                precision = ((DecimalType) rateType).getPrecision();
                scale = ((DecimalType) rateType).getScale();
            }
        }
        List<Column> out = output.getColumns();
        if (out.isEmpty()) {
            throw new ValidationException(name + ": OUTPUT needs at least one of " + Output.supported());
        }
        Output[] outputs = new Output[out.size()];
        LogicalTypeRoot[] roots = new LogicalTypeRoot[out.size()];
        for (int i = 0; i < out.size(); i++) {
            Column c = out.get(i);
            Output o = find(c.getName());
            if (o == null) {
                throw new ValidationException(name + ": unsupported OUTPUT column '" + c.getName()
                        + "'. Supported output columns: " + Output.supported());
            }
            for (int j = 0; j < i; j++) {
                if (outputs[j] == o) {
                    throw new ValidationException(name + ": OUTPUT column '" + c.getName() + "' appears twice");
                }
            }
            LogicalType t = c.getDataType().getLogicalType();
            if (!o.accepts(t)) {
                throw new ValidationException(name + ": OUTPUT column '" + c.getName() + "' must be " + o.type
                        + ", got " + t.asSummaryString());
            }
            outputs[i] = o;
            roots[i] = t.getTypeRoot();
        }
        return new ModelSchema(outputs, roots, rateRoot, precision, scale);
    }

    private static Output find(String column) {
        for (Output o : Output.values()) {
            if (o.column.equals(column.toLowerCase(Locale.ROOT))) {
                return o;
            }
        }
        return null;
    }

    private static String describe(List<Column> columns) {
        List<String> s = new ArrayList<>();
        for (Column c : columns) {
            s.add(c.getName() + " " + c.getDataType().getLogicalType().asSummaryString());
        }
        return "(" + String.join(", ", s) + ")";
    }

    /** The text of an input row (null when null). */
    public String text(RowData row) {
        return row.isNullAt(0) ? null : row.getString(0).toString();
    }

    /** The per-row rate of an input row, null when the model has no rate column or the value is null. */
    public Double rate(RowData row) {
        if (rateRoot == null || row.isNullAt(1)) {
            return null;
        }
        switch (rateRoot) {
            case DOUBLE:
                return row.getDouble(1);
            case FLOAT:
                return (double) row.getFloat(1);
            case DECIMAL:
                DecimalData d = row.getDecimal(1, ratePrecision, rateScale);
                return d.toBigDecimal().doubleValue();
            case TINYINT:
                return (double) row.getByte(1);
            case SMALLINT:
                return (double) row.getShort(1);
            case INTEGER:
                return (double) row.getInt(1);
            case BIGINT:
                return (double) row.getLong(1);
            default:
                throw new IllegalStateException("unexpected rate type " + rateRoot);
        }
    }

    /** ML_PREDICT's rows for one input: none when the row is skipped, else one. */
    Collection<RowData> toRows(SqlOutcome o) {
        return o.kind() == SqlOutcome.Kind.SKIPPED ? Collections.emptyList() : List.of(toRow(o));
    }

    /** The output row of an outcome with a value, or a row of nulls. */
    public RowData toRow(SqlOutcome o) {
        GenericRowData row = new GenericRowData(outputs.length);
        if (!o.hasValue()) {
            return row;
        }
        for (int i = 0; i < outputs.length; i++) {
            boolean wide = outputRoots[i] == LogicalTypeRoot.BIGINT || outputRoots[i] == LogicalTypeRoot.DOUBLE;
            switch (outputs[i]) {
                case COMPRESSED_TEXT:
                    row.setField(i, o.compressedText() == null ? null : StringData.fromString(o.compressedText()));
                    break;
                case ORIGINAL_TOKENS:
                    row.setField(i, wide ? (Object) (long) o.originalTokens() : (Object) o.originalTokens());
                    break;
                case COMPRESSED_TOKENS:
                    row.setField(i, wide ? (Object) (long) o.compressedTokens() : (Object) o.compressedTokens());
                    break;
                case RATIO:
                    Double ratio = o.ratio();
                    row.setField(i, ratio == null ? null : wide ? (Object) ratio : (Object) (float) (double) ratio);
                    break;
                default:
                    row.setField(i, wide ? (Object) o.keptFraction() : (Object) (float) o.keptFraction());
                    break;
            }
        }
        return row;
    }
}
