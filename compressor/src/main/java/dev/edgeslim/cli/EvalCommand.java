package dev.edgeslim.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgeslim.detector.io.OutputFiles;
import dev.edgeslim.detector.cfg.CfgParser;
import dev.edgeslim.detector.darknet.DarknetModel;
import dev.edgeslim.detector.data.VocDataset;
import dev.edgeslim.detector.eval.ClassEvaluation;
import dev.edgeslim.detector.eval.CocoResult;
import dev.edgeslim.detector.eval.EvalReport;
import dev.edgeslim.detector.eval.EvalResult;
import dev.edgeslim.detector.eval.VocResultsWriter;
import dev.edgeslim.detector.graph.InferenceModel;
import dev.edgeslim.detector.inference.DatasetEvaluation;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.model.ResizeMode;
import dev.edgeslim.detector.weights.WeightStore;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code edgeslim eval}: PASCAL VOC mAP@0.5 of a darknet model on a VOCdevkit split, in both conventions
 * (VOC2007 11-point, VOC2010+ all-point), difficult objects ignored, duplicates counted as false positives.
 * Writes (with {@code --report DIR}) {@code <name>-eval.json}, {@code <name>-eval.md} and a PR-curve PNG, and
 * (with {@code --save-detections DIR}) the devkit's {@code comp4_det_<split>_<class>.txt} files.
 * Beside them the COCO-style numbers ({@link dev.edgeslim.detector.eval.CocoEvaluator}).
 * JSON fields: {@code cfg, weights, split, images, seconds, map50_voc07, map50_voc12, map_coco (mAP@[.5:.95]),
 * ap50_coco, ap75_coco, ap_small, ap_medium, ap_large (null when undefined), classes[{name, ap_voc07, ap_voc12,
 * ap_coco, positives, detections, tp, fp}]}.
 */
public final class EvalCommand implements Command {
    @Override
    public String name() {
        return "eval";
    }

    @Override
    public String summary() {
        return "PASCAL VOC mAP@0.5 (VOC07 11-point and VOC2010+ all-point) of a model on a VOCdevkit";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
        CliOptions options = new CliOptions("edgeslim eval --cfg MODEL.cfg --weights W --data VOCDIR [options]")
                .value("cfg", "FILE", "darknet cfg (required)")
                .value("weights", "FILE", "darknet weights (required)")
                .value("data", "DIR", "VOCdevkit root (required)")
                .value("split", "SPEC", "split to evaluate (default test)")
                .value("names", "FILE", ClassNames.HELP)
                .value("metric", "M", "voc07, voc12 or both (default both)")
                .value("size", "S", "input size (default: the cfg's)")
                .value("batch", "N", "images per forward pass (default 8)")
                .value("threads", "N", "TF threads (default: all cores)")
                .value("report", "DIR", "write JSON/markdown report and PR curve here")
                .value("save-detections", "DIR", "write VOC devkit results files (comp4_det_<split>_<class>.txt, plain image ids; "
                        + "one folder a year when the split spans several)")
                .flag("compare-resize", "also evaluate with the other input transform (letterbox for a model that "
                        + "stretches, stretch for one that letterboxes) and print both rows")
                .flag("skip-bad", "skip and count unreadable samples")
                .flag("quiet", "no progress bar")
                .flag("force", "replace report or results files that are not earlier ones")
                .flag("json", "print JSON");
        CliOptions.Parsed p = options.parse(args, out);
        if (p == null) {
            return OK;
        }
        Path cfg = p.requiredPath("cfg");
        Path weightsFile = p.requiredPath("weights");
        Path data = p.requiredPath("data");
        String split = p.string("split", "test");
        String metric = p.string("metric", "both");
        if (!List.of("voc07", "voc12", "both").contains(metric)) {
            throw new UsageException("--metric must be voc07, voc12 or both, got '" + metric + "'");
        }
        int size = p.integer("size", 0, 32, 4096);
        int batch = p.integer("batch", 8, 1, 256);
        int threads = p.integer("threads", Runtime.getRuntime().availableProcessors(), 1, 256);

        DarknetModel darknet = DarknetModel.load(cfg, weightsFile);
        NetworkSpec spec = size > 0 ? DarknetModel.atInputSize(darknet.spec(), size, cfg) : darknet.spec();
        WeightStore weights = darknet.weights();
        VocDataset dataset = ClassNames.open(data, split, VocDataset.Options.defaults().withSkipBad(p.has("skip-bad"))
                .withClasses(ClassNames.forDataset(p, cfg, weightsFile, spec.classes(), data, split)));
        if (dataset.classes().size() != spec.classes()) {
            throw new dev.edgeslim.detector.io.BadInputException(cfg, "the model has " + spec.classes()
                    + " classes but the dataset has " + dataset.classes().size());
        }
        String name = stripExtension(weightsFile.getFileName().toString());
        String splitName = resultsSplitName(split);
        if (p.path("save-detections") != null) {
            try { // refused before the evaluation, not after it
                VocResultsWriter.checkClassNames(dataset.classes().names());
            } catch (IllegalArgumentException e) {
                throw new UsageException("--save-detections: " + e.getMessage());
            }
        }
        checkOutputs(p, name, splitName, dataset.classes().names(), years(dataset));
        DatasetEvaluation.Outcome outcome;
        DatasetEvaluation.Outcome other = null;
        try (InferenceModel model = InferenceModel.create(spec, weights, threads);
             ProgressBar bar = p.has("quiet") ? null : new ProgressBarBuilder().setTaskName("eval")
                     .setInitialMax(dataset.size()).setStyle(ProgressBarStyle.ASCII)
                     .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(err)).build()) {
            outcome = DatasetEvaluation.evaluate(model::run, spec, dataset, batch,
                    DatasetEvaluation.evaluationOptions(), bar == null ? null : bar::stepTo);
            if (p.has("compare-resize")) {
                if (bar != null) {
                    bar.reset();
                }
                other = DatasetEvaluation.evaluate(model::run, spec, otherMode(spec), dataset, batch,
                        DatasetEvaluation.evaluationOptions(), bar == null ? null : bar::stepTo);
            }
        }
        EvalResult r = outcome.result();
        if (p.path("report") != null) {
            EvalReport.writeAll(p.path("report"), name, r);
        }
        if (p.path("save-detections") != null) {
            VocResultsWriter.writePerYear(p.path("save-detections"), splitName,
                    dataset.classes().names(), years(dataset), outcome.detections());
        }
        if (p.has("json")) {
            ObjectNode n = Json.object();
            n.put("cfg", cfg.toString());
            n.put("weights", weightsFile.toString());
            n.put("split", split);
            n.put("images", outcome.images());
            n.put("seconds", outcome.seconds());
            if (!metric.equals("voc12")) {
                n.put("map50_voc07", r.map11Point());
            }
            if (!metric.equals("voc07")) {
                n.put("map50_voc12", r.mapAllPoint());
            }
            CocoResult coco = r.coco();
            putNumber(n, "map_coco", coco.map());
            putNumber(n, "ap50_coco", coco.ap50());
            putNumber(n, "ap75_coco", coco.ap75());
            putNumber(n, "ap_small", coco.apSmall());
            putNumber(n, "ap_medium", coco.apMedium());
            putNumber(n, "ap_large", coco.apLarge());
            var classes = n.putArray("classes");
            for (ClassEvaluation c : r.classes()) {
                ObjectNode cn = classes.addObject();
                cn.put("name", c.className());
                cn.put("ap_voc07", c.ap11Point());
                cn.put("ap_voc12", c.apAllPoint());
                putNumber(cn, "ap_coco", coco.perClass()[c.classId()]);
                cn.put("positives", c.positives());
                cn.put("detections", c.detections());
                cn.put("tp", c.truePositives());
                cn.put("fp", c.falsePositives());
            }
            if (other != null) {
                ObjectNode o = n.putObject("other_resize");
                o.put("resize", otherMode(spec).label());
                o.put("map50_voc07", other.result().map11Point());
                o.put("map50_voc12", other.result().mapAllPoint());
                putNumber(o, "map_coco", other.result().coco().map());
            }
            n.put("resize", spec.net().resizeMode().label());
            out.println(Json.write(n));
        } else {
            out.print(EvalReport.toTable(r));
            out.printf("%d images in %.1f s%n", outcome.images(), outcome.seconds());
            if (!metric.equals("voc12")) {
                out.printf("mAP@0.5 VOC07 11-point: %.4f%n", r.map11Point());
            }
            if (!metric.equals("voc07")) {
                out.printf("mAP@0.5 VOC2010+ all-point: %.4f%n", r.mapAllPoint());
            }
            out.println("COCO-style: " + r.coco().summary());
            if (other != null) {
                out.print(resizeTable(spec, r, other.result()));
            }
        }
        return OK;
    }

    /** The transform a model does not use: the one {@code --compare-resize} measures beside its own. */
    private static ResizeMode otherMode(NetworkSpec spec) {
        return spec.net().resizeMode() == ResizeMode.LETTERBOX ? ResizeMode.STRETCH : ResizeMode.LETTERBOX;
    }

    /** The model's own input transform and the other one, one row each. */
    static String resizeTable(NetworkSpec spec, EvalResult own, EvalResult other) {
        StringBuilder b = new StringBuilder("\n| input transform | mAP@0.5 VOC07 | mAP@0.5 VOC12 | mAP@[.5:.95] COCO |\n"
                + "|---|---|---|---|\n");
        ResizeMode mode = spec.net().resizeMode();
        b.append(String.format(java.util.Locale.ROOT, "| %s (the model's own, letter_box=%s) | %.4f | %.4f | %.4f |%n",
                mode.label(), mode.cfgValue(), own.map11Point(), own.mapAllPoint(), own.coco().map()));
        b.append(String.format(java.util.Locale.ROOT, "| %s (forced) | %.4f (%+.2f pt) | %.4f (%+.2f pt) | %.4f |%n",
                otherMode(spec).label(), other.map11Point(), 100 * (other.map11Point() - own.map11Point()),
                other.mapAllPoint(), 100 * (other.mapAllPoint() - own.mapAllPoint()), other.coco().map()));
        return b.toString();
    }

    /** JSON has no NaN: an undefined AP (no object in an area range, a class without objects) is null. */
    private static void putNumber(ObjectNode n, String field, double value) {
        if (Double.isNaN(value)) {
            n.putNull(field);
        } else {
            n.put(field, value);
        }
    }

    /** The year folders of the split's images, in order. */
    private static List<String> years(VocDataset dataset) {
        return dataset.samples().stream().map(s -> s.yearFolder()).distinct().toList();
    }

    /** The split as the results files name it: {@code test} for {@code test} or {@code 2007:test}. */
    static String resultsSplitName(String spec) {
        List<String> splits = java.util.Arrays.stream(spec.split("\\+")).map(t -> t.substring(t.indexOf(':') + 1).strip())
                .distinct().toList();
        return splits.size() == 1 ? splits.get(0).replaceAll("[^A-Za-z0-9_-]", "_")
                : spec.replaceAll("[^A-Za-z0-9_-]", "_");
    }

    static String stripExtension(String name) {
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }

    /** Refuses, before the evaluation runs, to replace files in --report or --save-detections that are not ours. */
    private static void checkOutputs(CliOptions.Parsed p, String name, String split, List<String> classes,
                                     List<String> years)
            throws java.io.IOException {
        boolean force = p.has("force");
        Path report = p.path("report");
        if (report != null) {
            OutputFiles.checkReplaceable(report.resolve(name + "-eval.json"), OutputFiles.JSON, force);
            OutputFiles.checkReplaceable(report.resolve(name + "-eval.md"), OutputFiles.MARKDOWN, force);
            OutputFiles.checkReplaceable(report.resolve(name + "-pr.png"), OutputFiles.PNG, force);
        }
        Path results = p.path("save-detections");
        if (results != null) {
            for (String year : years) { // one folder a year when the split spans several
                Path folder = years.size() == 1 ? results : results.resolve(year);
                for (String c : classes) {
                    OutputFiles.checkReplaceable(folder.resolve(VocResultsWriter.fileName(split, c)),
                            OutputFiles.VOC_RESULTS, force);
                }
            }
        }
    }
}
