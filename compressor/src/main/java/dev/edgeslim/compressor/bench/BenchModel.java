package dev.edgeslim.compressor.bench;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One model of a benchmark: a name for the table, its darknet files, the formats to run it in, and optionally the
 * uncompressed model it was compressed from (by name; its kept channels are measured against that one).
 *
 * @param reference name of the model this one was compressed from, or null to find it by topology
 * @param origin    where the model came from, for reports: "--model" or the compress run folder
 */
public record BenchModel(String name, Path cfg, Path weights, List<BenchFormat> formats, String reference,
                         String origin) {
    /** Names end up in file names (exported models, plots), so they stay plain. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]{0,63}");

    public BenchModel {
        Objects.requireNonNull(cfg);
        Objects.requireNonNull(weights);
        if (!validName(name)) {
            throw new IllegalArgumentException("model name '" + name + "' must be 1-64 letters, digits or . _ + -"
                    + " starting with a letter or digit");
        }
        formats = List.copyOf(formats);
        if (formats.isEmpty()) {
            throw new IllegalArgumentException("model " + name + " has no format to run");
        }
    }

    public static boolean validName(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    public BenchModel withFormats(List<BenchFormat> f) {
        return new BenchModel(name, cfg, weights, f, reference, origin);
    }
}
