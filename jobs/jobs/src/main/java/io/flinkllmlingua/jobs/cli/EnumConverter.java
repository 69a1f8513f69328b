package io.flinkllmlingua.jobs.cli;

import picocli.CommandLine;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Converts option values to an enum, case-insensitively and with {@code -} for {@code _}
 * ({@code original-spans} is {@code ORIGINAL_SPANS}).
 */
public final class EnumConverter<E extends Enum<E>> implements CommandLine.ITypeConverter<E> {
    private final Class<E> type;

    public EnumConverter(Class<E> type) {
        this.type = type;
    }

    @Override
    public E convert(String value) {
        String key = value.trim().replace('-', '_').toUpperCase(Locale.ROOT);
        for (E e : type.getEnumConstants()) {
            if (e.name().equals(key)) {
                return e;
            }
        }
        throw new CommandLine.TypeConversionException("'" + value + "' is not one of " + choices(type));
    }

    /** The command-line spelling of a constant: lower case, {@code -} for {@code _}. */
    static String display(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    static String choices(Class<? extends Enum<?>> type) {
        return Arrays.stream(type.getEnumConstants()).map(EnumConverter::display).collect(Collectors.joining("|"));
    }
}
