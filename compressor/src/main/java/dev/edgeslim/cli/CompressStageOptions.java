package dev.edgeslim.cli;

import dev.edgeslim.compressor.distill.DistillationPairs;
import dev.edgeslim.compressor.prune.GroupFile;
import dev.edgeslim.compressor.prune.GroupOptions;
import dev.edgeslim.detector.io.BadInputException;
import dev.edgeslim.detector.model.NetworkSpec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The stage options {@code compress} passes through to {@code sparse-train}, {@code prune} and {@code distill}:
 * one table says which compress flag goes to which stage under which name, so every stage option is reachable from
 * the one command and {@code --help} lists them all. Values are checked here, before the run's manifest records
 * them, with the same limits the stages apply.
 */
final class CompressStageOptions {
    /** ABLATION: the plain fine-tuning of {@code --ablation}, trained like DISTILL but with no distillation term. */
    enum Stage { SPARSE, PRUNE, DISTILL, ABLATION }

    /** A compress flag ({@code name}), the stages that receive it, and its name there. */
    private record Passthrough(String name, String argName, String stageName, Set<Stage> stages, String help) {
        boolean isFlag() {
            return argName == null;
        }
    }

    private static final Set<Stage> TRAINING = EnumSet.of(Stage.SPARSE, Stage.DISTILL, Stage.ABLATION);

    private static final List<Passthrough> TABLE = List.of(
            // both training stages
            new Passthrough("burn-in", "N", "burn-in", TRAINING, "warm-up iterations of each training stage (default 50)"),
            new Passthrough("momentum", "M", "momentum", TRAINING, "SGD momentum (default 0.9)"),
            new Passthrough("decay", "D", "decay", TRAINING, "weight decay on kernels (default 0.0005)"),
            new Passthrough("mosaic", "P", "mosaic", TRAINING, "mosaic probability (default 0.5)"),
            new Passthrough("no-augment", null, "no-augment", TRAINING, "letterbox only (no augmentation)"),
            new Passthrough("skip-bad", null, "skip-bad", TRAINING, "skip and count unreadable samples"),
            new Passthrough("bn-momentum", "M", "bn-momentum", TRAINING,
                    "BatchNorm moving-average momentum (default: sparse training 0.9, distillation 0.99)"),
            new Passthrough("sparse-lr", "RATE", "lr", EnumSet.of(Stage.SPARSE), "sparse training's learning rate (default --lr)"),
            new Passthrough("finetune-lr", "RATE", "lr", EnumSet.of(Stage.DISTILL, Stage.ABLATION),
                    "fine-tuning's learning rate (default --lr)"),
            // stage 1
            new Passthrough("warmup", "F", "warmup", EnumSet.of(Stage.SPARSE),
                    "dynamic schedule: fraction of sparse training at full strength (default 0.5)"),
            new Passthrough("relax-percentile", "P", "percentile", EnumSet.of(Stage.SPARSE),
                    "dynamic schedule: channels above this global |γ| percentile are relaxed (default 65)"),
            // stage 2
            new Passthrough("prune-percentile", "P", "percentile", EnumSet.of(Stage.PRUNE),
                    "instead of --ratio: remove channels below the P-th percentile of each group's |γ|"),
            new Passthrough("groups", "FILE", "groups", EnumSet.of(Stage.PRUNE),
                    "group definition file for pruning (default: automatic groups)"),
            new Passthrough("allocation", "A", "allocation", EnumSet.of(Stage.PRUNE),
                    "how a target is shared among groups: threshold (default; one |γ| threshold) or quantile"),
            new Passthrough("rule", "RULE", "rule", EnumSet.of(Stage.PRUNE),
                    "how coupled layers agree: union (default), majority, intersection"),
            new Passthrough("floor-k", "K", "floor-k", EnumSet.of(Stage.PRUNE),
                    "keep at least K channels per layer (default " + GroupOptions.DEFAULT_FLOOR_K + ")"),
            new Passthrough("floor-percent", "P", "floor-percent", EnumSet.of(Stage.PRUNE),
                    "keep at least P% of each layer's channels (default " + (int) GroupOptions.DEFAULT_FLOOR_PERCENT + ")"),
            new Passthrough("round8", null, "round8", EnumSet.of(Stage.PRUNE), "round kept channel counts up to multiples of 8"),
            // stage 3
            new Passthrough("layers", "LIST", "layers", EnumSet.of(Stage.DISTILL),
                    "distillation layers LAYER[:WEIGHT],... (default: automatic)"),
            new Passthrough("layers-file", "FILE", "layers-file", EnumSet.of(Stage.DISTILL),
                    "distillation layers from a file, one LAYER[:WEIGHT] per line"),
            new Passthrough("output-weight", "W", "output-weight", EnumSet.of(Stage.DISTILL),
                    "output distillation (teacher's soft objectness/class scores), weight W (default 0: off)"),
            new Passthrough("temperature", "T", "temperature", EnumSet.of(Stage.DISTILL),
                    "output distillation temperature (default 2)"));

    private CompressStageOptions() {
    }

    static CliOptions register(CliOptions options) {
        for (Passthrough t : TABLE) {
            if (t.isFlag()) {
                options.flag(t.name(), t.help());
            } else {
                options.value(t.name(), t.argName(), t.help());
            }
        }
        return options;
    }

    /**
     * Rejects any value a stage would reject, so a run never stops at stage 2 or 3 over a typo after hours of
     * stage 1. {@code spec} is the input network: the group file and the distillation layers refer to its layer
     * indices, which pruning keeps.
     */
    static void check(CliOptions.Parsed p, NetworkSpec spec) {
        // burn-in, momentum, decay, bn-momentum: checked by TrainCommand.options, which compress calls first
        p.number("mosaic", 0.5, 0, 1);
        p.number("sparse-lr", 0.002, 1e-7, 10);
        p.number("finetune-lr", 0.002, 1e-7, 10);
        p.number("warmup", 0.5, 0, 1);
        p.number("relax-percentile", 65, 0.01, 99.99);
        if (p.has("prune-percentile")) {
            double v = p.number("prune-percentile", 50, 0, 100);
            if (v == 100) {
                throw new UsageException("--prune-percentile must be within [0,100), got " + p.string("prune-percentile", ""));
            }
        }
        PruneCommand.rule(p);
        PruneCommand.allocation(p);
        if (p.has("allocation") && !p.has("target-params") && !p.has("target-flops")) {
            throw new UsageException("--allocation applies only to --target-params or --target-flops");
        }
        p.number("output-weight", 0, 0, 1e6);
        p.number("temperature", 2, 0.01, 100);
        p.integer("floor-k", GroupOptions.DEFAULT_FLOOR_K, 1, 1 << 20);
        p.number("floor-percent", GroupOptions.DEFAULT_FLOOR_PERCENT, 0, 100);
        if (p.has("groups")) {
            Path groups = p.path("groups");
            if (!Files.isRegularFile(groups)) {
                throw new BadInputException(groups, "no such file");
            }
            GroupFile.read(groups, spec, GroupOptions.ratio(0));
        }
        if (p.has("layers") || p.has("layers-file")) {
            if (p.has("no-attention")) {
                throw new UsageException("--layers/--layers-file choose distillation layers; they cannot be combined "
                        + "with --no-attention");
            }
            DistillationPairs.checkPairs(spec, DistillCommand.pairs(p, spec, 1), DistillCommand.pairSource(p, ""));
        }
    }

    /** The arguments {@code stage} receives: each given pass-through flag under the stage's own name. */
    static List<String> forStage(CliOptions.Parsed p, Stage stage) {
        List<String> args = new ArrayList<>();
        for (Passthrough t : TABLE) {
            if (!t.stages().contains(stage) || !p.has(t.name())) {
                continue;
            }
            args.add("--" + t.stageName());
            if (!t.isFlag()) {
                args.add(p.string(t.name(), null));
            }
        }
        return args;
    }
}
