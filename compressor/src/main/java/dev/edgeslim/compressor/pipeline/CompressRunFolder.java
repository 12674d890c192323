package dev.edgeslim.compressor.pipeline;

import dev.edgeslim.detector.train.RunFolder;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The layout of a {@code compress} run folder, read back: the input model recorded in its manifest and the final
 * (pruned and fine-tuned) model of the last stage. The stage folder names are defined here, once.
 *
 * @param finished whether the manifest records the last stage as done (else the final files may be missing)
 */
public record CompressRunFolder(Path dir, Path inputCfg, Path inputWeights, Path finalCfg, Path finalWeights,
                                boolean finished) {
    public static final String SPARSE = "1-sparse";
    public static final String PRUNE = "2-prune";
    public static final String DISTILL = "3-distill";
    /** {@code compress --ablation}: the pruned model fine-tuned without distillation, same iterations and seed. */
    public static final String ABLATION = "3-plain-finetune";

    /** Reads {@code dir}'s manifest; {@link dev.edgeslim.detector.io.BadInputException} when it is not a run folder. */
    public static CompressRunFolder open(Path dir) throws IOException {
        PipelineManifest manifest = PipelineManifest.read(dir);
        RunFolder last = new RunFolder(dir.resolve(DISTILL));
        return new CompressRunFolder(dir, manifest.input("cfg"), manifest.input("weights"), last.cfg(),
                last.weights(), manifest.done(DISTILL));
    }
}
