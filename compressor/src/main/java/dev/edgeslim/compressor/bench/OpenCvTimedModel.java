package dev.edgeslim.compressor.bench;

import dev.edgeslim.detector.opencv.OpenCvDarknetModel;

/** OpenCV DNN's darknet importer as a benchmarked runtime (the reference the project compares against). */
public final class OpenCvTimedModel implements TimedModel {
    public static final String NAME = "opencv-dnn";
    private final OpenCvDarknetModel model;

    public OpenCvTimedModel(OpenCvDarknetModel model) {
        this.model = model;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void run(float[] nhwc, int batch) {
        model.run(nhwc, batch);
    }

    @Override
    public void close() {
        model.close();
    }
}
