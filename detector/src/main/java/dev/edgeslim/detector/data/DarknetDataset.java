package dev.edgeslim.detector.data;

import dev.edgeslim.detector.image.ImageLoader;
import dev.edgeslim.detector.io.BadInputException;
import dev.edgeslim.detector.io.SmallTextFile;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A darknet-format dataset ({@link DarknetDataFile}: a {@code .data} file, image list files, one label file per
 * image, see {@link DarknetLabels}) opened as a {@link VocDataset}, so that training, evaluation and export treat
 * both formats alike. A list names one image a line (blank lines skipped). An image's size is read from its header.
 * Its id is its file name without the extension (the path below the base folder when two names collide).
 */
public final class DarknetDataset {
    private static final ImageLoader IMAGES = new ImageLoader();

    private DarknetDataset() {
    }

    /** Opens split {@code split} (train or valid, see {@link DarknetDataFile#list}) with {@code options}' classes. */
    public static VocDataset open(DarknetDataFile data, String split, VocDataset.Options options) {
        Path list = data.list(split);
        String text = SmallTextFile.read(list, DataLimits.MAX_LIST_BYTES, "an image list");
        List<VocSample> samples = new ArrayList<>();
        List<BadSample> bad = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        int zeroArea = 0;
        int lineNumber = 0;
        for (String raw : text.split("\r?\n", -1)) {
            lineNumber++;
            String line = raw.strip();
            if (line.isEmpty()) {
                continue;
            }
            try {
                Path image = data.resolve(list, lineNumber, line, "image");
                Path labels = DarknetLabels.labelPath(data.base().resolve(line).normalize());
                if (labels == null) {
                    throw new BadInputException(list, lineNumber, "image " + line + " has none of the image "
                            + "extensions darknet knows (.jpg .jpeg .png .bmp .ppm .tif .tiff)");
                }
                ImageLoader.ImageSize size = IMAGES.probe(image);
                DarknetLabels.Parsed parsed = Files.exists(labels)
                        ? DarknetLabels.read(data.resolve(list, lineNumber, labels.toString(), "label file"),
                        options.classes(), size.width(), size.height())
                        : new DarknetLabels.Parsed(List.of(), 0);
                zeroArea += parsed.zeroArea();
                String id = id(data.base(), image, ids);
                samples.add(new VocSample("", Files.exists(labels) ? labels : image,
                        new VocAnnotation(id, image, size.width(), size.height(), 3, parsed.objects())));
            } catch (BadInputException e) {
                if (!options.skipBad()) {
                    throw e;
                }
                bad.add(VocDataset.toBad(e));
            }
        }
        if (samples.isEmpty()) {
            throw new BadInputException(list, "no usable image" + (bad.isEmpty() ? "" : " (" + bad.size()
                    + " bad, first: " + bad.get(0) + ")"));
        }
        return VocDataset.of(data.file(), split, options, samples, bad, zeroArea);
    }

    private static String id(Path base, Path image, Set<String> taken) {
        String name = image.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String id = dot > 0 ? name.substring(0, dot) : name;
        if (!taken.add(id)) {
            String rel = (image.startsWith(base) ? base.relativize(image) : image).toString();
            int d = rel.lastIndexOf('.');
            id = (d > 0 ? rel.substring(0, d) : rel).replaceAll("[^A-Za-z0-9._-]", "_");
            taken.add(id);
        }
        return id;
    }
}
