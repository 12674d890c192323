package dev.edgeslim.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgeslim.detector.io.OutputFiles;
import dev.edgeslim.detector.cfg.CfgWriter;
import dev.edgeslim.detector.darknet.DarknetModel;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.model.SpecLimits;
import dev.edgeslim.detector.model.builtin.BuiltinModels;
import dev.edgeslim.detector.weights.WeightInitializer;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * {@code edgeslim create-model --arch NAME [--classes 20] [--size 416] --out MODEL.cfg [--weights-out W --seed 1]}:
 * writes one of EdgeSlim's built-in models ({@link BuiltinModels#byName}) as a darknet cfg and, optionally, seeded
 * training-initial weights ({@link WeightInitializer#forTraining}). Default classes 20 (PASCAL VOC).
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
        CliOptions options = new CliOptions("edgeslim create-model --arch NAME [--classes N] [--size S] --out MODEL.cfg"
                + " [--weights-out MODEL.weights [--seed N]] [--force] [--json]")
                .required("arch", "NAME", "model: " + BuiltinModels.NAME_FORMS)
                .value("classes", "N", "number of classes (default " + DEFAULT_CLASSES + ", PASCAL VOC)")
                .value("size", "S", "input width = height, a multiple of 32 (default " + DEFAULT_SIZE + ")")
                .required("out", "FILE", "cfg file to write")
                .value("weights-out", "FILE", "also write training-initial darknet weights (He init, BN gamma=1)")
                .value("seed", "N", "random seed for --weights-out (default 1)")
                .flag("force", "replace output files that are not a darknet cfg / darknet weights")
                .flag("json", "print machine-readable JSON instead of a summary");
        CliOptions.Parsed p = options.parse(args, out);
        if (p == null) {
            return OK;
        }
        String arch = p.required("arch").trim().toLowerCase(Locale.ROOT);
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

        NetworkSpec spec;
        try {
            spec = BuiltinModels.byName(arch, classes, size);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
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
