package dev.edgeslim.detector.cfg;

import dev.edgeslim.detector.io.BadInputException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Typed access to one section's options. Every option read is marked; {@link #finish} then rejects options
 * nobody read unless they are in the section's list of recognised training-only options, which are returned
 * so a cfg round-trips. Errors carry the file and line of the offending option.
 */
final class OptionReader {
    private final String file;
    private final CfgSection section;
    private final Map<String, String> unread;

    OptionReader(String file, CfgSection section) {
        this.file = file;
        this.section = section;
        this.unread = new LinkedHashMap<>(section.values());
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
        String v = string(key, null);
        List<Integer> out = new ArrayList<>();
        if (v == null || v.isEmpty()) {
            return out;
        }
        for (String part : v.split(",")) {
            if (part.isEmpty()) {
                continue;
            }
            try {
                out.add(Integer.parseInt(part));
            } catch (NumberFormatException e) {
                throw error(key, "'" + key + "' must be a list of integers, got '" + CfgParser.abbreviate(v) + "'");
            }
            if (out.size() > 100_000) {
                throw error(key, "'" + key + "' has too many values");
            }
        }
        return out;
    }

    List<Double> numbers(String key) {
        String v = string(key, null);
        List<Double> out = new ArrayList<>();
        if (v == null || v.isEmpty()) {
            return out;
        }
        for (String part : v.split(",")) {
            if (part.isEmpty()) {
                continue;
            }
            try {
                double d = Double.parseDouble(part);
                if (!Double.isFinite(d)) {
                    throw new NumberFormatException();
                }
                out.add(d);
            } catch (NumberFormatException e) {
                throw error(key, "'" + key + "' must be a list of numbers, got '" + CfgParser.abbreviate(v) + "'");
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

    /** Rejects unknown options; returns the recognised-but-unmodelled ones (in file order) for round trips. */
    Map<String, String> finish(Set<String> ignoredButKnown) {
        Map<String, String> extras = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : unread.entrySet()) {
            if (ignoredButKnown.contains(e.getKey())) {
                extras.put(e.getKey(), e.getValue());
            } else {
                throw error(e.getKey(), "unknown option '" + CfgParser.abbreviate(e.getKey()) + "' in ["
                        + CfgParser.abbreviate(section.name()) + "]");
            }
        }
        return extras;
    }
}
