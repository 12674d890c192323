package dev.edgeslim.android;

import android.content.res.AssetFileDescriptor;
import android.content.res.AssetManager;

import java.io.ByteArrayOutputStream;
import java.io.FileInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.Charset;
import java.util.Arrays;
import java.util.Properties;

/**
 * The model the build put in the APK: {@code assets/models/NAME.tflite} with its {@code NAME.tflite.json}, and
 * {@code assets/build-info.properties} (written by build.xml) saying which one and how to label it:
 * {@code model.asset}, {@code model.label}, {@code model.untrained} (true for the random-weight fallback model).
 */
final class BundledModel {
    static final String BUILD_INFO = "build-info.properties";
    static final String MODEL_DIR = "models";
    /** Refuse absurd assets before allocating (the largest YOLOv4 fp32 export is ~250 MB). */
    static final long MAX_MODEL_BYTES = 1L << 30;

    final String assetPath;
    final String label;
    final boolean untrained;

    private BundledModel(String assetPath, String label, boolean untrained) {
        this.assetPath = assetPath;
        this.label = label;
        this.untrained = untrained;
    }

    /**
     * @param requested an asset path to use instead of the build's choice (intent extra), or null
     */
    static BundledModel find(AssetManager assets, String requested) throws ModelLoadException {
        Properties info = new Properties();
        try {
            InputStream in = assets.open(BUILD_INFO);
            try {
                info.load(in);
            } finally {
                in.close();
            }
        } catch (IOException e) {
            // no build info: fall back to the first model in assets/models
        }
        String path = requested != null ? requested : info.getProperty("model.asset");
        if (path == null) {
            String[] names;
            try {
                names = assets.list(MODEL_DIR);
            } catch (IOException e) {
                names = null;
            }
            if (names != null) {
                Arrays.sort(names);
                for (String n : names) {
                    if (n.endsWith(".tflite")) {
                        path = MODEL_DIR + "/" + n;
                        break;
                    }
                }
            }
        }
        if (path == null) {
            throw new ModelLoadException("this APK contains no model (no assets/" + MODEL_DIR
                    + "/*.tflite): rebuild it with -Dedgeslim.model=PATH/TO/MODEL.tflite");
        }
        String file = path.substring(path.lastIndexOf('/') + 1);
        String base = file.endsWith(".tflite") ? file.substring(0, file.length() - ".tflite".length()) : file;
        boolean sameAsBuild = path.equals(info.getProperty("model.asset"));
        String label = sameAsBuild ? info.getProperty("model.label", base) : base;
        boolean untrained = sameAsBuild && Boolean.parseBoolean(info.getProperty("model.untrained", "false"));
        return new BundledModel(path, label, untrained);
    }

    /** The model bytes: memory-mapped when the asset is stored uncompressed (aapt -0 tflite), else read. */
    ByteBuffer load(AssetManager assets) throws ModelLoadException {
        try {
            AssetFileDescriptor fd = assets.openFd(assetPath);
            try {
                FileInputStream in = fd.createInputStream();
                try {
                    FileChannel channel = in.getChannel();
                    return channel.map(FileChannel.MapMode.READ_ONLY, fd.getStartOffset(), fd.getDeclaredLength());
                } finally {
                    in.close(); // the mapping stays valid after the channel is closed
                }
            } finally {
                fd.close();
            }
        } catch (FileNotFoundException e) {
            // compressed asset (or no file descriptor support): read it instead
        } catch (IOException e) {
            // same fallback
        } catch (RuntimeException e) {
            // some environments have no asset file descriptors at all
        }
        byte[] bytes = readAll(assetPath, assets, MAX_MODEL_BYTES);
        ByteBuffer buffer = ByteBuffer.allocateDirect(bytes.length).order(ByteOrder.nativeOrder());
        buffer.put(bytes);
        buffer.rewind();
        return buffer;
    }

    /** The metadata JSON beside the model. */
    String metadata(AssetManager assets) throws ModelLoadException {
        byte[] bytes = readAll(assetPath + ".json", assets, ModelMetadata.MAX_CHARS);
        return new String(bytes, Charset.forName("UTF-8"));
    }

    private static byte[] readAll(String path, AssetManager assets, long limit) throws ModelLoadException {
        try {
            InputStream in = assets.open(path);
            try {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                byte[] chunk = new byte[1 << 16];
                long total = 0;
                for (int n; (n = in.read(chunk)) > 0; ) {
                    total += n;
                    if (total > limit) {
                        throw new ModelLoadException("assets/" + path + " is larger than " + limit + " bytes");
                    }
                    out.write(chunk, 0, n);
                }
                return out.toByteArray();
            } finally {
                in.close();
            }
        } catch (FileNotFoundException e) {
            throw new ModelLoadException("assets/" + path + " is missing from the APK", e);
        } catch (IOException e) {
            throw new ModelLoadException("cannot read assets/" + path + ": " + e.getMessage(), e);
        }
    }
}
