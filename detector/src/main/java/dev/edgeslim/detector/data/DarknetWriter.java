package dev.edgeslim.detector.data;

import dev.edgeslim.detector.io.AtomicFiles;
import dev.edgeslim.detector.io.BadInputException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a dataset's labels in darknet's format beside its images, the way darknet's own {@code voc_label.py} lays
 * out a VOCdevkit: a label file per image where darknet looks for it ({@link DarknetLabels#labelPath}, so
 * {@code VOC2007/JPEGImages/x.jpg} gets {@code VOC2007/labels/x.txt}), the list files {@code train.txt} and
 * {@code valid.txt} of image paths relative to {@code out}, the class names and {@code obj.data}. Images are not
 * copied: they stay where they are and must lie under {@code out}.
 *
 * <p>Unlike {@code voc_label.py}, difficult objects are written as ordinary boxes: darknet's format cannot mark them,
 * and training on a VOCdevkit uses them as ordinary boxes too, so both formats train alike.
 */
public final class DarknetWriter {
    public static final String DATA_FILE = "obj.data";
    public static final String NAMES_FILE = "obj.names";
    public static final String TRAIN_LIST = "train.txt";
    public static final String VALID_LIST = "valid.txt";

    /** The files written. */
    public record Written(Path dataFile, int labelFiles, int objects) {
    }

    private DarknetWriter() {
    }

    /**
     * Writes the labels of {@code train} and {@code valid} (may be null) and the files naming them into {@code out};
     * unless {@code replace}, refuses before writing anything when one of those files exists already.
     */
    public static Written write(Path out, VocDataset train, VocDataset valid, boolean replace) throws IOException {
        Path base = out.toRealPath();
        if (!replace) {
            List<Path> targets = new ArrayList<>(List.of(out.resolve(TRAIN_LIST), out.resolve(VALID_LIST),
                    out.resolve(NAMES_FILE), out.resolve(DATA_FILE)));
            for (VocDataset d : valid == null ? List.of(train) : List.of(train, valid)) {
                for (VocSample s : d.samples()) {
                    Path label = DarknetLabels.labelPath(s.imagePath().toRealPath());
                    if (label != null) {
                        targets.add(label);
                    }
                }
            }
            for (Path t : targets) {
                if (Files.exists(t)) {
                    throw new BadInputException(t, "exists already; give --force to replace it");
                }
            }
        }
        int[] counts = new int[2];
        AtomicFiles.writeString(out.resolve(TRAIN_LIST), labels(base, train, counts));
        if (valid != null) {
            AtomicFiles.writeString(out.resolve(VALID_LIST), labels(base, valid, counts));
        }
        train.classes().write(out.resolve(NAMES_FILE));
        String data = "classes = " + train.classes().size() + "\ntrain = " + TRAIN_LIST + "\n"
                + (valid == null ? "" : "valid = " + VALID_LIST + "\n") + "names = " + NAMES_FILE + "\n";
        AtomicFiles.writeString(out.resolve(DATA_FILE), data);
        return new Written(out.resolve(DATA_FILE), counts[0], counts[1]);
    }

    /** Writes every sample's label file; returns the list file's text. */
    private static String labels(Path base, VocDataset dataset, int[] counts) throws IOException {
        StringBuilder list = new StringBuilder();
        List<String> lines = new ArrayList<>();
        for (VocSample s : dataset.samples()) {
            Path image = s.imagePath().toRealPath();
            if (!image.startsWith(base)) {
                throw new BadInputException(image, "lies outside " + base + ", where the darknet files are written");
            }
            Path label = DarknetLabels.labelPath(image);
            if (label == null || label.equals(image)) {
                throw new BadInputException(image, "has no image extension darknet knows");
            }
            lines.clear();
            VocAnnotation a = s.annotation();
            for (VocObject o : s.objects()) {
                lines.add(DarknetLabels.line(o, a.width(), a.height()));
            }
            Files.createDirectories(label.getParent());
            AtomicFiles.writeString(label, lines.isEmpty() ? "" : String.join("\n", lines) + "\n");
            counts[0]++;
            counts[1] += lines.size();
            list.append(base.relativize(image)).append('\n');
        }
        return list.toString();
    }
}
