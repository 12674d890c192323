package dev.edgeslim.compressor.export.tflite;

import dev.edgeslim.detector.cfg.CfgWriter;
import dev.edgeslim.detector.model.ConvLayer;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.model.Shape;
import dev.edgeslim.detector.weights.DarknetWeights;
import dev.edgeslim.detector.weights.WeightStore;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.MatVector;
import org.bytedeco.opencv.opencv_core.StringVector;
import org.bytedeco.opencv.opencv_dnn.Net;

import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.bytedeco.opencv.global.opencv_core.CV_32F;
import static org.bytedeco.opencv.global.opencv_dnn.readNetFromDarknet;

/**
 * OpenCV DNN's darknet importer as an independent reference: the network is written as a cfg + .weights pair
 * and read back by OpenCV; the raw head maps are the outputs of the layers named {@code conv_<index>} that feed
 * each [yolo] layer (NCHW, converted here to NHWC).
 */
final class OpenCvReference implements AutoCloseable {
    private final Net net;
    private final NetworkSpec spec;

    OpenCvReference(NetworkSpec spec, WeightStore weights, Path dir) throws Exception {
        this.spec = spec;
        Path cfg = dir.resolve("reference.cfg");
        Path w = dir.resolve("reference.weights");
        CfgWriter.write(spec, cfg);
        // a plain write: test scratch files need no fsync
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(w), 1 << 20)) {
            DarknetWeights.writeTo(weights, out);
        }
        net = readNetFromDarknet(cfg.toString(), w.toString());
    }

    float[][] heads(float[] nhwc) {
        Shape in = spec.inputShape();
        int h = in.height();
        int w = in.width();
        int c = in.channels();
        float[] nchw = new float[nhwc.length];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int ch = 0; ch < c; ch++) {
                    nchw[(ch * h + y) * w + x] = nhwc[(y * w + x) * c + ch];
                }
            }
        }
        Mat blob = new Mat(new int[] {1, c, h, w}, CV_32F);
        new FloatPointer(blob.data()).put(nchw);
        net.setInput(blob);
        List<Integer> yolo = spec.yoloLayers();
        StringVector names = new StringVector();
        for (int layer : yolo) {
            int conv = spec.inputsOf(layer).get(0);
            if (!(spec.layer(conv) instanceof ConvLayer)) {
                throw new IllegalArgumentException("[yolo] " + layer + " does not read a convolution");
            }
            names.push_back("conv_" + conv);
        }
        MatVector outs = new MatVector();
        net.forward(outs, names);
        float[][] result = new float[yolo.size()][];
        for (int k = 0; k < yolo.size(); k++) {
            Shape s = spec.shapeOf(yolo.get(k));
            float[] planar = new float[(int) s.elements()];
            new FloatPointer(outs.get(k).data()).get(planar);
            float[] interleaved = new float[planar.length];
            for (int ch = 0; ch < s.channels(); ch++) {
                for (int p = 0; p < s.height() * s.width(); p++) {
                    interleaved[p * s.channels() + ch] = planar[ch * s.height() * s.width() + p];
                }
            }
            result[k] = interleaved;
        }
        blob.close();
        return result;
    }

    @Override
    public void close() {
        net.close();
    }
}
