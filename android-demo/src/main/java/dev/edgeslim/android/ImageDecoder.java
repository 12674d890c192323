package dev.edgeslim.android;

import android.graphics.Bitmap;
import android.graphics.BitmapFactory;
import android.graphics.Matrix;
import android.os.Build;

import java.io.IOException;
import java.io.InputStream;

/**
 * Decodes an image (asset or picked {@code Uri}) into an upright ARGB_8888 bitmap no larger than
 * {@link #MAX_SIDE} pixels per side: big camera photos are subsampled while decoding (the detector letterboxes
 * to a few hundred pixels anyway) and turned by their EXIF orientation.
 */
final class ImageDecoder {
    static final int MAX_SIDE = 2048;

    /** Opens the image's bytes; called up to three times (bounds, pixels, EXIF). */
    interface Source {
        InputStream open() throws IOException;
    }

    private ImageDecoder() {
    }

    /** @throws IOException with a readable message when the bytes are no image Android can decode */
    static Bitmap decode(Source source, String name) throws IOException {
        BitmapFactory.Options bounds = new BitmapFactory.Options();
        bounds.inJustDecodeBounds = true;
        InputStream in = source.open();
        try {
            BitmapFactory.decodeStream(in, null, bounds);
        } finally {
            in.close();
        }
        if (bounds.outWidth <= 0 || bounds.outHeight <= 0) {
            throw new IOException(name + " is not an image this device can decode");
        }
        BitmapFactory.Options options = new BitmapFactory.Options();
        options.inPreferredConfig = Bitmap.Config.ARGB_8888;
        options.inSampleSize = 1;
        while (Math.max(bounds.outWidth, bounds.outHeight) / options.inSampleSize > MAX_SIDE) {
            options.inSampleSize *= 2;
        }
        Bitmap bitmap;
        in = source.open();
        try {
            bitmap = BitmapFactory.decodeStream(in, null, options);
        } finally {
            in.close();
        }
        if (bitmap == null) {
            throw new IOException(name + " could not be decoded (damaged or unsupported image)");
        }
        if (bitmap.getConfig() != Bitmap.Config.ARGB_8888) {
            Bitmap converted = bitmap.copy(Bitmap.Config.ARGB_8888, false);
            bitmap.recycle();
            bitmap = converted;
        }
        int degrees = exifRotation(source);
        if (degrees != 0) {
            Matrix m = new Matrix();
            m.postRotate(degrees);
            Bitmap rotated = Bitmap.createBitmap(bitmap, 0, 0, bitmap.getWidth(), bitmap.getHeight(), m, true);
            if (rotated != bitmap) {
                bitmap.recycle();
            }
            bitmap = rotated;
        }
        return bitmap;
    }

    /**
     * The EXIF rotation in degrees, 0 when unknown. {@code ExifInterface(InputStream)} exists from API 24 and this
     * app compiles against API 16, so it is called reflectively; older devices show photos as stored.
     */
    private static int exifRotation(Source source) {
        if (Build.VERSION.SDK_INT < 24) {
            return 0;
        }
        try {
            InputStream in = source.open();
            try {
                Class<?> exif = Class.forName("android.media.ExifInterface");
                Object reader = exif.getConstructor(InputStream.class).newInstance(in);
                int orientation = (Integer) exif.getMethod("getAttributeInt", String.class, int.class)
                        .invoke(reader, "Orientation", 1);
                switch (orientation) {
                    case 6:
                        return 90;
                    case 3:
                        return 180;
                    case 8:
                        return 270;
                    default:
                        return 0;
                }
            } finally {
                in.close();
            }
        } catch (Exception e) {
            return 0; // no EXIF reader or no EXIF: show the image as stored
        }
    }

    /** The pixels as ARGB ints, stride = width: what {@code Detector} and {@code InputTransform} take. */
    static int[] pixels(Bitmap bitmap) {
        int[] argb = new int[bitmap.getWidth() * bitmap.getHeight()];
        bitmap.getPixels(argb, 0, bitmap.getWidth(), 0, 0, bitmap.getWidth(), bitmap.getHeight());
        return argb;
    }
}
