package dev.edgeslim.detector.data;

import dev.edgeslim.detector.io.BadInputException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An ordered list of class names; a class id is its index. {@link #VOC} is the standard PASCAL VOC order used
 * by darknet's voc.names, so ids agree with darknet-trained VOC models.
 */
public final class VocClasses {
    public static final VocClasses VOC = new VocClasses(List.of("aeroplane", "bicycle", "bird", "boat", "bottle",
            "bus", "car", "cat", "chair", "cow", "diningtable", "dog", "horse", "motorbike", "person",
            "pottedplant", "sheep", "sofa", "train", "tvmonitor"));

    /** The file a model's class names travel in, beside its cfg and weights (training runs, pruned and pinned models). */
    public static final String FILE_NAME = "classes.names";

    private final List<String> names;
    private final Map<String, Integer> ids = new HashMap<>();

    private VocClasses(List<String> names) {
        this.names = List.copyOf(names);
        for (int i = 0; i < this.names.size(); i++) {
            ids.put(this.names.get(i), i);
        }
    }

    /** A class list from names; they must be non-blank and distinct. */
    public static VocClasses of(List<String> names) {
        if (names.isEmpty()) {
            throw new IllegalArgumentException("a class list needs at least one name");
        }
        List<String> seen = new ArrayList<>();
        for (String n : names) {
            if (n == null || n.isBlank() || !n.equals(n.strip())) {
                throw new IllegalArgumentException("invalid class name '" + n + "'");
            }
            if (seen.contains(n)) {
                throw new IllegalArgumentException("duplicate class name '" + n + "'");
            }
            seen.add(n);
        }
        return new VocClasses(names);
    }

    /**
     * Reads a names file (darknet's .names format): one class per line, surrounding whitespace trimmed, blank
     * lines ignored.
     */
    public static VocClasses load(Path file) {
        List<String> names = new ArrayList<>();
        Map<String, Integer> lineOf = new HashMap<>();
        for (NamesFile.Entry e : NamesFile.entries(file, DataLimits.MAX_LIST_BYTES)) {
            Integer previous = lineOf.putIfAbsent(e.name(), e.line());
            if (previous != null) {
                throw new BadInputException(file, e.line(), "class '" + e.name() + "' repeats line " + previous);
            }
            names.add(e.name());
        }
        return new VocClasses(names);
    }

    /** Writes this list as a darknet .names file (one name a line), atomically. */
    public void write(Path file) throws java.io.IOException {
        dev.edgeslim.detector.io.AtomicFiles.writeString(file, String.join("\n", names) + "\n");
    }

    /** Whether every name in {@code used} is a class of this list. */
    public boolean containsAll(java.util.Collection<String> used) {
        return ids.keySet().containsAll(used);
    }

    public int size() {
        return names.size();
    }

    public String name(int id) {
        return names.get(id);
    }

    /** The id of {@code name}, or -1 if it is not in the list. */
    public int indexOf(String name) {
        Integer id = ids.get(name);
        return id == null ? -1 : id;
    }

    public List<String> names() {
        return names;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VocClasses c && c.names.equals(names);
    }

    @Override
    public int hashCode() {
        return names.hashCode();
    }

    @Override
    public String toString() {
        return names.size() + " classes " + names;
    }
}
