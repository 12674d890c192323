package dev.edgeslim.detector.cfg;

import dev.edgeslim.detector.io.BadInputException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Typed access to one section's options. Every option read is marked; {@link #finish} then rejects options
 * nobody read unless they are in the section's list of recognised training-only options, which are returned
 * so a cfg round-trips. Errors carry the file and line of the offending option.
 */
final class OptionReader {
    private final String file;
    private final CfgSection section;
    private final Map<String, String> unread;
    private final Map<String, Integer> keptInFile;

    /** {@code keptInFile} collects, for the whole file, each training-only option and the line it first appears on. */
    OptionReader(String file, CfgSection section, Map<String, Integer> keptInFile) {
        this.file = file;
        this.section = section;
        this.unread = new LinkedHashMap<>(section.values());
        this.keptInFile = keptInFile;
    }

    boolean has(String key) {
        return section.values().containsKey(key);
    }

    String string(String key, String fallback) {
        unread.remove(key);
        String v = section.values().get(key);
        return v == null ? fallback : v;
    }

    int integer(String key, int fallback) {
        String v = string(key, null);
        if (v == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw error(key, "'" + key + "' must be an integer, got '" + CfgParser.abbreviate(v) + "'");
        }
    }

    int requiredInteger(String key) {
        if (!has(key)) {
            throw new BadInputException(file, section.line(), "[" + section.name() + "] needs '" + key + "'");
        }
        return integer(key, 0);
    }

    double number(String key, double fallback) {
        String v = string(key, null);
        if (v == null) {
            return fallback;
        }
        try {
            double d = Double.parseDouble(v);
            if (!Double.isFinite(d)) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException e) {
            throw error(key, "'" + key + "' must be a number, got '" + CfgParser.abbreviate(v) + "'");
        }
    }

    List<Integer> integers(String key) {
        return list(key, "integers", Integer::parseInt);
    }

    List<Double> numbers(String key) {
        return list(key, "numbers", part -> {
            double d = Double.parseDouble(part);
            if (!Double.isFinite(d)) {
                throw new NumberFormatException();
            }
            return d;
        });
    }

    /** A comma-separated list (empty parts skipped); a part {@code parse} refuses is an error naming the option. */
    private <T> List<T> list(String key, String what, java.util.function.Function<String, T> parse) {
        String v = string(key, null);
        List<T> out = new ArrayList<>();
        if (v == null || v.isEmpty()) {
            return out;
        }
        for (String part : v.split(",")) {
            if (part.isEmpty()) {
                continue;
            }
            try {
                out.add(parse.apply(part));
            } catch (NumberFormatException e) {
                throw error(key, "'" + key + "' must be a list of " + what + ", got '" + CfgParser.abbreviate(v)
                        + "'");
            }
            if (out.size() > 100_000) {
                throw error(key, "'" + key + "' has too many values");
            }
        }
        return out;
    }

    BadInputException error(String key, String message) {
        Integer line = section.lines().get(key);
        return new BadInputException(file, line == null ? section.line() : line, message);
    }

    /**
     * Rejects options nobody read unless {@link TrainingOnlyOptions} lists them; returns those (in file order)
     * for round trips.
     */
    Map<String, String> finish() {
        Map<String, String> extras = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : unread.entrySet()) {
            if (TrainingOnlyOptions.contains(section.name(), e.getKey())) {
                extras.put(e.getKey(), e.getValue());
                keptInFile.putIfAbsent(e.getKey(), section.lines().get(e.getKey()));
            } else {
                throw error(e.getKey(), "unknown option '" + CfgParser.abbreviate(e.getKey()) + "' in ["
                        + CfgParser.abbreviate(section.name()) + "]");
            }
        }
        return extras;
    }

    /**
     * For sections whose layer keeps no extra options ([route], [shortcut], [maxpool], [upsample]): every unread
     * option is an error, training-only ones included, because writing the cfg back would drop them.
     */
    void finishWithoutExtras() {
        for (String key : unread.keySet()) {
            if (TrainingOnlyOptions.contains(section.name(), key)) {
                throw error(key, "option '" + CfgParser.abbreviate(key) + "' is kept only in [net], [convolutional]"
                        + " and [yolo]; remove it from [" + CfgParser.abbreviate(section.name()) + "]");
            }
            throw error(key, "unknown option '" + CfgParser.abbreviate(key) + "' in ["
                    + CfgParser.abbreviate(section.name()) + "]");
        }
    }
}
