package dev.edgeslim.detector.opencv;

import dev.edgeslim.detector.cfg.CfgParser;
import dev.edgeslim.detector.io.BadInputException;
import dev.edgeslim.detector.model.Activation;
import dev.edgeslim.detector.model.ConvLayer;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.model.Shape;
import dev.edgeslim.detector.postprocess.RawModel;
import dev.edgeslim.detector.weights.DarknetHeader;
import dev.edgeslim.detector.weights.DarknetWeights;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_dnn;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.MatVector;
import org.bytedeco.opencv.opencv_core.StringVector;
import org.bytedeco.opencv.opencv_dnn.Net;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * OpenCV DNN's darknet importer as a reference runtime: loads a cfg and .weights with {@code readNetFromDarknet} and
 * returns the same raw head values as {@code InferenceModel} — the outputs of the layers feeding each [yolo] layer
 * ({@link #headName(NetworkSpec, int)}) — converted from OpenCV's NCHW to flat NHWC.
 *
 * <p>{@code threads} goes to {@code cv::setNumThreads}, which is process-wide in OpenCV. Not thread-safe.
 */
public final class OpenCvDarknetModel implements RawModel, AutoCloseable {
    private final NetworkSpec spec;
    private final Net net;
    private final StringVector headNames;
    private final int[][] headShapes;

    private OpenCvDarknetModel(NetworkSpec spec, Net net) {
        this.spec = spec;
        this.net = net;
        List<Integer> yolo = spec.yoloLayers();
        this.headNames = new StringVector();
        this.headShapes = new int[yolo.size()][];
        for (int h = 0; h < yolo.size(); h++) {
            int feeding = spec.inputsOf(yolo.get(h)).get(0);
            headNames.push_back(headName(spec, feeding));
            Shape s = spec.shapeOf(feeding);
            headShapes[h] = new int[] {s.height(), s.width(), s.channels()};
        }
    }

    /** OpenCV's name for darknet layer {@code layer} when it is a convolution. */
    public static String headName(int layer) {
        return "conv_" + layer;
    }

    /**
     * OpenCV's name for the output of the layer feeding a [yolo] layer: {@code conv_<index>} for a linear
     * convolution; OpenCV adds a convolution's activation as a layer of its own, named after the next index
     * ({@code logistic_<index + 1>}, as new_coords heads have).
     */
    static String headName(NetworkSpec spec, int layer) {
        if (spec.layer(layer) instanceof ConvLayer c && c.activation() == Activation.LOGISTIC) {
            return "logistic_" + (layer + 1);
        }
        return headName(layer);
    }

    /**
     * Loads {@code cfg} and {@code weights} (a missing, malformed or mismatched file is reported as
     * {@link BadInputException} before OpenCV sees it) and sets OpenCV to {@code threads} threads.
     */
    public static OpenCvDarknetModel load(Path cfg, Path weights, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be positive, got " + threads);
        }
        NetworkSpec spec = CfgParser.parse(cfg);
        checkWeightsSize(weights, spec); // OpenCV itself would only log, or crash, on a bad file
        opencv_core.setNumThreads(threads);
        Net net;
        try {
            net = opencv_dnn.readNetFromDarknet(cfg.toString(), weights.toString());
        } catch (RuntimeException e) {
            throw new BadInputException(cfg, "OpenCV DNN cannot load it: " + e.getMessage().lines().findFirst().orElse(""));
        }
        net.setPreferableBackend(opencv_dnn.DNN_BACKEND_OPENCV);
        net.setPreferableTarget(opencv_dnn.DNN_TARGET_CPU);
        OpenCvDarknetModel model = new OpenCvDarknetModel(spec, net);
        model.checkHeadNames();
        return model;
    }

    /** The file must hold exactly the header and the floats the cfg needs (what DarknetWeights.read checks). */
    private static void checkWeightsSize(Path weights, NetworkSpec spec) {
        DarknetHeader header = DarknetWeights.readHeader(weights);
        long expected = header.byteSize() + 4 * DarknetWeights.expectedFloats(spec);
        long size;
        try {
            size = Files.size(weights);
        } catch (IOException e) {
            throw new BadInputException(weights, "cannot read: " + e.getMessage());
        }
        if (size != expected) {
            throw new BadInputException(weights, "is " + size + " bytes, the cfg needs " + expected
                    + " (header + " + DarknetWeights.expectedFloats(spec) + " floats): wrong cfg for these weights?");
        }
    }

    private void checkHeadNames() {
        List<String> names = new java.util.ArrayList<>();
        try (StringVector all = net.getLayerNames()) {
            for (long k = 0; k < all.size(); k++) {
                names.add(all.get(k).getString());
            }
        }
        for (int h = 0; h < headNames.size(); h++) {
            String name = headNames.get(h).getString();
            if (!names.contains(name)) {
                throw new IllegalStateException("OpenCV has no layer named " + name + " (layers: "
                        + names.subList(0, Math.min(8, names.size())) + "...)");
            }
        }
    }

    /** The spec parsed from the cfg (its [net] size is the input size {@link #run} expects). */
    public NetworkSpec spec() {
        return spec;
    }

    /** {height, width, channels} of head {@code head}'s logits for one image. */
    public int[] outputShape(int head) {
        return headShapes[head].clone();
    }

    /**
     * Runs a batch given as NHWC floats (RGB order as given, no swap, no scaling): one flat NHWC array per [yolo]
     * layer, in {@code spec.yoloLayers()} order.
     */
    @Override
    public float[][] run(float[] nhwc, int batch) {
        Shape in = spec.inputShape();
        int h = in.height();
        int w = in.width();
        int c = in.channels();
        long expected = (long) batch * h * w * c;
        if (batch < 1 || nhwc.length != expected) {
            throw new IllegalArgumentException("input has " + nhwc.length + " floats, expected " + expected + " for batch "
                    + batch + " of " + in);
        }
        float[] nchw = new float[nhwc.length];
        int plane = h * w;
        for (int b = 0; b < batch; b++) {
            int base = b * plane * c;
            for (int p = 0; p < plane; p++) {
                for (int ch = 0; ch < c; ch++) {
                    nchw[base + ch * plane + p] = nhwc[base + p * c + ch];
                }
            }
        }
        float[][] out = new float[headShapes.length][];
        try (Mat blob = new Mat(new int[] {batch, c, h, w}, opencv_core.CV_32F);
             MatVector results = new MatVector()) {
            try (FloatPointer data = new FloatPointer(blob.data())) {
                data.put(nchw, 0, nchw.length);
            }
            net.setInput(blob);
            net.forward(results, headNames);
            for (int k = 0; k < headShapes.length; k++) {
                out[k] = toNhwc(results.get(k), batch, headShapes[k]);
            }
        }
        return out;
    }

    private static float[] toNhwc(Mat m, int batch, int[] shape) {
        int oh = shape[0];
        int ow = shape[1];
        int oc = shape[2];
        if (m.dims() != 4 || m.size(0) != batch || m.size(1) != oc || m.size(2) != oh || m.size(3) != ow
                || !m.isContinuous()) {
            throw new IllegalStateException("unexpected OpenCV output layout: dims " + m.dims());
        }
        float[] nchw = new float[batch * oc * oh * ow];
        try (FloatPointer data = new FloatPointer(m.data())) {
            data.get(nchw, 0, nchw.length);
        }
        float[] nhwc = new float[nchw.length];
        int plane = oh * ow;
        for (int b = 0; b < batch; b++) {
            int base = b * plane * oc;
            for (int ch = 0; ch < oc; ch++) {
                for (int p = 0; p < plane; p++) {
                    nhwc[base + p * oc + ch] = nchw[base + ch * plane + p];
                }
            }
        }
        return nhwc;
    }

    @Override
    public void close() {
        headNames.close();
        net.close();
    }
}
