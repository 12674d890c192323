package dev.edgeslim.detector.data;

import dev.edgeslim.detector.image.ImageLoader;
import dev.edgeslim.detector.io.BadInputException;
import org.bytedeco.opencv.opencv_core.Mat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A PASCAL VOC dataset: the samples of one split spec over one or more year folders of a VOCdevkit.
 *
 * <p>Layout: {@code root} is a VOCdevkit (containing {@code VOC2007/}, {@code VOC2012/}, ...), or a single year
 * folder itself (containing {@code Annotations/}, {@code ImageSets/}, {@code JPEGImages/}), or a folder holding a
 * {@code VOCdevkit/}. The split spec is {@code +}-separated parts, each {@code year:split} (e.g.
 * {@code 2007:trainval+2012:trainval}) or a bare {@code split} meaning that split of every year folder that has it
 * (e.g. {@code test}); null or blank means {@code trainval}. A part lists image ids from
 * {@code ImageSets/Main/<split>.txt} (first whitespace-separated token per line).
 *
 * <p>All annotations are parsed when the dataset is opened (a few seconds for the 16k of VOC07+12), images are decoded
 * lazily by {@link #load}. The image of an annotation is {@code JPEGImages/<filename>} (its {@code <filename>}
 * element) if that exists, else {@code JPEGImages/<id>.jpg}. Ids, file names and symlinks are checked to stay
 * inside the dataset root (see {@link SafePaths}).
 *
 * <p>Bad samples: by default the first one fails {@link #open} with a {@link BadInputException} naming the file.
 * With {@link Options#skipBad()} it is skipped and listed in {@link #badSamples()}; an image that turns out broken
 * only when decoded is listed too, and {@link #load} returns the next loadable sample in its place so a long run
 * is not killed by one bad file.
 *
 * <p>Difficult objects are kept in the samples (evaluation needs them to ignore matches); whether training uses them
 * is the consumer's choice (this project's {@link BatchLoader} trains on them as normal boxes, like darknet).
 */
public final class VocDataset implements ImageSource {
    /** Immutable and thread-safe; default limits. */
    private static final ImageLoader IMAGES = new ImageLoader();

    /** How strictly to read: the class list, and whether bad samples are skipped (and counted) or fatal. */
    public record Options(VocClasses classes, boolean skipBad) {
        public static Options defaults() {
            return new Options(VocClasses.VOC, false);
        }

        public Options withSkipBad(boolean skip) {
            return new Options(classes, skip);
        }

        public Options withClasses(VocClasses c) {
            return new Options(c, skipBad);
        }
    }

    private final Path root;
    private final String splitSpec;
    private final Options options;
    private final List<VocSample> samples;
    private final List<BadSample> bad = new ArrayList<>();
    private final BitSet badAtLoad = new BitSet();
    private int zeroAreaSkipped;
    private int boxesClipped;
    private int sizesCorrected;

    private VocDataset(Path root, String splitSpec, Options options, List<VocSample> samples, List<BadSample> bad) {
        this.root = root;
        this.splitSpec = splitSpec;
        this.options = options;
        this.samples = List.copyOf(samples);
        this.bad.addAll(bad);
    }

    /** Opens {@code splitSpec} of the dataset at {@code root}, VOC classes, failing on the first bad sample. */
    public static VocDataset open(Path root, String splitSpec) {
        return open(root, splitSpec, Options.defaults());
    }

    public static VocDataset open(Path root, String splitSpec, Options options) {
        String spec = splitSpec == null || splitSpec.isBlank() ? "trainval" : splitSpec.strip();
        Path realRoot = realDirectory(root);
        List<YearFolder> years = yearFolders(root, realRoot);
        List<Part> parts = parseSpec(spec, years, root);
        List<VocSample> samples = new ArrayList<>();
        List<BadSample> bad = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        VocAnnotationParser parser = new VocAnnotationParser(options.classes());
        Fixes fixes = new Fixes();
        for (Part part : parts) {
            List<Listed> ids = readIds(part, realRoot, options.skipBad(), bad);
            for (Listed listed : ids) {
                String key = part.year.name + "/" + listed.id;
                if (!seen.add(key)) {
                    continue;
                }
                try {
                    samples.add(readSample(parser, part.year, listed, realRoot, fixes));
                } catch (BadInputException e) {
                    if (!options.skipBad()) {
                        throw e;
                    }
                    bad.add(toBad(e));
                }
            }
        }
        if (samples.isEmpty()) {
            throw new BadInputException(root, "split '" + spec + "' has no usable samples"
                    + (bad.isEmpty() ? "" : " (" + bad.size() + " bad, first: " + bad.get(0) + ")"));
        }
        VocDataset dataset = new VocDataset(root, spec, options, samples, bad);
        dataset.zeroAreaSkipped = fixes.zeroArea;
        dataset.boxesClipped = fixes.clipped;
        dataset.sizesCorrected = fixes.sizesCorrected;
        return dataset;
    }

    /**
     * The class names the annotations of {@code splitSpec} use, sorted (unreadable annotations are passed over):
     * what a user is shown when the dataset's classes are not the ones in use.
     */
    public static java.util.SortedSet<String> classNamesUsed(Path root, String splitSpec) {
        String spec = splitSpec == null || splitSpec.isBlank() ? "trainval" : splitSpec.strip();
        Path realRoot = realDirectory(root);
        VocAnnotationParser parser = new VocAnnotationParser(VocClasses.VOC);
        java.util.SortedSet<String> names = new java.util.TreeSet<>();
        for (Part part : parseSpec(spec, yearFolders(root, realRoot), root)) {
            for (Listed listed : readIds(part, realRoot, true, new ArrayList<>())) {
                Path annotation = part.year.dir.resolve("Annotations").resolve(listed.id + ".xml");
                try {
                    names.addAll(parser.objectNames(SafePaths.requireInside(realRoot, annotation, annotation,
                            "annotation")));
                } catch (BadInputException e) {
                    // a broken file is reported when the dataset is opened; here only the names matter
                }
            }
        }
        return names;
    }

    /**
     * Whether some year folder of the dataset at {@code root} lists split {@code split} (a bare split name, e.g.
     * {@code test}); false when {@code root} is not a readable VOC dataset at all.
     */
    public static boolean hasSplit(Path root, String split) {
        try {
            for (YearFolder y : yearFolders(root, realDirectory(root))) {
                if (Files.exists(y.dir.resolve("ImageSets").resolve("Main").resolve(split + ".txt"))) {
                    return true;
                }
            }
            return false;
        } catch (BadInputException e) {
            return false;
        }
    }

    private record YearFolder(String name, Path dir) {
    }

    private record Part(YearFolder year, String split) {
    }

    private record Listed(String id, Path listFile, int line) {
    }

    private static Path realDirectory(Path root) {
        try {
            Path real = root.toRealPath();
            if (!Files.isDirectory(real)) {
                throw new BadInputException(root, "dataset root is not a folder");
            }
            return real;
        } catch (NoSuchFileException e) {
            throw new BadInputException(root, "dataset folder does not exist");
        } catch (IOException e) {
            throw new BadInputException(root, "cannot open dataset folder: " + e.getMessage());
        }
    }

    private static boolean isYearFolder(Path dir) {
        return Files.isDirectory(dir.resolve("Annotations")) && Files.isDirectory(dir.resolve("ImageSets"));
    }

    private static List<YearFolder> yearFolders(Path root, Path realRoot) {
        if (isYearFolder(realRoot)) {
            return List.of(new YearFolder(realRoot.getFileName() == null ? "" : realRoot.getFileName().toString(),
                    realRoot));
        }
        Path base = realRoot;
        if (Files.isDirectory(realRoot.resolve("VOCdevkit"))) {
            base = realRoot.resolve("VOCdevkit");
        }
        List<YearFolder> years = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(base, "VOC*")) {
            for (Path d : dirs) {
                if (isYearFolder(d)) {
                    years.add(new YearFolder(d.getFileName().toString(), d));
                }
            }
        } catch (IOException e) {
            throw new BadInputException(root, "cannot list dataset folder: " + e.getMessage());
        }
        if (years.isEmpty()) {
            throw new BadInputException(root, "not a VOC dataset: no VOC<year>/ folder with Annotations/ and "
                    + "ImageSets/, and the folder itself has neither");
        }
        years.sort((a, b) -> a.name.compareTo(b.name));
        return years;
    }

    private static List<Part> parseSpec(String spec, List<YearFolder> years, Path root) {
        List<Part> parts = new ArrayList<>();
        for (String token : spec.split("\\+", -1)) {
            String t = token.strip();
            String source = "split spec '" + SafePaths.printable(spec) + "'";
            if (t.isEmpty()) {
                throw new BadInputException(source, "empty part (expected year:split or split joined by '+')");
            }
            int colon = t.indexOf(':');
            String split = colon < 0 ? t : t.substring(colon + 1).strip();
            String problem = SafePaths.problemWithName(split);
            if (problem != null) {
                throw new BadInputException(source, "split name " + problem);
            }
            if (colon < 0) {
                List<Part> found = new ArrayList<>();
                for (YearFolder y : years) {
                    if (Files.exists(y.dir.resolve("ImageSets").resolve("Main").resolve(split + ".txt"))) {
                        found.add(new Part(y, split));
                    }
                }
                if (found.isEmpty()) {
                    throw new BadInputException(root, "no year folder has ImageSets/Main/" + split + ".txt (have: "
                            + names(years) + ")");
                }
                parts.addAll(found);
            } else {
                String year = t.substring(0, colon).strip();
                String folder = year.toUpperCase(Locale.ROOT).startsWith("VOC") ? year : "VOC" + year;
                YearFolder match = null;
                for (YearFolder y : years) {
                    if (y.name.equalsIgnoreCase(folder) || (years.size() == 1 && y.name.endsWith(year))) {
                        match = y;
                    }
                }
                if (match == null) {
                    throw new BadInputException(root, "no year folder " + folder + " (have: " + names(years) + ")");
                }
                parts.add(new Part(match, split));
            }
        }
        return parts;
    }

    private static String names(List<YearFolder> years) {
        List<String> n = new ArrayList<>();
        years.forEach(y -> n.add(y.name));
        return String.join(", ", n);
    }

    private static List<Listed> readIds(Part part, Path realRoot, boolean skipBad, List<BadSample> bad) {
        Path list = part.year.dir.resolve("ImageSets").resolve("Main").resolve(part.split + ".txt");
        Path realList = SafePaths.requireInside(realRoot, list, list, "image list");
        String text;
        try {
            long size = Files.size(realList);
            if (size > DataLimits.MAX_LIST_BYTES) {
                throw new BadInputException(list, "image list is " + size + " bytes, over the "
                        + DataLimits.MAX_LIST_BYTES + "-byte limit (edgeslim.limit.maxListBytes)");
            }
            text = new String(Files.readAllBytes(realList), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new BadInputException(list, "cannot read image list: " + e.getMessage());
        }
        List<Listed> ids = new ArrayList<>();
        int lineNumber = 0;
        for (String line : (Iterable<String>) text.lines()::iterator) {
            lineNumber++;
            String s = line.strip();
            if (s.isEmpty()) {
                continue;
            }
            String id = s.split("\\s+", 2)[0];
            String problem = SafePaths.problemWithName(id);
            if (problem != null) {
                BadInputException e = new BadInputException(list, lineNumber, "image id " + problem);
                if (!skipBad) {
                    throw e;
                }
                bad.add(toBad(e));
                continue;
            }
            ids.add(new Listed(id, list, lineNumber));
        }
        return ids;
    }

    /** What was corrected while reading: annotations' sizes, boxes clipped at the border, zero-area boxes skipped. */
    private static final class Fixes {
        int sizesCorrected;
        int clipped;
        int zeroArea;
    }

    /** Image file extensions tried after the id, in this order (Roboflow and CVAT export PNG too). */
    private static final List<String> IMAGE_EXTENSIONS = List.of(".jpg", ".jpeg", ".png", ".JPG", ".JPEG", ".PNG");

    /**
     * {@code o} inside a {@code width} x {@code height} image: {@code o} itself when it fits, a copy clipped to the
     * border when it reaches over it, null when nothing of it is left (xmax &le; xmin or ymax &le; ymin: a click
     * without a drag in a labelling tool, which darknet's conversion makes a box of zero size).
     */
    static VocObject fit(VocObject o, int width, int height) {
        double x1 = o.x1() < 0 ? 1 : Math.min(o.x1(), width);
        double y1 = o.y1() < 0 ? 1 : Math.min(o.y1(), height);
        double x2 = Math.min(o.x2(), width);
        double y2 = Math.min(o.y2(), height);
        if (!(x2 > x1) || !(y2 > y1)) {
            return null;
        }
        if (x1 == o.x1() && y1 == o.y1() && x2 == o.x2() && y2 == o.y2()) {
            return o;
        }
        return new VocObject(o.classId(), o.className(), x1, y1, x2, y2, o.difficult(), o.truncated());
    }

    private static VocSample readSample(VocAnnotationParser parser, YearFolder year, Listed listed, Path realRoot,
                                        Fixes fixes) {
        Path annotation = year.dir.resolve("Annotations").resolve(listed.id + ".xml");
        if (!Files.exists(annotation, LinkOption.NOFOLLOW_LINKS)) {
            throw new BadInputException(listed.listFile, listed.line, "no annotation Annotations/" + listed.id
                    + ".xml for image id '" + listed.id + "'");
        }
        Path realAnnotation = SafePaths.requireInside(realRoot, annotation, annotation, "annotation");
        VocAnnotationParser.Parsed parsed = parser.parse(realAnnotation);
        Path images = year.dir.resolve("JPEGImages");
        Path image = null;
        List<String> tried = new ArrayList<>();
        // the devkit finds an image by its ImageSets id; the <filename> a labelling tool wrote is only a fallback
        List<String> candidates = new ArrayList<>();
        for (String ext : IMAGE_EXTENSIONS) {
            candidates.add(listed.id + ext);
        }
        if (parsed.filename() != null) {
            candidates.add(parsed.filename());
        }
        for (String name : candidates) {
            Path candidate = images.resolve(name);
            tried.add("JPEGImages/" + name);
            if (Files.exists(candidate, LinkOption.NOFOLLOW_LINKS)) {
                image = candidate;
                break;
            }
        }
        if (image == null) {
            throw new BadInputException(annotation, "image file missing: none of "
                    + String.join(", ", new LinkedHashSet<>(tried)) + " exists");
        }
        Path realImage = SafePaths.requireInside(realRoot, image, annotation, "image");
        // the image's header is the truth about its size: <size> may be missing or wrong in exported annotations
        ImageLoader.ImageSize actual = IMAGES.probe(realImage);
        if (actual.width() != parsed.width() || actual.height() != parsed.height()) {
            fixes.sizesCorrected++;
        }
        List<VocObject> objects = new ArrayList<>(parsed.objects().size());
        for (VocObject o : parsed.objects()) {
            VocObject fitted = fit(o, actual.width(), actual.height());
            if (fitted == null) {
                fixes.zeroArea++;
            } else {
                fixes.clipped += fitted == o ? 0 : 1;
                objects.add(fitted);
            }
        }
        VocAnnotation a = new VocAnnotation(listed.id, realImage, actual.width(), actual.height(), parsed.depth(),
                objects);
        return new VocSample(year.name, annotation, a);
    }

    /** A dataset of samples read elsewhere (e.g. {@link DarknetDataset}); {@code zeroArea} boxes were skipped. */
    static VocDataset of(Path root, String splitSpec, Options options, List<VocSample> samples, List<BadSample> bad,
                         int zeroArea) {
        VocDataset d = new VocDataset(root, splitSpec, options, samples, bad);
        d.zeroAreaSkipped = zeroArea;
        return d;
    }

    static BadSample toBad(BadInputException e) {
        String m = e.getMessage();
        String prefix = e.source() + ":";
        String reason = m.startsWith(prefix) ? m.substring(prefix.length()).strip() : m;
        return new BadSample(e.source(), reason);
    }

    /**
     * At most {@code maxImages} samples of this split, evenly spaced over it (deterministic, and not just the first
     * images, which in a devkit list are often similar); this dataset itself when it has no more than that.
     */
    public VocDataset subset(int maxImages) {
        if (maxImages < 1) {
            throw new IllegalArgumentException("maxImages must be positive, got " + maxImages);
        }
        if (maxImages >= samples.size()) {
            return this;
        }
        List<VocSample> chosen = new ArrayList<>(maxImages);
        for (int i = 0; i < maxImages; i++) {
            chosen.add(samples.get((int) ((long) i * samples.size() / maxImages)));
        }
        VocDataset sub = new VocDataset(root, splitSpec, options, chosen, badSamples());
        sub.zeroAreaSkipped = zeroAreaSkipped;
        sub.boxesClipped = boxesClipped;
        sub.sizesCorrected = sizesCorrected;
        return sub;
    }

    public Path root() {
        return root;
    }

    public String splitSpec() {
        return splitSpec;
    }

    public Options options() {
        return options;
    }

    public VocClasses classes() {
        return options.classes();
    }

    @Override
    public int size() {
        return samples.size();
    }

    public VocSample sample(int index) {
        return samples.get(index);
    }

    public List<VocSample> samples() {
        return samples;
    }

    /** Samples skipped so far: at open, and images found broken by {@link #load} (with {@code skipBad}). */
    public synchronized List<BadSample> badSamples() {
        return Collections.unmodifiableList(new ArrayList<>(bad));
    }

    /** Boxes of zero width or height in the annotations, skipped. */
    public int zeroAreaSkipped() {
        return zeroAreaSkipped;
    }

    /** Boxes reaching over the image border, clipped to it. */
    public int boxesClipped() {
        return boxesClipped;
    }

    /** Annotations whose {@code <size>} was missing or disagreed with the image, which was believed. */
    public int sizesCorrected() {
        return sizesCorrected;
    }

    public int objectCount() {
        int n = 0;
        for (VocSample s : samples) {
            n += s.objects().size();
        }
        return n;
    }

    /** One line: "VOC2007 trainval: 5011 images, 12608 objects, 1 bad sample skipped". */
    public String summary() {
        int skipped = badSamples().size();
        return root + " [" + splitSpec + "]: " + size() + " images, " + objectCount() + " objects"
                + (zeroAreaSkipped == 0 ? "" : ", " + zeroAreaSkipped + " zero-area box"
                + (zeroAreaSkipped == 1 ? "" : "es") + " skipped")
                + (boxesClipped == 0 ? "" : ", " + boxesClipped + " box" + (boxesClipped == 1 ? "" : "es")
                + " clipped at the border")
                + (sizesCorrected == 0 ? "" : ", " + sizesCorrected + " annotation size"
                + (sizesCorrected == 1 ? "" : "s") + " taken from the image")
                + (skipped == 0 ? "" : ", " + skipped + " bad sample" + (skipped == 1 ? "" : "s") + " skipped");
    }

    /**
     * Decodes the image of sample {@code index} (8-bit BGR; the caller closes it) and checks that its size is the
     * one its annotation declares. Throws {@link BadInputException} for a broken image, regardless of skipBad.
     */
    public Mat readImage(int index) {
        VocSample s = samples.get(index);
        Mat image = IMAGES.loadBgr(s.imagePath());
        VocAnnotation a = s.annotation();
        if (image.cols() != a.width() || image.rows() != a.height()) {
            String got = image.cols() + "x" + image.rows();
            image.close();
            throw new BadInputException(s.imagePath(), "image is " + got + " but its annotation "
                    + s.annotationFile().getFileName() + " declares " + a.width() + "x" + a.height());
        }
        return image;
    }

    /**
     * Loads sample {@code index} with its boxes. With {@code skipBad}, a sample whose image cannot be loaded is
     * recorded in {@link #badSamples()} and the next loadable sample (in index order, wrapping) is returned instead;
     * the result is the same whatever the thread timing, since which images are broken does not change.
     */
    @Override
    public LabeledImage load(int index) {
        if (!options.skipBad()) {
            return loadExactly(index);
        }
        for (int k = 0; k < samples.size(); k++) {
            int i = (index + k) % samples.size();
            synchronized (this) {
                if (badAtLoad.get(i)) {
                    continue;
                }
            }
            try {
                return loadExactly(i);
            } catch (BadInputException e) {
                synchronized (this) {
                    if (!badAtLoad.get(i)) {
                        badAtLoad.set(i);
                        bad.add(toBad(e));
                    }
                }
            }
        }
        throw new BadInputException(root, "no image of split '" + splitSpec + "' can be loaded ("
                + badSamples().size() + " bad samples)");
    }

    private LabeledImage loadExactly(int index) {
        VocSample s = samples.get(index);
        Mat image = readImage(index);
        List<PixelBox> boxes = new ArrayList<>(s.objects().size());
        for (VocObject o : s.objects()) {
            boxes.add(PixelBox.of(o));
        }
        return new LabeledImage(index, s.key(), image, boxes);
    }
}
