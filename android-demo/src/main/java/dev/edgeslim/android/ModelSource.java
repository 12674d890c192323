package dev.edgeslim.android;

import android.content.res.AssetFileDescriptor;
import android.content.res.AssetManager;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.FileInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

/**
 * Where the app's model comes from. By default the one the build put in the APK: {@code assets/models/NAME.tflite}
 * with its {@code NAME.tflite.json}, and {@code assets/build-info.properties} (written by build.xml) saying which
 * one and how to label it: {@code model.asset}, {@code model.label}, {@code model.untrained} (true for the
 * random-weight fallback model). Or, when asked for one (intent extra), another asset path or a file: an absolute
 * path such as the app's external files folder, where {@code adb push} can put a model without rebuilding.
 */
final class ModelSource {
    static final String BUILD_INFO = "build-info.properties";
    static final String MODEL_DIR = "models";
    /** Refuse absurd assets before allocating (the largest YOLOv4 fp32 export is ~250 MB). */
    static final long MAX_MODEL_BYTES = 1L << 30;

    /** The asset path, or the absolute file path when {@link #file} is set. */
    final String path;
    /** The model file outside the APK, or null for an asset. */
    final File file;
    final String label;
    final boolean untrained;

    private ModelSource(String path, File file, String label, boolean untrained) {
        this.path = path;
        this.file = file;
        this.label = label;
        this.untrained = untrained;
    }

    /**
     * @param requested an asset path or an absolute file path to use instead of the build's choice (intent
     *                  extra), or null
     */
    static ModelSource find(AssetManager assets, String requested) throws ModelLoadException {
        if (requested != null && requested.startsWith("/")) {
            File file = new File(requested);
            return new ModelSource(requested, file, baseName(file.getName()), false);
        }
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
            List<String> all = modelAssets(assets);
            path = all.isEmpty() ? null : all.get(0);
        }
        if (path == null) {
            throw new ModelLoadException("this APK contains no model (no assets/" + MODEL_DIR
                    + "/*.tflite): rebuild it with -Dedgeslim.model=PATH/TO/MODEL.tflite");
        }
        String base = baseName(path.substring(path.lastIndexOf('/') + 1));
        boolean sameAsBuild = path.equals(info.getProperty("model.asset"));
        String label = sameAsBuild ? info.getProperty("model.label", base) : base;
        boolean untrained = sameAsBuild && Boolean.parseBoolean(info.getProperty("model.untrained", "false"));
        return new ModelSource(path, null, label, untrained);
    }

    /**
     * Every model in the APK ({@code assets/models/*.tflite}): the build's default first, then the others by
     * name (e.g. the int8 and fp32 exports, and the uncompressed baseline, so a user can compare them).
     */
    static List<ModelSource> bundled(AssetManager assets) throws ModelLoadException {
        List<ModelSource> out = new ArrayList<ModelSource>();
        ModelSource first = find(assets, null);
        out.add(first);
        for (String path : modelAssets(assets)) {
            if (!path.equals(first.path)) {
                out.add(find(assets, path));
            }
        }
        return out;
    }

    /** {@code models/*.tflite} in the APK, sorted by name. */
    private static List<String> modelAssets(AssetManager assets) {
        List<String> out = new ArrayList<String>();
        String[] names;
        try {
            names = assets.list(MODEL_DIR);
        } catch (IOException e) {
            return out;
        }
        if (names != null) {
            Arrays.sort(names);
            for (String n : names) {
                if (n.endsWith(".tflite")) {
                    out.add(MODEL_DIR + "/" + n);
                }
            }
        }
        return out;
    }

    private static String baseName(String fileName) {
        return fileName.endsWith(".tflite") ? fileName.substring(0, fileName.length() - ".tflite".length())
                : fileName;
    }

    /** "assets/models/x.tflite" or the file path, for messages. */
    String where() {
        return file != null ? path : "assets/" + path;
    }

    /**
     * The model bytes: memory-mapped from a file, or from an asset stored uncompressed (aapt -0 tflite); other
     * assets are read into memory.
     */
    ByteBuffer load(AssetManager assets) throws ModelLoadException {
        if (file != null) {
            try {
                FileInputStream in = new FileInputStream(file);
                try {
                    return in.getChannel().map(FileChannel.MapMode.READ_ONLY, 0, in.getChannel().size());
                } finally {
                    in.close(); // the mapping stays valid after the channel is closed
                }
            } catch (FileNotFoundException e) {
                throw new ModelLoadException(path + " does not exist or cannot be read", e);
            } catch (IOException e) {
                throw new ModelLoadException("cannot read " + path + ": " + e.getMessage(), e);
            }
        }
        try {
            AssetFileDescriptor fd = assets.openFd(path);
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
        byte[] bytes = readAll(path, assets, MAX_MODEL_BYTES);
        ByteBuffer buffer = ByteBuffer.allocateDirect(bytes.length).order(ByteOrder.nativeOrder());
        buffer.put(bytes);
        buffer.rewind();
        return buffer;
    }

    /** The metadata JSON beside the model ({@code MODEL.tflite.json}). */
    String metadata(AssetManager assets) throws ModelLoadException {
        byte[] bytes = readAll(path + ".json", assets, ModelMetadata.MAX_CHARS);
        return new String(bytes, Charset.forName("UTF-8"));
    }

    private byte[] readAll(String name, AssetManager assets, long limit) throws ModelLoadException {
        String shown = file != null ? name : "assets/" + name;
        try {
            InputStream in = file != null ? new FileInputStream(name) : assets.open(name);
            try {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                byte[] chunk = new byte[1 << 16];
                long total = 0;
                for (int n; (n = in.read(chunk)) > 0; ) {
                    total += n;
                    if (total > limit) {
                        throw new ModelLoadException(shown + " is larger than " + limit + " bytes");
                    }
                    out.write(chunk, 0, n);
                }
                return out.toByteArray();
            } finally {
                in.close();
            }
        } catch (FileNotFoundException e) {
            throw new ModelLoadException(shown + (file != null ? " does not exist or cannot be read"
                    : " is missing from the APK"), e);
        } catch (IOException e) {
            throw new ModelLoadException("cannot read " + shown + ": " + e.getMessage(), e);
        }
    }
}
