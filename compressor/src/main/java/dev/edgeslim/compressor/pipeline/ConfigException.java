package dev.edgeslim.compressor.pipeline;

/** A stage configuration value out of its range, or two settings that exclude each other. */
public final class ConfigException extends IllegalArgumentException {
    public ConfigException(String message) {
        super(message);
    }

    static void require(boolean ok, String message) {
        if (!ok) {
            throw new ConfigException(message);
        }
    }

    static void within(String name, double value, double min, double max) {
        require(value >= min && value <= max, name + " must be within [" + min + ", " + max + "], got " + value);
    }
}
