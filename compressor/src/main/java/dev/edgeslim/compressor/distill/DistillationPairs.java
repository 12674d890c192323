package dev.edgeslim.compressor.distill;

import dev.edgeslim.compressor.blocks.BlockAlignment;
import dev.edgeslim.detector.io.BadInputException;
import dev.edgeslim.detector.io.SmallTextFile;
import dev.edgeslim.detector.model.Layer;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.model.Shape;
import dev.edgeslim.detector.model.UpsampleLayer;
import dev.edgeslim.detector.model.YoloLayer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Chooses and checks the layers where the student's spatial attention is matched to the teacher's. Pruning keeps
 * layer positions, so a pair is the same index in both networks. Automatic choice: the last layer of each
 * backbone stride stage (the layer before the stride first changes, up to the first upsample) and the input of
 * each head convolution (the neck's output that a [yolo] head reads).
 */
public final class DistillationPairs {
    static final long MAX_FILE_BYTES = 1 << 20;

    private DistillationPairs() {
    }

    /**
     * Reads a layer file: one pair per line, {@code LAYER[:WEIGHT]} or {@code LAYER WEIGHT}, {@code #} starts a
     * comment, blank lines are skipped. Errors name the file and line.
     */
    public static List<LayerPair> read(Path file, double weight) {
        String text = SmallTextFile.read(file, MAX_FILE_BYTES, "a distillation layer file");
        List<LayerPair> pairs = new ArrayList<>();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            int hash = line.indexOf('#');
            String content = (hash >= 0 ? line.substring(0, hash) : line).trim();
            if (content.isEmpty()) {
                continue;
            }
            if (content.contains(",")) {
                throw new BadInputException(file.toString(), i + 1, "one layer per line, got '"
                        + (content.length() > 60 ? content.substring(0, 57) + "..." : content) + "'");
            }
            String[] words = content.split("\\s+");
            String pair = words.length == 2 && !content.contains(":") ? words[0] + ":" + words[1] : content;
            try {
                pairs.add(pair(pair, weight));
            } catch (IllegalArgumentException e) {
                throw new BadInputException(file.toString(), i + 1, e.getMessage());
            }
        }
        if (pairs.isEmpty()) {
            throw new BadInputException(file, "no distillation layers given");
        }
        return pairs;
    }

    public static List<LayerPair> automatic(NetworkSpec spec, double weight) {
        Set<Integer> layers = new LinkedHashSet<>();
        int firstUpsample = spec.size();
        for (int i = 0; i < spec.size(); i++) {
            if (spec.layer(i) instanceof UpsampleLayer) {
                firstUpsample = i;
                break;
            }
        }
        for (int i = 0; i + 1 < firstUpsample; i++) {
            if (spec.strideOf(i + 1) != spec.strideOf(i) && spec.strideOf(i) >= 4) {
                layers.add(i);
            }
        }
        for (int y : spec.yoloLayers()) {
            int headConv = spec.inputsOf(y).get(0);
            int neck = spec.inputsOf(headConv).get(0);
            if (neck >= 0) {
                layers.add(neck);
            }
        }
        List<LayerPair> pairs = new ArrayList<>();
        for (int l : layers) {
            pairs.add(new LayerPair(l, l, weight));
        }
        return pairs;
    }

    /**
     * Parses "12,34:0.5,57" (index, optional weight; default {@code weight}) against the student; a pair's
     * teacher layer is the same index.
     */
    public static List<LayerPair> parse(String text, double weight, String source) {
        List<LayerPair> pairs = new ArrayList<>();
        for (String part : text.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            try {
                pairs.add(pair(p, weight));
            } catch (IllegalArgumentException e) {
                throw new BadInputException(source, e.getMessage());
            }
        }
        if (pairs.isEmpty()) {
            throw new BadInputException(source, "no distillation layers given");
        }
        return pairs;
    }

    /** One {@code LAYER[:WEIGHT]}; the exception's message says what is wrong (the callers add where). */
    private static LayerPair pair(String text, double weight) {
        String[] kv = text.split(":", -1); // -1: "12:" and ":" keep their empty parts and are refused
        try {
            if (kv.length > 2) {
                throw new NumberFormatException();
            }
            int layer = Integer.parseInt(kv[0].trim());
            double w = kv.length > 1 ? Double.parseDouble(kv[1].trim()) : weight;
            return new LayerPair(layer, layer, w);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected LAYER[:WEIGHT], got '"
                    + (text.length() > 60 ? text.substring(0, 57) + "..." : text) + "'");
        }
    }

    /**
     * Where each teacher layer is in the student: the identity when they have the same topology (channel pruning
     * keeps layer positions), else the alignment of a student whose pruning also removed residual blocks
     * ({@link BlockAlignment}); -1 for a layer of a removed block. Errors name {@code source}.
     */
    public static int[] teacherToStudent(NetworkSpec student, NetworkSpec teacher, String source) {
        if (student.size() == teacher.size()) {
            checkTopology(student, teacher, source);
            int[] identity = new int[teacher.size()];
            java.util.Arrays.setAll(identity, i -> i);
            return identity;
        }
        try {
            return BlockAlignment.map(teacher, student);
        } catch (IllegalArgumentException e) {
            throw new BadInputException(source, "teacher and student differ in topology: " + teacher.size() + " vs "
                    + student.size() + " layers, and " + e.getMessage());
        }
    }

    /** {@code pairs} given on the teacher's layers, moved onto the student's ({@code toStudent}); errors name source. */
    public static List<LayerPair> onStudent(List<LayerPair> pairs, int[] toStudent, String source) {
        List<LayerPair> out = new ArrayList<>();
        for (LayerPair p : pairs) {
            int s = p.teacherLayer() >= 0 && p.teacherLayer() < toStudent.length ? toStudent[p.teacherLayer()] : -1;
            if (s < 0) {
                throw new BadInputException(source, "distillation layer " + p.teacherLayer()
                        + " is in a residual block that pruning removed");
            }
            out.add(new LayerPair(s, p.teacherLayer(), p.weight()));
        }
        return out;
    }

    /** Teacher and student must be the same topology (layer types and sizes) and every pair must exist. */
    public static void check(NetworkSpec student, NetworkSpec teacher, List<LayerPair> pairs, String source) {
        checkTopology(student, teacher, source);
        checkPairs(student, pairs, source);
    }

    /** Same layers, inputs and map sizes (channels may differ: pruning removes them); errors name {@code source}. */
    public static void checkTopology(NetworkSpec student, NetworkSpec teacher, String source) {
        if (student.size() != teacher.size()) {
            throw new BadInputException(source, "teacher and student differ in topology: " + teacher.size()
                    + " vs " + student.size() + " layers");
        }
        for (int i = 0; i < student.size(); i++) {
            Layer s = student.layer(i);
            Layer t = teacher.layer(i);
            Shape ss = student.shapeOf(i);
            Shape ts = teacher.shapeOf(i);
            if (!s.section().equals(t.section()) || ss.height() != ts.height() || ss.width() != ts.width()
                    || !s.inputs(i).equals(t.inputs(i))) {
                throw new BadInputException(source, "teacher and student differ in topology at layer " + i + ": "
                        + t.section() + " " + ts + " vs " + s.section() + " " + ss);
            }
            if (s instanceof YoloLayer ys && t instanceof YoloLayer yt && ys.classes() != yt.classes()) {
                throw new BadInputException(source, "teacher and student predict different classes at layer " + i);
            }
        }
    }

    /** Every pair names an existing, non-[yolo] layer; errors name {@code source} (the file or flag giving them). */
    public static void checkPairs(NetworkSpec student, List<LayerPair> pairs, String source) {
        for (LayerPair p : pairs) {
            if (p.studentLayer() < 0 || p.studentLayer() >= student.size()) {
                throw new BadInputException(source, "distillation layer " + p.studentLayer()
                        + " does not exist (the model has layers 0.." + (student.size() - 1) + ")");
            }
            if (student.layer(p.studentLayer()) instanceof YoloLayer) {
                throw new BadInputException(source, "distillation layer " + p.studentLayer() + " is a [yolo] layer");
            }
        }
    }
}
