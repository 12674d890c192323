package dev.edgeslim.detector;

/** Small but complete darknet YOLO cfgs for fast tests (20 VOC classes, one head, 3 anchors). */
public final class TinyModels {
    private TinyModels() {
    }

    /**
     * {@code [net]} of {@code size}x{@code size}, one batch-normalised leaky 3x3 stride-2 convolution per entry of
     * {@code filters}, a 1x1 linear head conv and a [yolo] layer with anchors 8, 16, 32.
     */
    public static String yolo(int size, int... filters) {
        StringBuilder b = new StringBuilder("[net]\nwidth=" + size + "\nheight=" + size + "\nchannels=3\n");
        for (int f : filters) {
            b.append("[convolutional]\nbatch_normalize=1\nfilters=").append(f)
                    .append("\nsize=3\nstride=2\npad=1\nactivation=leaky\n");
        }
        b.append("[convolutional]\nfilters=75\nsize=1\nstride=1\nactivation=linear\n");
        b.append("[yolo]\nmask=0,1,2\nanchors=8,8, 16,16, 32,32\nclasses=20\nnum=3\n");
        return b.toString();
    }

    /**
     * {@code cfg} with its head turned into a Scaled-YOLOv4 / YOLOv7 head: the linear convolution right before
     * [yolo] becomes logistic, and the [yolo] layer gets new_coords=1 and scale_x_y=2 (any scale_x_y it had goes).
     */
    public static String withNewCoordsHead(String cfg) {
        String head = "activation=linear\n[yolo]\n";
        if (!cfg.contains(head)) {
            throw new IllegalArgumentException("no linear convolution right before [yolo]");
        }
        return cfg.replaceAll("scale_x_y=[^\n]*\n", "")
                .replace(head, "activation=logistic\n[yolo]\nnew_coords=1\nscale_x_y=2.0\n");
    }
}
