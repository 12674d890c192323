package dev.edgeslim.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgeslim.detector.io.OutputFiles;
import dev.edgeslim.detector.cfg.CfgParser;
import dev.edgeslim.detector.darknet.DarknetModel;
import dev.edgeslim.detector.data.VocClasses;
import dev.edgeslim.detector.graph.InferenceModel;
import dev.edgeslim.detector.image.DetectionDrawer;
import dev.edgeslim.detector.image.ImageLoader;
import dev.edgeslim.detector.image.RgbImage;
import dev.edgeslim.detector.io.BadInputException;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.model.YoloHeads;
import dev.edgeslim.detector.postprocess.Detection;
import dev.edgeslim.detector.postprocess.Detector;
import dev.edgeslim.detector.postprocess.DetectorOptions;
import dev.edgeslim.detector.weights.WeightStore;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code edgeslim detect}: runs a darknet model on one image with TF Java, prints the detections and draws them
 * into an output image. JSON fields: {@code image, width, height, millis, detections[{class_id, class, score, x1,
 * y1, x2, y2}]} (pixel coordinates in the input image).
 */
public final class DetectCommand implements Command {
    @Override
    public String name() {
        return "detect";
    }

    @Override
    public String summary() {
        return "detect objects in an image and draw the boxes";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
        CliOptions options = new CliOptions("edgeslim detect --cfg MODEL.cfg --weights W --image IN [--out OUT.jpg [--force]]")
                .value("cfg", "FILE", "darknet cfg (required)")
                .value("weights", "FILE", "darknet weights (required)")
                .value("image", "FILE", "input image (required)")
                .value("out", "FILE", "output image with boxes (.jpg or .png)")
                .value("names", "FILE", ClassNames.HELP)
                .value("conf", "P", "confidence threshold (default 0.25)")
                .value("nms", "IOU", "NMS IoU threshold (default 0.45)")
                .value("size", "S", "input size (default: the cfg's)")
                .value("threads", "N", "TF threads (default: all cores)")
                .flag("force", "replace an --out file that is not an image")
                .flag("json", "print JSON");
        CliOptions.Parsed p = options.parse(args, out);
        if (p == null) {
            return OK;
        }
        Path cfg = p.requiredPath("cfg");
        Path weightsFile = p.requiredPath("weights");
        Path imageFile = p.requiredPath("image");
        Path outFile = p.path("out");
        if (outFile != null) {
            String n = outFile.getFileName().toString().toLowerCase();
            if (!(n.endsWith(".jpg") || n.endsWith(".jpeg") || n.endsWith(".png"))) {
                throw new UsageException("--out must end in .jpg, .jpeg or .png");
            }
            OutputFiles.checkReplaceable(outFile, OutputFiles.IMAGE, p.has("force"));
        }
        float conf = (float) p.number("conf", 0.25, 0, 1);
        float nms = (float) p.number("nms", 0.45, 0, 1);
        int size = p.integer("size", 0, 32, 4096);
        int threads = p.integer("threads", Runtime.getRuntime().availableProcessors(), 1, 256);

        DarknetModel darknet = DarknetModel.load(cfg, weightsFile);
        NetworkSpec spec = size > 0 ? DarknetModel.atInputSize(darknet.spec(), size, cfg) : darknet.spec();
        WeightStore weights = darknet.weights();
        VocClasses known = ClassNames.givenOrRecorded(p, cfg, weightsFile, spec.classes());
        List<String> names = known != null ? known.names()
                : spec.classes() == VocClasses.VOC.size() ? VocClasses.VOC.names() : null;
        RgbImage image = ImageLoader.read(imageFile);
        List<Detection> detections;
        long nanos;
        try (InferenceModel model = InferenceModel.create(spec, weights, threads)) {
            Detector detector = new Detector(model, YoloHeads.of(spec), spec.net().resizeMode(),
                    DetectorOptions.defaults().withConfThreshold(conf).withIouThreshold(nms), names);
            detector.detect(image.rgb(), image.width(), image.height()); // warm-up: first run optimises the graph
            long t0 = System.nanoTime();
            detections = detector.detect(image.rgb(), image.width(), image.height());
            nanos = System.nanoTime() - t0;
        }
        if (outFile != null) {
            new DetectionDrawer().drawAndWrite(image, detections, outFile);
        }
        if (p.has("json")) {
            ObjectNode n = Json.object();
            n.put("image", imageFile.toString());
            n.put("width", image.width());
            n.put("height", image.height());
            n.put("millis", nanos / 1e6);
            ArrayNode list = n.putArray("detections");
            for (Detection d : detections) {
                ObjectNode dn = list.addObject();
                dn.put("class_id", d.classId());
                dn.put("class", d.label());
                dn.put("score", d.score());
                dn.put("x1", d.x1());
                dn.put("y1", d.y1());
                dn.put("x2", d.x2());
                dn.put("y2", d.y2());
            }
            out.println(Json.write(n));
        } else {
            for (Detection d : detections) {
                out.printf("%-12s %.3f  [%.0f, %.0f, %.0f, %.0f]%n", d.label(), d.score(), d.x1(), d.y1(), d.x2(), d.y2());
            }
            out.printf("%d detections in %.1f ms%s%n", detections.size(), nanos / 1e6,
                    outFile == null ? "" : ", drawn to " + outFile);
        }
        return OK;
    }
}
