package dev.edgeslim.detector.weights;

import dev.edgeslim.detector.io.AtomicFiles;
import dev.edgeslim.detector.io.BadInputException;
import dev.edgeslim.detector.model.ConvLayer;
import dev.edgeslim.detector.model.NetworkSpec;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.TreeMap;

/**
 * darknet .weights reader and writer: little-endian header, then per convolution in layer order
 * biases, [scales, rolling mean, rolling variance when batch-normalised], weights (OIHW), all float32.
 * The expected size is computed from the cfg before anything is read, so a truncated, oversized or hostile
 * file is reported with the numbers instead of running out of memory.
 */
public final class DarknetWeights {
    private DarknetWeights() {
    }

    /** Floats the body of a weights file for {@code spec} must hold. */
    public static long expectedFloats(NetworkSpec spec) {
        long n = 0;
        for (int i : spec.convLayers()) {
            ConvLayer c = spec.conv(i);
            n += (long) c.filters() * (c.batchNormalize() ? 4 : 1) + c.weightCount(spec.inputChannelsOf(i));
        }
        return n;
    }

    public static WeightStore read(Path file, NetworkSpec spec) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 16) {
                throw new BadInputException(file, "not a darknet weights file: " + size + " bytes is shorter than the header");
            }
            ByteBuffer head = ByteBuffer.allocate((int) Math.min(20, size)).order(ByteOrder.LITTLE_ENDIAN);
            while (head.hasRemaining() && ch.read(head, head.position()) > 0) {
                // a read may return fewer bytes than asked for
            }
            head.flip();
            int major = head.getInt();
            int minor = head.getInt();
            int revision = head.getInt();
            if (major < 0 || minor < 0 || major > 1000 || minor > 1000) {
                throw new BadInputException(file, "not a darknet weights file: header version " + major + "." + minor
                        + "." + revision + " is implausible");
            }
            boolean seen64 = major * 10 + minor >= 2;
            if (size < (seen64 ? 20 : 16)) {
                throw new BadInputException(file, "not a darknet weights file: " + size + " bytes is shorter than the "
                        + (seen64 ? 20 : 16) + "-byte header of version " + major + "." + minor);
            }
            long seen = seen64 ? head.getLong() : Integer.toUnsignedLong(head.getInt());
            DarknetHeader header = new DarknetHeader(major, minor, revision, seen);
            long bodyBytes = size - header.byteSize();
            long expected = expectedFloats(spec);
            if (bodyBytes % 4 != 0) {
                throw new BadInputException(file, "body is " + bodyBytes + " bytes, not a whole number of floats"
                        + " (expected " + expected + " floats for this cfg)");
            }
            long found = bodyBytes / 4;
            if (found < expected) {
                throw new BadInputException(file, "truncated: the cfg needs " + expected + " floats after the header, found "
                        + found);
            }
            if (found > expected) {
                throw new BadInputException(file, "oversized: the cfg needs " + expected + " floats after the header, found "
                        + found + " (wrong cfg for these weights?)");
            }
            FloatBuffer body = ch.map(FileChannel.MapMode.READ_ONLY, header.byteSize(), bodyBytes)
                    .order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
            TreeMap<Integer, ConvWeights> convs = new TreeMap<>();
            for (int i : spec.convLayers()) {
                ConvLayer c = spec.conv(i);
                int n = c.filters();
                float[] biases = take(body, n);
                float[] scales = null;
                float[] mean = null;
                float[] var = null;
                if (c.batchNormalize()) {
                    scales = take(body, n);
                    mean = take(body, n);
                    var = take(body, n);
                }
                float[] weights = take(body, Math.toIntExact(c.weightCount(spec.inputChannelsOf(i))));
                convs.put(i, new ConvWeights(biases, scales, mean, var, weights));
            }
            return new WeightStore(header, convs);
        } catch (NoSuchFileException e) {
            throw new BadInputException(file, "no such file");
        } catch (IOException e) {
            throw new BadInputException(file, "cannot read: " + e.getMessage());
        }
    }

    private static float[] take(FloatBuffer body, int n) {
        float[] a = new float[n];
        body.get(a);
        return a;
    }

    /** Writes atomically (temp file + rename) with the store's header. */
    public static void write(WeightStore store, NetworkSpec spec, Path file) throws IOException {
        store.checkMatches(spec);
        AtomicFiles.write(file, out -> writeTo(store, out));
    }

    public static void writeTo(WeightStore store, OutputStream stream) throws IOException {
        DarknetHeader h = store.header();
        ByteBuffer head = ByteBuffer.allocate(h.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        head.putInt(h.major()).putInt(h.minor()).putInt(h.revision());
        if (h.seenIs64Bit()) {
            head.putLong(h.seen());
        } else {
            head.putInt((int) h.seen());
        }
        stream.write(head.array());
        for (ConvWeights w : store.convs().values()) {
            put(stream, w.biases());
            if (w.batchNormalized()) {
                put(stream, w.scales());
                put(stream, w.rollingMean());
                put(stream, w.rollingVariance());
            }
            put(stream, w.weights());
        }
    }

    private static void put(OutputStream out, float[] values) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(4 * Math.min(values.length, 1 << 16)).order(ByteOrder.LITTLE_ENDIAN);
        int i = 0;
        while (i < values.length) {
            buf.clear();
            int end = Math.min(values.length, i + (1 << 16));
            for (; i < end; i++) {
                buf.putFloat(values[i]);
            }
            out.write(buf.array(), 0, buf.position());
        }
    }

    /** Reads just the header (for `info`-style inspection). */
    public static DarknetHeader readHeader(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] b = in.readNBytes(20);
            if (b.length < 16) {
                throw new BadInputException(file, "not a darknet weights file: shorter than the header");
            }
            ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
            int major = buf.getInt();
            int minor = buf.getInt();
            int revision = buf.getInt();
            long seen = (major * 10 + minor >= 2 && b.length >= 20) ? buf.getLong() : Integer.toUnsignedLong(buf.getInt());
            return new DarknetHeader(major, minor, revision, seen);
        } catch (NoSuchFileException e) {
            throw new BadInputException(file, "no such file");
        } catch (IOException e) {
            throw new BadInputException(file, "cannot read: " + e.getMessage());
        }
    }

}
