package dev.edgeslim.detector.model;

/** A feature map's size for one image: height, width, channels (darknet's h, w, c). */
public record Shape(int height, int width, int channels) {
    public Shape {
        if (height <= 0 || width <= 0 || channels <= 0) {
            throw new IllegalArgumentException("shape must be positive, got " + height + "x" + width + "x" + channels);
        }
    }

    public long elements() {
        return (long) height * width * channels;
    }

    public Shape withChannels(int c) {
        return new Shape(height, width, c);
    }

    @Override
    public String toString() {
        return height + "x" + width + "x" + channels;
    }
}
