package dev.edgeslim.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.edgeslim.compressor.bench.MachineInfo;
import dev.edgeslim.compressor.models.PinnedModel;
import dev.edgeslim.detector.darknet.DarknetModel;
import dev.edgeslim.detector.data.DatasetFingerprint;
import dev.edgeslim.detector.data.SyntheticVoc;
import dev.edgeslim.detector.data.VocDataset;
import dev.edgeslim.detector.eval.EvalResult;
import dev.edgeslim.detector.graph.InferenceModel;
import dev.edgeslim.detector.inference.DatasetEvaluation;
import dev.edgeslim.detector.io.AtomicFiles;
import dev.edgeslim.detector.io.BadInputException;
import dev.edgeslim.detector.io.JsonErrors;
import dev.edgeslim.detector.io.OutputFolder;
import dev.edgeslim.detector.io.Sha256;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.train.TrainingRun;
import dev.edgeslim.detector.weights.WeightStore;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * {@code edgeslim pin-model}: keeps a finished training run as a pinned model — cfg, weights and class names copied
 * into a folder with {@code model.json} (their SHA-256, the training command, the dataset's generator options and
 * fingerprint, the mAP measured here) — and {@code --check} verifies such a folder against its files and data.
 */
public final class PinModelCommand implements Command {
    static final String CFG = "model.cfg";
    static final String WEIGHTS = "model.weights";
    static final String NAMES = dev.edgeslim.detector.data.VocClasses.FILE_NAME;
    static final String CURVES = "curves.png";
    static final String CURVE = "epochs.jsonl";
    private static final Set<String> OWN = Set.of(CFG, WEIGHTS, NAMES, CURVES, CURVE, PinnedModel.RECORD);

    @Override
    public String name() {
        return "pin-model";
    }

    @Override
    public String summary() {
        return "keep a trained model with its hashes, training command, data fingerprint and mAP (or --check one)";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
        CliOptions options = new CliOptions("edgeslim pin-model --run TRAINDIR --data VOCDIR --out DIR --name NAME "
                + "--command TEXT [options]\n       edgeslim pin-model --check DIR --data VOCDIR")
                .value("run", "DIR", "finished `edgeslim train` output folder (model.cfg, final.weights)")
                .value("data", "DIR", "the VOCdevkit the model was trained on (required)")
                .value("out", "DIR", "folder to write the pinned model into")
                .value("name", "NAME", "the model's name")
                .value("description", "TEXT", "one sentence on what the model is")
                .value("command", "TEXT", "the exact command that trained it")
                .value("epochs", "N", "training epochs (recorded)")
                .value("wall-seconds", "S", "training wall time in seconds (recorded)")
                .value("split", "SPEC", "split to measure mAP on (default test)")
                .value("threads", "N", "TF threads (default: all cores)")
                .value("names", "FILE", ClassNames.HELP)
                .value("check", "DIR", "verify a pinned model: file hashes, data fingerprint and its recorded mAP")
                .value("tolerance", "PT", "with --check: allowed mAP difference in points (default 0.5)")
                .flag("force", "replace a previously pinned model in --out")
                .flag("json", "print JSON");
        CliOptions.Parsed p = options.parse(args, out);
        if (p == null) {
            return OK;
        }
        Path data = p.requiredPath("data");
        int threads = p.integer("threads", Runtime.getRuntime().availableProcessors(), 1, 256);
        if (p.path("check") != null) {
            return check(p.path("check"), data, threads, p.number("tolerance", 0.5, 0, 100), out);
        }
        Path run = p.requiredPath("run");
        Path outDir = p.requiredPath("out");
        String name = p.required("name");
        String command = p.required("command");
        String split = p.string("split", "test");
        Path cfg = run.resolve(TrainingRun.CFG);
        Path weights = run.resolve(TrainingRun.WEIGHTS);
        if (!Files.isRegularFile(weights)) {
            throw new BadInputException(run, "has no " + TrainingRun.WEIGHTS + ": not a finished training run");
        }
        DarknetModel loaded = DarknetModel.load(cfg, weights);
        NetworkSpec spec = loaded.spec();
        WeightStore store = loaded.weights();
        VocDataset dataset = ClassNames.open(data, split, VocDataset.Options.defaults()
                .withClasses(ClassNames.forDataset(p, cfg, weights, spec.classes(), data, split)));
        if (spec.classes() != dataset.classes().size()) {
            throw new BadInputException(cfg, "the model has " + spec.classes() + " classes but the dataset has "
                    + dataset.classes().size());
        }
        OutputFolder.prepare(outDir, p.has("force"), false, OWN);
        EvalResult result = evaluate(spec, store, dataset, threads);
        AtomicFiles.write(outDir.resolve(CFG), o -> Files.copy(cfg, o));
        AtomicFiles.write(outDir.resolve(WEIGHTS), o -> Files.copy(weights, o));
        dataset.classes().write(outDir.resolve(NAMES));
        if (Files.isRegularFile(run.resolve(TrainingRun.CURVES))) {
            AtomicFiles.write(outDir.resolve(CURVES), o -> Files.copy(run.resolve(TrainingRun.CURVES), o));
        }
        AtomicFiles.writeString(outDir.resolve(CURVE), epochLines(run.resolve(TrainingRun.METRICS)));
        PinnedModel model = new PinnedModel(outDir, name, p.string("description", ""),
                new PinnedModel.FileRef(CFG, Sha256.of(outDir.resolve(CFG))),
                new PinnedModel.FileRef(WEIGHTS, Sha256.of(outDir.resolve(WEIGHTS))),
                new PinnedModel.FileRef(NAMES, Sha256.of(outDir.resolve(NAMES))),
                new PinnedModel.Dataset(syntheticOptions(data), SyntheticVoc.FORMAT_VERSION,
                        DatasetFingerprint.of(data)),
                new PinnedModel.Training(command, p.integer("epochs", 0, 0, 1_000_000),
                        p.number("wall-seconds", 0, 0, 1e9), Json.write(MachineInfo.current()).replaceAll("\\s+", " ")),
                new PinnedModel.Evaluation(split, dataset.size(), result.map11Point(), result.mapAllPoint()));
        model.write();
        out.printf("pinned %s in %s: mAP@0.5 %.4f (VOC07) / %.4f (VOC12) on %s (%d images); data %s%n", name, outDir,
                result.map11Point(), result.mapAllPoint(), split, dataset.size(), model.dataset().sha256());
        return OK;
    }

    private static int check(Path folder, Path data, int threads, double tolerancePoints, PrintStream out)
            throws IOException {
        PinnedModel model = PinnedModel.read(folder);
        model.checkFiles();
        model.checkDataset(data);
        DarknetModel loaded = DarknetModel.load(model.cfgPath(), model.weightsPath());
        VocDataset dataset = VocDataset.open(data, model.evaluation().split(),
                VocDataset.Options.defaults().withClasses(dev.edgeslim.detector.data.VocClasses.load(model.namesPath())));
        EvalResult r = evaluate(loaded.spec(), loaded.weights(), dataset, threads);
        double d07 = 100 * (r.map11Point() - model.evaluation().map50Voc07());
        double d12 = 100 * (r.mapAllPoint() - model.evaluation().map50Voc12());
        out.printf("%s: files and data match; mAP@0.5 %.4f (VOC07, recorded %.4f) / %.4f (VOC12, recorded %.4f)%n",
                model.name(), r.map11Point(), model.evaluation().map50Voc07(), r.mapAllPoint(),
                model.evaluation().map50Voc12());
        if (Math.abs(d07) > tolerancePoints || Math.abs(d12) > tolerancePoints) {
            throw new BadInputException(model.recordPath(), String.format("measured mAP differs from the recorded "
                    + "one by %+.2f / %+.2f points (tolerance %.2f)", d07, d12, tolerancePoints));
        }
        return OK;
    }

    /** The pinned model's mAP, measured exactly as {@code edgeslim eval} measures it. */
    static EvalResult evaluate(NetworkSpec spec, WeightStore weights, VocDataset dataset, int threads) {
        try (InferenceModel model = InferenceModel.create(spec, weights, threads)) {
            return DatasetEvaluation.evaluate(model::run, spec, dataset, 8, DatasetEvaluation.evaluationOptions(),
                    null).result();
        }
    }

    /** The generator options of a synth-voc dataset, or null for any other data. */
    private static SyntheticVoc.Options syntheticOptions(Path data) {
        Path manifest = data.resolve(SyntheticVoc.YEAR_FOLDER).resolve(SyntheticVoc.MANIFEST);
        if (!Files.isRegularFile(manifest)) {
            return null;
        }
        JsonNode m;
        try {
            m = new ObjectMapper().readTree(manifest.toFile());
        } catch (IOException e) {
            throw new BadInputException(manifest, "unreadable synth-voc manifest: " + JsonErrors.describe(e));
        }
        if (m == null || !m.path("complete").asBoolean(false)) {
            throw new BadInputException(manifest, "incomplete synthetic dataset");
        }
        return new SyntheticVoc.Options(m.path("trainImages").asInt(), m.path("testImages").asInt(),
                m.path("size").asInt(), m.path("seed").asLong(), 2);
    }

    /** The per-epoch records of a training log (the step records are too many to keep). */
    private static String epochLines(Path metrics) throws IOException {
        if (!Files.isRegularFile(metrics)) {
            return "";
        }
        StringBuilder b = new StringBuilder();
        try (var lines = Files.lines(metrics)) {
            lines.filter(l -> l.startsWith("{\"type\":\"epoch\"")).forEach(l -> b.append(l).append('\n'));
        }
        return b.toString();
    }
}
