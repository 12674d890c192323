package dev.edgeslim.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgeslim.detector.io.BadInputException;
import dev.edgeslim.detector.io.OutputFiles;
import dev.edgeslim.detector.cfg.CfgParser;
import dev.edgeslim.detector.cfg.CfgWriter;
import dev.edgeslim.detector.darknet.DarknetModel;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.model.SpecLimits;
import dev.edgeslim.detector.model.builtin.BuiltinModels;
import dev.edgeslim.detector.model.builtin.ModelScale;
import dev.edgeslim.detector.model.builtin.WidthScaling;
import dev.edgeslim.detector.weights.WeightInitializer;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * {@code edgeslim create-model --arch NAME [--classes 20] [--size 416] --out MODEL.cfg [--weights-out W --seed 1]}:
 * writes one of EdgeSlim's built-in models ({@link BuiltinModels#byName}) as a darknet cfg and, optionally, seeded
 * training-initial weights ({@link WeightInitializer#forTraining}). Default classes 20 (PASCAL VOC).
 * {@code --from FILE.cfg [--width W]} derives the model from any darknet cfg instead ({@link WidthScaling}: its
 * channels times W, the given classes; defaults: the cfg's own classes and size).
 * JSON fields ({@code --json}): {@code arch} (the name, lower case), {@code classes}, {@code size} (input width =
 * height), {@code layers}, {@code params}, {@code bflops} (at {@code size}), {@code cfg} (written path),
 * {@code weights} (written path or null), {@code seed} (null without weights).
 */
public final class CreateModelCommand implements Command {
    static final int DEFAULT_CLASSES = 20;
    static final int DEFAULT_SIZE = 416;

    @Override
    public String name() {
        return "create-model";
    }

    @Override
    public String summary() {
        return "write a built-in model (yolov4, yolov4-tiny, scaled variants) as cfg [+ initial weights]";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
        CliOptions options = new CliOptions("edgeslim create-model (--arch NAME | --from FILE.cfg [--width W]) "
                + "[--classes N] [--size S] --out MODEL.cfg [--weights-out MODEL.weights [--seed N]] [--force] "
                + "[--json]")
                .value("arch", "NAME", "built-in model: " + BuiltinModels.NAME_FORMS)
                .value("from", "FILE", "instead of --arch: a darknet cfg (e.g. yolov4-csp.cfg) to derive the model "
                        + "from")
                .value("width", "W", "with --from: multiply every convolution's channels by W, rounded up to a "
                        + "multiple of 8 (default 1)")
                .value("classes", "N", "number of classes (default " + DEFAULT_CLASSES
                        + ", PASCAL VOC; with --from: the cfg's)")
                .value("size", "S", "input width = height, a multiple of 32 (default " + DEFAULT_SIZE
                        + "; with --from: the cfg's)")
                .required("out", "FILE", "cfg file to write")
                .value("weights-out", "FILE", "also write training-initial darknet weights (He init, BN gamma=1)")
                .value("seed", "N", "random seed for --weights-out (default 1)")
                .flag("force", "replace output files that are not a darknet cfg / darknet weights")
                .flag("json", "print machine-readable JSON instead of a summary");
        CliOptions.Parsed p = options.parse(args, out);
        if (p == null) {
            return OK;
        }
        Path from = p.path("from");
        if ((from == null) == !p.has("arch")) {
            throw new UsageException("give either --arch or --from (see --help)");
        }
        if (from == null && p.has("width")) {
            throw new UsageException("--width applies with --from (built-in models take it in the name, e.g. "
                    + "yolov4-w0.25)");
        }
        double width = p.number("width", 1, 1e-3, ModelScale.MAX_MULTIPLE);
        int classes = p.integer("classes", DEFAULT_CLASSES, 1, SpecLimits.MAX_CLASSES);
        int size = p.integer("size", DEFAULT_SIZE, 32, SpecLimits.MAX_INPUT_SIDE);
        Path cfg = p.requiredPath("out");
        Path weightsFile = p.path("weights-out");
        if (p.has("seed") && weightsFile == null) {
            throw new UsageException("--seed only applies with --weights-out");
        }
        int seed = p.integer("seed", 1, 0, Integer.MAX_VALUE);
        OutputFiles.checkReplaceable(cfg, OutputFiles.DARKNET_CFG, p.has("force"));
        if (weightsFile != null) {
            OutputFiles.checkReplaceable(weightsFile, OutputFiles.DARKNET_WEIGHTS, p.has("force"));
        }

        String arch;
        NetworkSpec spec;
        if (from != null) {
            NetworkSpec source = CfgParser.parse(from);
            arch = from.getFileName().toString().replaceFirst("\\.cfg$", "") + (p.has("width") ? "-w" + width : "");
            try {
                spec = WidthScaling.scale(source, width, p.has("classes") ? classes : Math.max(1, source.classes()));
            } catch (IllegalArgumentException e) {
                throw new BadInputException(from, e.getMessage());
            }
            classes = spec.classes();
            if (p.has("size")) {
                spec = DarknetModel.atInputSize(spec, size, from);
            }
            size = spec.net().width();
        } else {
            arch = p.string("arch", "").trim().toLowerCase(Locale.ROOT);
            try {
                spec = BuiltinModels.byName(arch, classes, size);
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            }
        }
        if (weightsFile != null) {
            new DarknetModel(spec, WeightInitializer.forTraining(spec, seed)).write(cfg, weightsFile);
        } else {
            CfgWriter.write(spec, cfg);
        }

        if (p.has("json")) {
            ObjectNode root = Json.object();
            root.put("arch", arch);
            root.put("classes", classes);
            root.put("size", size);
            root.put("layers", spec.size());
            root.put("params", spec.totalParams());
            root.put("bflops", spec.totalFlops() / 1e9);
            root.put("cfg", cfg.toString());
            if (weightsFile == null) {
                root.putNull("weights");
                root.putNull("seed");
            } else {
                root.put("weights", weightsFile.toString());
                root.put("seed", seed);
            }
            out.println(Json.write(root));
        } else {
            out.printf("%s: %d classes, %dx%d, %d layers, %,d params (%.2f M), %.3f BFLOPs%n", arch, classes, size,
                    size, spec.size(), spec.totalParams(), spec.totalParams() / 1e6, spec.totalFlops() / 1e9);
            out.println("cfg: " + cfg);
            if (weightsFile != null) {
                out.println("weights: " + weightsFile + " (training initialisation, seed " + seed + ")");
            }
        }
        return OK;
    }
}
