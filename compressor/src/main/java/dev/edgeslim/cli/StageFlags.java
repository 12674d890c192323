package dev.edgeslim.cli;

import dev.edgeslim.compressor.pipeline.DistillationConfig;
import dev.edgeslim.compressor.pipeline.PruningConfig;
import dev.edgeslim.compressor.pipeline.SparseTrainingConfig;
import dev.edgeslim.compressor.pipeline.TrainingSettings;
import dev.edgeslim.compressor.prune.GroupOptions;
import dev.edgeslim.compressor.prune.PlanRule;
import dev.edgeslim.compressor.prune.TargetAllocation;
import dev.edgeslim.compressor.sparsity.AutoStrength;
import dev.edgeslim.compressor.sparsity.SparsitySchedule;
import dev.edgeslim.compressor.sparsity.SparsityWeighting;

import java.util.Locale;

/**
 * The flags the training and compression commands share, and their mapping onto the pipeline's configuration
 * records. Every value is range-checked here with the flag's name, so a bad one is a usage error naming the flag.
 */
final class StageFlags {
    private StageFlags() {
    }

    static final String PRUNE_BLOCKS_HELP = "also remove the N residual blocks whose branch's last batch norm has "
            + "the smallest mean |gamma| (default 0)";

    /** The flags of every training command ({@code train}, {@code sparse-train}, {@code distill}). */
    static CliOptions trainingFlags(CliOptions o) {
        return ClassNames.flag(o).value("epochs", "N", "epochs (default 30)")
                .value("batch", "N", "batch size (default 8)")
                .value("size", "S", "input size, multiple of 32 (default: the cfg's)")
                .value("lr", "RATE", "base learning rate (default 0.005)")
                .value("burn-in", "N", "warm-up iterations (default 200)")
                .value("momentum", "M", "SGD momentum (default 0.9)")
                .value("decay", "D", "weight decay on kernels (default 0.0005)")
                .value("split", "SPEC", "training split, e.g. 2007:trainval+2012:trainval (default trainval)")
                .value("eval-split", "SPEC", "evaluation split (default test; 'none' to skip)")
                .value("eval-every", "N", "evaluate every N epochs (default 5)")
                .value("threads", "N", "TF threads (default: all cores)")
                .value("seed", "N", "seed for initialisation, shuffling and augmentation (default 1)")
                .value("mosaic", "P", "mosaic probability (default 0.5)")
                .flag("no-augment", "letterbox only (no geometric/colour augmentation)")
                .value("bn-momentum", "M", "BatchNorm moving-average momentum (default 0.99; sparse-train 0.9)")
                .flag("skip-bad", "skip and count unreadable samples instead of stopping")
                .flag("resume", "continue from the output folder's last checkpoint")
                .flag("force", "replace EdgeSlim's files in a non-empty output folder")
                .flag("quiet", "no progress bar")
                .flag("json", "print a JSON summary");
    }

    /** The stage flags {@code compress} adds to its own, each named as the stage command names it where it can. */
    static CliOptions compressStageFlags(CliOptions o) {
        return o.value("burn-in", "N", "warm-up iterations of each training stage (default 50)")
                .value("momentum", "M", "SGD momentum (default 0.9)")
                .value("decay", "D", "weight decay on kernels (default 0.0005)")
                .value("mosaic", "P", "mosaic probability (default 0.5)")
                .flag("no-augment", "letterbox only (no augmentation)")
                .flag("skip-bad", "skip and count unreadable samples")
                .value("bn-momentum", "M", "BatchNorm moving-average momentum (default: sparse training 0.9, "
                        + "distillation 0.99)")
                .value("sparse-lr", "RATE", "sparse training's learning rate (default --lr)")
                .value("finetune-lr", "RATE", "fine-tuning's learning rate (default --lr)")
                .value("warmup", "F", "dynamic schedule: fraction of sparse training at full strength (default 0.5)")
                .value("relax-percentile", "P", "dynamic schedule: channels above this global |γ| percentile are "
                        + "relaxed (default 65)")
                .value("prune-percentile", "P", "instead of --ratio: remove channels below the P-th percentile of "
                        + "each group's |γ|")
                .value("groups", "FILE", "group definition file for pruning (default: automatic groups)")
                .value("allocation", "A", "how a target is shared among groups: threshold (default; one |γ| "
                        + "threshold) or quantile")
                .value("rule", "RULE", "how coupled layers agree: union (default), majority, intersection")
                .value("floor-k", "K", "keep at least K channels per layer (default " + GroupOptions.DEFAULT_FLOOR_K
                        + ")")
                .value("floor-percent", "P", "keep at least P% of each layer's channels (default "
                        + (int) GroupOptions.DEFAULT_FLOOR_PERCENT + ")")
                .flag("round8", "round kept channel counts up to multiples of 8")
                .value("prune-blocks", "N", PRUNE_BLOCKS_HELP)
                .value("layers", "LIST", "distillation layers LAYER[:WEIGHT],... (default: automatic)")
                .value("layers-file", "FILE", "distillation layers from a file, one LAYER[:WEIGHT] per line")
                .value("output-weight", "W", "output distillation (teacher's soft objectness/class scores), weight W "
                        + "(default 0: off)")
                .value("temperature", "T", "output distillation temperature (default 2)");
    }

    /** The training flags given, over {@code d} (a flag not given keeps d's value). */
    static TrainingSettings training(CliOptions.Parsed p, TrainingSettings d) {
        int epochs = p.integer("epochs", d.epochs(), 1, 100_000);
        int batch = p.integer("batch", d.batch(), 1, 1024);
        double lr = p.number("lr", d.lr(), 1e-7, 10);
        int burnIn = p.integer("burn-in", d.burnIn(), 0, 10_000_000);
        double momentum = p.number("momentum", d.momentum(), 0, 0.9999);
        double decay = p.number("decay", d.decay(), 0, 1);
        int threads = p.integer("threads", d.threads(), 1, 256);
        int seed = p.integer("seed", (int) d.seed(), 0, Integer.MAX_VALUE);
        double bn = p.number("bn-momentum", d.bnMomentum(), 0, 0.9999);
        double mosaic = p.number("mosaic", d.mosaic(), 0, 1);
        int size = p.integer("size", d.size(), 32, 4096);
        if (size > 0 && size % 32 != 0) {
            throw new UsageException("--size must be a multiple of 32, got " + size);
        }
        int evalEvery = p.integer("eval-every", d.evalEvery(), 1, 100_000);
        return new TrainingSettings(epochs, batch, lr, burnIn, momentum, decay, bn, d.augment() && !p.has("no-augment"),
                mosaic, size, p.string("split", d.split()), p.string("eval-split", d.evalSplit()), evalEvery, threads,
                seed, d.skipBad() || p.has("skip-bad"), d.classes()).withClasses(classes(p, d));
    }

    /**
     * The class names a command's model reads its dataset with (see {@link ClassNames}): {@code --names}, else the
     * model's recorded {@code classes.names}, else a darknet {@code .data} file's, else the 20 VOC classes; the
     * defaults' own when the command has no readable {@code --cfg} (the stage then says what is wrong).
     */
    private static dev.edgeslim.detector.data.VocClasses classes(CliOptions.Parsed p, TrainingSettings d) {
        java.nio.file.Path cfg = p.path("cfg");
        java.nio.file.Path data = p.path("data");
        if (cfg == null || data == null || !java.nio.file.Files.isRegularFile(cfg)) {
            return d.classes();
        }
        java.nio.file.Path weights = p.path("weights");
        int modelClasses = dev.edgeslim.detector.cfg.CfgParser.parse(cfg).classes();
        dev.edgeslim.detector.data.VocClasses names = ClassNames.forDataset(p, cfg, weights, modelClasses, data,
                p.string("split", d.split()));
        if (d.classes() == null) { // what a stage reads without names is left unsaid, as the Java API leaves it
            dev.edgeslim.detector.data.VocClasses declared = dev.edgeslim.detector.data.Datasets.declaredClasses(data);
            if (names.equals(declared != null ? declared : dev.edgeslim.detector.data.VocClasses.VOC)) {
                return null;
            }
        }
        return names;
    }

    /**
     * Sparse training's own flags over {@code training}: {@code --schedule}, {@code --strength}, {@code --reach},
     * {@code --warmup} and the relax percentile under {@code percentileFlag}.
     */
    static SparseTrainingConfig sparse(CliOptions.Parsed p, TrainingSettings training, String percentileFlag) {
        String name = p.string("schedule", "dynamic").toLowerCase(Locale.ROOT);
        SparsitySchedule.Kind kind = switch (name) {
            case "constant" -> SparsitySchedule.Kind.CONSTANT;
            case "dynamic" -> SparsitySchedule.Kind.DYNAMIC;
            case "linear" -> SparsitySchedule.Kind.LINEAR;
            default -> throw new UsageException("unknown sparsity schedule '" + p.string("schedule", "")
                    + "' (constant, dynamic, linear)");
        };
        boolean auto = p.string("strength", "auto").equals("auto");
        Double strength = auto ? null : p.number("strength", 0, 0, 1);
        double reach = reach(p);
        double warmup = p.number("warmup", 0.5, 0, 1);
        double percentile = p.number(percentileFlag, 65, 0.01, 99.99);
        SparsityWeighting weighting = SparsityWeighting.parse(p.string("sparsity-weighting", "uniform")
                .toLowerCase(Locale.ROOT));
        if (weighting == null) {
            throw new UsageException("unknown --sparsity-weighting '" + p.string("sparsity-weighting", "")
                    + "' (uniform, flops, params)");
        }
        return new SparseTrainingConfig(training, kind, strength, reach, warmup, percentile, weighting);
    }

    /** {@code --reach}, which only the automatic strength uses. */
    static double reach(CliOptions.Parsed p) {
        if (p.has("reach") && !p.string("strength", "auto").equals("auto")) {
            throw new UsageException("--reach sizes the automatic strength; it cannot be combined with --strength S");
        }
        return p.number("reach", AutoStrength.DEFAULT_REACH, 0.01, 100);
    }

    /** The pruning flags shared by {@code prune} and {@code compress} over {@code base} (criterion and amount). */
    static PruningConfig pruningOptions(CliOptions.Parsed p, PruningConfig base) {
        if (p.has("allocation") && !base.isTarget()) {
            throw new UsageException("--allocation applies only to --target-params or --target-flops");
        }
        PruningConfig c = base.withAllocation(allocation(p)).withRule(rule(p))
                .withFloor(p.integer("floor-k", GroupOptions.DEFAULT_FLOOR_K, 1, 1 << 20),
                        p.number("floor-percent", GroupOptions.DEFAULT_FLOOR_PERCENT, 0, 100))
                .withRound8(p.has("round8"))
                .withBlocks(p.integer("prune-blocks", 0, 0, 1 << 16));
        return p.has("groups") ? c.withGroups(p.path("groups")) : c;
    }

    /** {@code --rule} (default union). */
    static PlanRule rule(CliOptions.Parsed p) {
        PlanRule rule = PlanRule.parse(p.string("rule", "union"));
        if (rule == null) {
            throw new UsageException("--rule must be union, majority or intersection, got '" + p.string("rule", "") + "'");
        }
        return rule;
    }

    /** {@code --allocation} (default threshold). */
    static TargetAllocation allocation(CliOptions.Parsed p) {
        TargetAllocation allocation = TargetAllocation.parse(p.string("allocation", TargetAllocation.THRESHOLD.id()));
        if (allocation == null) {
            throw new UsageException("--allocation must be threshold or quantile, got '" + p.string("allocation", "")
                    + "'");
        }
        return allocation;
    }

    /** The distillation flags over {@code training}. */
    static DistillationConfig distillation(CliOptions.Parsed p, TrainingSettings training) {
        if (p.has("layers") && p.has("layers-file")) {
            throw new UsageException("give --layers or --layers-file, not both");
        }
        boolean attention = !p.has("no-attention");
        if (!attention && (p.has("layers") || p.has("layers-file"))) {
            throw new UsageException("--layers/--layers-file choose distillation layers; they cannot be combined "
                    + "with --no-attention");
        }
        double weight = p.number("attention-weight", 20, 0, 1e6);
        double outputWeight = p.number("output-weight", 0, 0, 1e6);
        double temperature = p.number("temperature", 2, 0.01, 100);
        DistillationConfig c = new DistillationConfig(training, true, weight, p.string("layers", null),
                p.path("layers-file"), outputWeight, temperature);
        return attention ? c : c.withoutAttention();
    }
}
