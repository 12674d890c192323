package dev.edgeslim.detector.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgeslim.detector.image.ImageWriter;
import dev.edgeslim.detector.io.AtomicFiles;
import dev.edgeslim.detector.io.BadInputException;
import dev.edgeslim.detector.io.JsonErrors;
import org.bytedeco.opencv.opencv_core.Mat;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.regex.Pattern;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;

/**
 * Writes a synthetic PASCAL VOC dataset — the project's embedded default dataset, so every stage can run and be
 * tested without downloading VOC. The output is a real VOCdevkit that {@link VocDataset} (and any VOC tool) reads:
 * <pre>
 *   OUT/VOC2007/Annotations/000001.xml ...        one annotation per image
 *   OUT/VOC2007/JPEGImages/000001.jpg ...         JPEG quality 90
 *   OUT/VOC2007/ImageSets/Main/{train,val,trainval,test}.txt
 *   OUT/VOC2007/ImageSets/Main/&lt;class&gt;_&lt;split&gt;.txt   per-class lists: 1 present, 0 only difficult, -1 absent
 *   OUT/VOC2007/synth-voc.json                    what was generated (options, counts, complete flag)
 * </pre>
 * Images 1..trainImages form {@code trainval} (every fifth is {@code val}, the rest {@code train}); the following
 * testImages form {@code test}. Each image has 1-6 objects of the 20 VOC classes, each class with its own shape,
 * palette and texture (see {@link SyntheticAppearance}), scales 0.08-0.6 of the image side, occlusion, truncation at
 * the border and difficult flags (see {@link SyntheticScene}); image sizes vary 0.75-1.25x around {@code size},
 * independently in width and height.
 *
 * <p>Deterministic: image {@code i} is a function of (seed, i) only (its own SplittableRandom), so the same seed
 * gives byte-identical files whatever the thread count. Every file is written atomically.
 */
public final class SyntheticVoc {
    public static final String YEAR_FOLDER = "VOC2007";
    public static final String MANIFEST = "synth-voc.json";
    public static final int JPEG_QUALITY = 90;
    static final List<String> SPLITS = List.of("train", "val", "trainval", "test");
    private static final Pattern OWN_IMAGE = Pattern.compile("\\d{6,7}\\.(jpg|xml)");
    /** Bumped whenever the same options would render different files: recorded beside models trained on them. */
    public static final int FORMAT_VERSION = 1;
    private static final int WRITER_THREADS = 8;

    /** What to generate. {@code threads} only changes speed, never the output. */
    public record Options(int trainImages, int testImages, int size, long seed, int threads) {
        public Options {
            if (trainImages < 0 || testImages < 0 || trainImages + testImages < 1
                    || trainImages + testImages > 9_999_999) {
                throw new IllegalArgumentException("image counts must be >= 0, total 1..9999999");
            }
            if (size < 32 || size > 4096) {
                throw new IllegalArgumentException("size must be within 32..4096");
            }
            if (threads < 1) {
                throw new IllegalArgumentException("threads must be >= 1");
            }
        }

        public static Options defaults() {
            return new Options(2000, 500, 416, 1, Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors())));
        }

        public Options withCounts(int train, int test) {
            return new Options(train, test, size, seed, threads);
        }

        public Options withSize(int s) {
            return new Options(trainImages, testImages, s, seed, threads);
        }

        public Options withSeed(long s) {
            return new Options(trainImages, testImages, size, s, threads);
        }

        public Options withThreads(int t) {
            return new Options(trainImages, testImages, size, seed, t);
        }

        public int totalImages() {
            return trainImages + testImages;
        }
    }

    /** What was written. */
    public record Result(Path yearFolder, int images, int objects, int difficult, int truncated, double seconds) {
        public double imagesPerSecond() {
            return seconds > 0 ? images / seconds : Double.POSITIVE_INFINITY;
        }
    }

    private record ImageResult(String id, String split, List<VocObject> objects) {
    }

    private SyntheticVoc() {
    }

    /** The image id of generated image {@code index} (0-based): "000001", "000002", ... */
    public static String imageId(int index) {
        return String.format("%06d", index + 1);
    }

    /**
     * Generates the dataset under {@code out}. Refuses (BadInputException) a non-empty {@code out} unless
     * {@code force}; with {@code force} it deletes only files a previous synth-voc run created (and refuses if
     * {@code out/VOC2007} exists without a synth-voc manifest, as that could be real data).
     *
     * @param onImage called once per finished image (from worker threads), e.g. to step a progress bar
     */
    public static Result generate(Path out, Options options, boolean force, Runnable onImage) throws IOException {
        long start = System.nanoTime();
        prepare(out, force);
        Path year = out.resolve(YEAR_FOLDER);
        Files.createDirectories(year.resolve("Annotations"));
        Files.createDirectories(year.resolve("JPEGImages"));
        Files.createDirectories(year.resolve("ImageSets").resolve("Main"));
        AtomicFiles.writeString(year.resolve(MANIFEST), manifest(options, false, null));

        int total = options.totalImages();
        ImageResult[] results = new ImageResult[total];
        // Rendering is CPU work (options.threads); writing is mostly waiting for fsync, which overlaps well
        // across threads (the file system commits concurrent syncs together), so it gets its own small pool.
        ExecutorService render = Executors.newFixedThreadPool(options.threads(), daemon("synth-voc-render"));
        ExecutorService write = Executors.newFixedThreadPool(WRITER_THREADS, daemon("synth-voc-write"));
        Semaphore inFlight = new Semaphore(4 * WRITER_THREADS);
        try {
            List<Future<Future<ImageResult>>> futures = new ArrayList<>(total);
            for (int i = 0; i < total; i++) {
                int index = i;
                futures.add(render.submit(() -> {
                    RenderedImage image = renderImage(options, index);
                    inFlight.acquire();
                    return write.submit(() -> {
                        try {
                            AtomicFiles.writeBytes(year.resolve("JPEGImages").resolve(image.id + ".jpg"), image.jpeg);
                            AtomicFiles.writeString(year.resolve("Annotations").resolve(image.id + ".xml"),
                                    image.xml);
                        } finally {
                            inFlight.release();
                        }
                        if (onImage != null) {
                            onImage.run();
                        }
                        return image.result;
                    });
                }));
            }
            for (int i = 0; i < total; i++) {
                results[i] = futures.get(i).get().get();
            }
            List<Future<?>> lists = writeImageSets(year, results, write);
            for (Future<?> f : lists) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while generating", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof IOException io) {
                throw io;
            }
            if (c instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException("generating an image failed: " + c, c);
        } finally {
            render.shutdownNow();
            write.shutdownNow();
        }
        int objects = 0;
        int difficult = 0;
        int truncated = 0;
        for (ImageResult r : results) {
            for (VocObject o : r.objects) {
                objects++;
                difficult += o.difficult() ? 1 : 0;
                truncated += o.truncated() ? 1 : 0;
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Result result = new Result(year, total, objects, difficult, truncated, seconds);
        AtomicFiles.writeString(year.resolve(MANIFEST), manifest(options, true, result));
        return result;
    }

    /**
     * The embedded default dataset: returns {@code out} after making sure it holds a complete synth-voc output for
     * exactly these options (same counts, size and seed), generating it if {@code out} is absent or empty.
     */
    public static Path ensure(Path out, Options options) throws IOException {
        Path manifest = out.resolve(YEAR_FOLDER).resolve(MANIFEST);
        if (Files.isRegularFile(manifest)) {
            JsonNode m;
            try {
                m = new ObjectMapper().readTree(manifest.toFile());
            } catch (IOException e) {
                throw new BadInputException(manifest, "unreadable synth-voc manifest: " + JsonErrors.describe(e));
            }
            if (m != null && m.path("complete").asBoolean(false) && m.path("seed").asLong() == options.seed()
                    && m.path("trainImages").asInt() == options.trainImages()
                    && m.path("testImages").asInt() == options.testImages()
                    && m.path("size").asInt() == options.size()
                    && m.path("formatVersion").asInt() == FORMAT_VERSION) {
                return out;
            }
            throw new BadInputException(out, "holds a different or incomplete synth-voc dataset; regenerate it "
                    + "with `edgeslim synth-voc --force` or choose another folder");
        }
        generate(out, options, false, null);
        return out;
    }

    private static void prepare(Path out, boolean force) throws IOException {
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new BadInputException(out, "output exists and is not a folder");
        }
        if (!Files.isDirectory(out) || isEmpty(out)) {
            return;
        }
        if (!force) {
            throw new BadInputException(out, "output folder is not empty; pass --force to replace a previous "
                    + "synth-voc output (only files synth-voc itself creates are deleted)");
        }
        Path year = out.resolve(YEAR_FOLDER);
        if (!Files.exists(year)) {
            return; // other content stays; VOC2007 is written beside it
        }
        if (!Files.isRegularFile(year.resolve(MANIFEST))) {
            throw new BadInputException(year, "exists but was not written by synth-voc (no " + MANIFEST
                    + "); refusing to delete it even with --force");
        }
        deleteOwned(year.resolve("Annotations"), name -> OWN_IMAGE.matcher(name).matches() && name.endsWith(".xml"));
        deleteOwned(year.resolve("JPEGImages"), name -> OWN_IMAGE.matcher(name).matches() && name.endsWith(".jpg"));
        List<String> lists = new ArrayList<>();
        for (String split : SPLITS) {
            lists.add(split + ".txt");
            for (String c : VocClasses.VOC.names()) {
                lists.add(c + "_" + split + ".txt");
            }
        }
        deleteOwned(year.resolve("ImageSets").resolve("Main"), lists::contains);
        Files.deleteIfExists(year.resolve(MANIFEST));
        // Leftover temp files of an interrupted AtomicFiles write in our own folders.
        for (Path dir : List.of(year, year.resolve("Annotations"), year.resolve("JPEGImages"),
                year.resolve("ImageSets").resolve("Main"))) {
            deleteOwned(dir, name -> name.startsWith(".") && name.endsWith(".tmp"));
        }
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            return !s.iterator().hasNext();
        }
    }

    private static void deleteOwned(Path dir, java.util.function.Predicate<String> owned) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            for (Path p : s) {
                if (owned.test(p.getFileName().toString()) && Files.isRegularFile(p,
                        java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    Files.delete(p);
                }
            }
        }
    }

    /** Seed of image {@code index}: a hash of (seed, index), so each image is independent of the others. */
    static long imageSeed(long seed, int index) {
        return Seeds.derive(seed, index);
    }

    static String splitOf(Options options, int index) {
        if (index >= options.trainImages()) {
            return "test";
        }
        return index % 5 == 4 ? "val" : "train";
    }

    private record RenderedImage(String id, byte[] jpeg, String xml, ImageResult result) {
    }

    private static RenderedImage renderImage(Options options, int index) {
        SyntheticScene.Scene scene = SyntheticScene.render(imageSeed(options.seed(), index), options.size(),
                VocClasses.VOC);
        String id = imageId(index);
        byte[] jpeg = encodeJpeg(scene.bgr(), scene.width(), scene.height());
        return new RenderedImage(id, jpeg, annotationXml(id, scene),
                new ImageResult(id, splitOf(options, index), scene.objects()));
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    static byte[] encodeJpeg(byte[] bgr, int width, int height) {
        try (Mat image = new Mat(height, width, CV_8UC3)) {
            image.data().put(bgr, 0, bgr.length);
            return ImageWriter.encode(image, ".jpg", JPEG_QUALITY);
        }
    }

    static String annotationXml(String id, SyntheticScene.Scene scene) {
        StringBuilder b = new StringBuilder(512 + 300 * scene.objects().size());
        b.append("<annotation>\n");
        b.append("\t<folder>").append(YEAR_FOLDER).append("</folder>\n");
        b.append("\t<filename>").append(id).append(".jpg</filename>\n");
        b.append("\t<source>\n\t\t<database>EdgeSlim synthetic VOC</database>\n\t</source>\n");
        b.append("\t<size>\n\t\t<width>").append(scene.width()).append("</width>\n\t\t<height>")
                .append(scene.height()).append("</height>\n\t\t<depth>3</depth>\n\t</size>\n");
        b.append("\t<segmented>0</segmented>\n");
        for (VocObject o : scene.objects()) {
            b.append("\t<object>\n");
            b.append("\t\t<name>").append(escape(o.className())).append("</name>\n");
            b.append("\t\t<pose>Unspecified</pose>\n");
            b.append("\t\t<truncated>").append(o.truncated() ? 1 : 0).append("</truncated>\n");
            b.append("\t\t<difficult>").append(o.difficult() ? 1 : 0).append("</difficult>\n");
            b.append("\t\t<bndbox>\n");
            b.append("\t\t\t<xmin>").append((long) o.x1()).append("</xmin>\n");
            b.append("\t\t\t<ymin>").append((long) o.y1()).append("</ymin>\n");
            b.append("\t\t\t<xmax>").append((long) o.x2()).append("</xmax>\n");
            b.append("\t\t\t<ymax>").append((long) o.y2()).append("</ymax>\n");
            b.append("\t\t</bndbox>\n");
            b.append("\t</object>\n");
        }
        b.append("</annotation>\n");
        return b.toString();
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    /** Writes the split and per-class lists on {@code pool}; returns the pending writes. */
    private static List<Future<?>> writeImageSets(Path year, ImageResult[] results, ExecutorService pool) {
        Path main = year.resolve("ImageSets").resolve("Main");
        List<String> classes = VocClasses.VOC.names();
        List<Future<?>> writes = new ArrayList<>();
        for (String split : SPLITS) {
            List<ImageResult> members = new ArrayList<>();
            for (ImageResult r : results) {
                if (r.split.equals(split) || (split.equals("trainval") && !r.split.equals("test"))) {
                    members.add(r);
                }
            }
            StringBuilder ids = new StringBuilder();
            for (ImageResult r : members) {
                ids.append(r.id).append('\n');
            }
            writes.add(pool.submit(() -> {
                AtomicFiles.writeString(main.resolve(split + ".txt"), ids.toString());
                return null;
            }));
            for (int c = 0; c < classes.size(); c++) {
                StringBuilder lines = new StringBuilder();
                for (ImageResult r : members) {
                    int flag = -1;
                    for (VocObject o : r.objects) {
                        if (o.classId() == c) {
                            flag = o.difficult() ? Math.max(flag, 0) : 1;
                            if (flag == 1) {
                                break;
                            }
                        }
                    }
                    lines.append(r.id).append(' ').append(String.format("%2d", flag)).append('\n');
                }
                Path file = main.resolve(classes.get(c) + "_" + split + ".txt");
                writes.add(pool.submit(() -> {
                    AtomicFiles.writeString(file, lines.toString());
                    return null;
                }));
            }
        }
        return writes;
    }

    private static String manifest(Options options, boolean complete, Result result) {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode m = mapper.createObjectNode();
        m.put("generator", "edgeslim synth-voc");
        m.put("formatVersion", FORMAT_VERSION);
        m.put("complete", complete);
        m.put("seed", options.seed());
        m.put("trainImages", options.trainImages());
        m.put("testImages", options.testImages());
        m.put("size", options.size());
        m.put("jpegQuality", JPEG_QUALITY);
        if (result != null) {
            m.put("images", result.images());
            m.put("objects", result.objects());
            m.put("difficult", result.difficult());
            m.put("truncated", result.truncated());
        }
        try {
            return mapper.writeValueAsString(m) + "\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
