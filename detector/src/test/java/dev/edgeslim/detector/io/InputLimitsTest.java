package dev.edgeslim.detector.io;

import dev.edgeslim.detector.cfg.CfgParser;
import dev.edgeslim.detector.data.DataLimits;
import dev.edgeslim.detector.data.NamesFile;
import dev.edgeslim.detector.data.VocAnnotationParser;
import dev.edgeslim.detector.data.VocClasses;
import dev.edgeslim.detector.image.ImageLoader;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.model.SpecLimits;
import dev.edgeslim.detector.weights.DarknetWeights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.function.Executable;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every size an input declares is checked before anything is allocated or read: one test per limit (docs/reliability.md,
 * "Limits on inputs"). Each refusal is a one-line {@link BadInputException} naming the file and, for
 * the limits that can be raised, the system property that raises it; each comes back fast (no giant allocation, no
 * long read). Files over a size limit are sparse, so the test writes almost nothing.
 */
class InputLimitsTest {
    private static final String NET = "[net]\nwidth=32\nheight=32\nchannels=3\n";

    @TempDir
    Path tmp;

    /** Runs {@code body}, which must refuse quickly with a one-line message containing every fragment. */
    static BadInputException refused(Executable body, String... fragments) {
        long start = System.nanoTime();
        BadInputException e = assertThrows(BadInputException.class, body);
        double seconds = (System.nanoTime() - start) / 1e9;
        String m = e.getMessage();
        assertTrue(seconds < 5, "refusal took " + seconds + " s: " + m);
        assertTrue(m.chars().noneMatch(c -> c < 0x20), "one printable line: " + m);
        for (String f : fragments) {
            assertTrue(m.contains(f), "'" + f + "' missing in: " + m);
        }
        return e;
    }

    private static BadInputException cfg(String text, String... fragments) {
        return refused(() -> CfgParser.parse(text, "big.cfg"), fragments);
    }

    /** A file of {@code size} bytes that occupies (almost) no disk: only its length is ever looked at. */
    static Path sparse(Path file, long size) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(size);
        }
        return file;
    }

    @Test
    void cfgFileOverFourMebibytesIsNotRead() throws IOException {
        Path big = sparse(tmp.resolve("big.cfg"), CfgParser.MAX_CFG_BYTES + 1);
        refused(() -> CfgParser.parse(big), "big.cfg", "4194305 bytes", "limit");
    }

    @Test
    void inputSideOverTheLimit() {
        cfg("[net]\nwidth=4097\nheight=64\n[convolutional]\nfilters=4\n", "big.cfg:1:", "1..4096",
                "-Dedgeslim.limit.maxInputSide");
        cfg("[net]\nwidth=1000000\nheight=1000000\n[convolutional]\nfilters=4\n", "1000000x1000000",
                "-Dedgeslim.limit.maxInputSide");
        assertEquals(4096, CfgParser.parse("[net]\nwidth=4096\nheight=8\n[convolutional]\nfilters=1\n", "ok").net()
                .width(), "the limit itself is allowed");
    }

    @Test
    void channelsOverTheLimit() {
        cfg(NET + "[convolutional]\nfilters=2147483647\n", "big.cfg:5:", "filters must be within 1..16384",
                "-Dedgeslim.limit.maxChannels");
        cfg(NET + "[convolutional]\nfilters=16385\n", "got 16385", "maxChannels");
        cfg(NET + "[convolutional]\nfilters=-3\n", "filters must be within 1..16384, got -3");
    }

    @Test
    void kernelAndStrideOverTheLimit() {
        cfg(NET + "[convolutional]\nfilters=4\nsize=32\n", "size must be within 1..31", "maxKernel");
        cfg(NET + "[convolutional]\nfilters=4\nstride=65\n", "stride must be within 1..64", "maxStride");
        cfg(NET + "[maxpool]\nsize=2\nstride=1000\n", "stride must be within 1..64", "maxStride");
        cfg(NET + "[convolutional]\nfilters=4\n[upsample]\nstride=2147483647\n", "maxStride");
        cfg(NET + "[convolutional]\nfilters=4\npadding=100\n", "padding must be within 0..31");
    }

    @Test
    void tooManyLayers() {
        String text = NET + "[maxpool]\nsize=1\nstride=1\n".repeat(SpecLimits.MAX_LAYERS + 1);
        cfg(text, "too many sections", "limit 4096", "-Dedgeslim.limit.maxLayers");
    }

    @Test
    void parametersOverTheLimit() {
        // 16384 x 16384 x 3 x 3 = 2.4e9 weights in the second layer
        cfg(NET + "[convolutional]\nfilters=16384\nsize=1\n[convolutional]\nfilters=16384\nsize=3\npad=1\n",
                "more than 1000000000 parameters", "-Dedgeslim.limit.maxParams");
    }

    @Test
    void featureMapsOverTheLimit() {
        cfg("[net]\nwidth=4096\nheight=4096\n[convolutional]\nfilters=16384\nsize=1\n",
                "feature maps exceed 2000000000 values", "-Dedgeslim.limit.maxActivations");
        cfg(NET + "[convolutional]\nfilters=4\n" + "[upsample]\nstride=64\n".repeat(3), "larger than the limit",
                "maxInputSide");
    }

    @Test
    void classesAndAnchorsOverTheLimit() {
        cfg(NET + "[convolutional]\nfilters=4\n[yolo]\nmask=0\nanchors=1,1\nnum=1\nclasses=100001\n",
                "classes must be within 1..100000", "-Dedgeslim.limit.maxClasses");
        StringBuilder anchors = new StringBuilder("1,1");
        for (int i = 1; i < 1025; i++) {
            anchors.append(",1,1");
        }
        cfg(NET + "[convolutional]\nfilters=6\n[yolo]\nmask=0\nanchors=" + anchors + "\nnum=1025\nclasses=1\n",
                "num must be within 1..1024", "-Dedgeslim.limit.maxAnchors");
        cfg(NET + "[convolutional]\nfilters=6\n[yolo]\nmask=" + "0,".repeat(100_001) + "\nanchors=1,1\nnum=1\n",
                "too many values");
    }

    @Test
    void weightsForAHugeCfgAreRefusedByTheirSizeBeforeAnyFloatIsAllocated() throws IOException {
        // 10000 x 10000 x 3 x 3 = 9e8 weights: within the parameter limit, 3.6 GB as floats
        NetworkSpec huge = CfgParser.parse(NET + "[convolutional]\nfilters=10000\nsize=1\n"
                + "[convolutional]\nfilters=10000\nsize=3\npad=1\n", "huge.cfg");
        assertTrue(DarknetWeights.expectedFloats(huge) > 900_000_000L);
        Path small = Files.write(tmp.resolve("small.weights"), new byte[16 + 4096]); // version 0.0: 16-byte header
        refused(() -> DarknetWeights.read(small, huge), "small.weights", "truncated", "900050000 floats", "found 1024");
        Path sparseHuge = sparse(tmp.resolve("sparse.weights"), 20 + 4 * 950_000_000L);
        refused(() -> DarknetWeights.read(sparseHuge, huge), "oversized");
    }

    @Test
    void weightsHeaderShorterThanItsVersionNeeds() throws IOException {
        byte[] header = new byte[18]; // version 0.2 promises a 20-byte header (64-bit "seen")
        ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).putInt(0).putInt(2);
        Path file = Files.write(tmp.resolve("short.weights"), header);
        NetworkSpec spec = CfgParser.parse(NET + "[convolutional]\nfilters=1\nsize=1\n", "one.cfg");
        refused(() -> DarknetWeights.read(file, spec), "short.weights", "18 bytes", "20-byte header");
        refused(() -> DarknetWeights.read(Files.write(tmp.resolve("tiny.weights"), new byte[7]), spec),
                "tiny.weights", "shorter than the header");
    }

    @Test
    void imageFileOverTheSizeLimitIsNotRead() throws IOException {
        Path big = sparse(tmp.resolve("big.jpg"), ImageLoader.DEFAULT_MAX_BYTES + 1);
        refused(() -> ImageLoader.read(big), "big.jpg", "exceeds the limit", "-Dedgeslim.limit.maxImageBytes");
    }

    @Test
    void bmpAndGifDeclaringHugeSizesAreRefusedFromTheirHeaders() throws IOException {
        // JPEG and PNG bombs: ImageLoaderTest; these go through javax.imageio's header readers
        // an RLE-compressed BMP can be tiny and declare any size (an uncompressed one must hold its pixels)
        byte[] bmp = rle8Bmp();
        ByteBuffer b = ByteBuffer.wrap(bmp).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(18, 10_000).putInt(22, 10_000); // BITMAPINFOHEADER width, height
        Path bmpBomb = Files.write(tmp.resolve("bomb.bmp"), bmp);
        refused(() -> ImageLoader.read(bmpBomb), "bomb.bmp", "10000x10000", "-Dedgeslim.limit.maxImagePixels");

        byte[] gif = encode(new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_INDEXED), "gif");
        ByteBuffer g = ByteBuffer.wrap(gif).order(ByteOrder.LITTLE_ENDIAN);
        g.putShort(6, (short) 60000).putShort(8, (short) 60000); // logical screen
        int descriptor = indexOf(gif, (byte) 0x2C);
        g.putShort(descriptor + 5, (short) 60000).putShort(descriptor + 7, (short) 60000); // image width, height
        Path gifBomb = Files.write(tmp.resolve("bomb.gif"), gif);
        refused(() -> ImageLoader.read(gifBomb), "bomb.gif", "60000x60000", "maxImagePixels");
    }

    private static byte[] rle8Bmp() throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("bmp").next();
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionType("BI_RLE8");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
            writer.setOutput(ios);
            writer.write(null, new IIOImage(new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_INDEXED), null, null),
                    param);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    private static byte[] encode(BufferedImage img, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(img, format, out), format);
        return out.toByteArray();
    }

    private static int indexOf(byte[] b, byte value) {
        for (int i = 13; i < b.length; i++) { // after the GIF header and logical screen descriptor
            if (b[i] == value) {
                return i;
            }
        }
        throw new AssertionError("no image descriptor");
    }

    @Test
    void deeplyNestedXmlIsRefusedInsteadOfOverflowingTheStack() throws IOException {
        // 140000 levels inside <filename>: under the annotation size limit, and reading its text recursed 140000 deep
        int depth = 140_000;
        Path deep = Files.writeString(tmp.resolve("deep.xml"), "<annotation><filename>" + "<a>".repeat(depth) + "x"
                + "</a>".repeat(depth) + "</filename><size><width>4</width><height>3</height></size></annotation>");
        assertTrue(Files.size(deep) < DataLimits.MAX_ANNOTATION_BYTES);
        refused(() -> new VocAnnotationParser(VocClasses.VOC).parse(deep), "deep.xml:1:", "depth of \"65\"",
                "exceeds the limit \"64\"");
    }

    @Test
    void namesFileLimits() throws IOException {
        Path big = sparse(tmp.resolve("big.names"), NamesFile.MAX_BYTES + 1);
        refused(() -> NamesFile.read(big), "big.names", "more than the limit");
        Path many = Files.writeString(tmp.resolve("many.names"), numbered(SpecLimits.MAX_CLASSES + 1));
        refused(() -> NamesFile.read(many), "many.names:100001:", "more than 100000 class names");
        Path longName = Files.writeString(tmp.resolve("long.names"), "cat\n" + "x".repeat(257) + "\n");
        refused(() -> NamesFile.read(longName), "long.names:2:", "longer than 256");
        Path control = Files.writeString(tmp.resolve("control.names"), "cat\ndo\rg\nbi\u001b[31mrd\n");
        refused(() -> NamesFile.read(control), "control.names:2:", "control character");
        Path repeated = Files.writeString(tmp.resolve("repeated.names"), "cat\r\ndog\r\n cat \r\n\r\n");
        refused(() -> VocClasses.load(repeated), "repeated.names:3:", "class 'cat' repeats line 1");
    }

    private static String numbered(int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            b.append('c').append(i).append('\n');
        }
        return b.toString();
    }
}
