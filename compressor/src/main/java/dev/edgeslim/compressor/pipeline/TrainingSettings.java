package dev.edgeslim.compressor.pipeline;

import dev.edgeslim.detector.data.AugmentOptions;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.train.LearningRateSchedule;
import dev.edgeslim.detector.train.TrainingOptions;

import static dev.edgeslim.compressor.pipeline.ConfigException.require;
import static dev.edgeslim.compressor.pipeline.ConfigException.within;

/**
 * How a training stage trains: the settings every training stage shares (train, sparse training, distillation).
 *
 * @param lr         base learning rate of the cosine schedule, after {@code burnIn} warm-up iterations
 * @param bnMomentum BatchNorm moving-average momentum
 * @param augment    geometric and colour augmentation (false: letterbox only); {@code mosaic} its mosaic probability
 * @param size       input size (a multiple of 32), or 0 for the cfg's own
 * @param split      training split, e.g. {@code 2007:trainval+2012:trainval}
 * @param evalSplit  evaluation split, or {@code none}
 * @param evalEvery  evaluate every this many epochs; 0: once, at the end
 * @param skipBad    skip and count unreadable samples instead of stopping
 * @param classes    the dataset's class names in the model's class order, or null: those a darknet {@code .data}
 *                   file declares, else the 20 VOC classes
 */
public record TrainingSettings(int epochs, int batch, double lr, int burnIn, double momentum, double decay,
                               double bnMomentum, boolean augment, double mosaic, int size, String split,
                               String evalSplit, int evalEvery, int threads, long seed, boolean skipBad,
                               @com.fasterxml.jackson.annotation.JsonIgnore
                               dev.edgeslim.detector.data.VocClasses classes) {
    public TrainingSettings {
        within("epochs", epochs, 1, 100_000);
        within("batch", batch, 1, 1024);
        require(lr >= 1e-7 && lr <= 10, "lr must be within [1e-7, 10], got " + lr);
        within("burnIn", burnIn, 0, 10_000_000);
        require(momentum >= 0 && momentum < 1, "momentum must be within [0, 1), got " + momentum);
        within("decay", decay, 0, 1);
        require(bnMomentum >= 0 && bnMomentum < 1, "bnMomentum must be within [0, 1), got " + bnMomentum);
        within("mosaic", mosaic, 0, 1);
        require(size == 0 || (size >= 32 && size <= 4096 && size % 32 == 0),
                "size must be 0 (the cfg's) or a multiple of 32 within [32, 4096], got " + size);
        require(split != null && !split.isBlank(), "split must name a split");
        require(evalSplit != null && !evalSplit.isBlank(), "evalSplit must name a split, or none");
        within("evalEvery", evalEvery, 0, 100_000);
        within("threads", threads, 1, 256);
        within("seed", seed, 0, Integer.MAX_VALUE);
    }

    /** {@code train}'s defaults: 30 epochs, batch 8, lr 0.005 after 200 warm-up iterations, evaluation every 5. */
    public static TrainingSettings defaults() {
        return new TrainingSettings(30, 8, 0.005, 200, 0.9, 5e-4, 0.99, true, 0.5, 0, "trainval", "test", 5,
                Runtime.getRuntime().availableProcessors(), 1, false, null);
    }

    public TrainingSettings withEpochs(int n) {
        return new TrainingSettings(n, batch, lr, burnIn, momentum, decay, bnMomentum, augment, mosaic, size, split,
                evalSplit, evalEvery, threads, seed, skipBad, classes);
    }

    public TrainingSettings withBatch(int n) {
        return new TrainingSettings(epochs, n, lr, burnIn, momentum, decay, bnMomentum, augment, mosaic, size, split,
                evalSplit, evalEvery, threads, seed, skipBad, classes);
    }

    public TrainingSettings withLr(double rate) {
        return new TrainingSettings(epochs, batch, rate, burnIn, momentum, decay, bnMomentum, augment, mosaic, size,
                split, evalSplit, evalEvery, threads, seed, skipBad, classes);
    }

    public TrainingSettings withBurnIn(int iterations) {
        return new TrainingSettings(epochs, batch, lr, iterations, momentum, decay, bnMomentum, augment, mosaic, size,
                split, evalSplit, evalEvery, threads, seed, skipBad, classes);
    }

    public TrainingSettings withMomentum(double m) {
        return new TrainingSettings(epochs, batch, lr, burnIn, m, decay, bnMomentum, augment, mosaic, size, split,
                evalSplit, evalEvery, threads, seed, skipBad, classes);
    }

    public TrainingSettings withDecay(double d) {
        return new TrainingSettings(epochs, batch, lr, burnIn, momentum, d, bnMomentum, augment, mosaic, size, split,
                evalSplit, evalEvery, threads, seed, skipBad, classes);
    }

    public TrainingSettings withBnMomentum(double m) {
        return new TrainingSettings(epochs, batch, lr, burnIn, momentum, decay, m, augment, mosaic, size, split,
                evalSplit, evalEvery, threads, seed, skipBad, classes);
    }

    /** {@code augment} false: letterbox only; else augmentation with mosaic probability {@code mosaicProbability}. */
    public TrainingSettings withAugmentation(boolean on, double mosaicProbability) {
        return new TrainingSettings(epochs, batch, lr, burnIn, momentum, decay, bnMomentum, on, mosaicProbability,
                size, split, evalSplit, evalEvery, threads, seed, skipBad, classes);
    }

    public TrainingSettings withSize(int s) {
        return new TrainingSettings(epochs, batch, lr, burnIn, momentum, decay, bnMomentum, augment, mosaic, s, split,
                evalSplit, evalEvery, threads, seed, skipBad, classes);
    }

    public TrainingSettings withSplits(String train, String eval) {
        return new TrainingSettings(epochs, batch, lr, burnIn, momentum, decay, bnMomentum, augment, mosaic, size,
                train, eval, evalEvery, threads, seed, skipBad, classes);
    }

    public TrainingSettings withEvalEvery(int n) {
        return new TrainingSettings(epochs, batch, lr, burnIn, momentum, decay, bnMomentum, augment, mosaic, size,
                split, evalSplit, n, threads, seed, skipBad, classes);
    }

    public TrainingSettings withThreads(int n) {
        return new TrainingSettings(epochs, batch, lr, burnIn, momentum, decay, bnMomentum, augment, mosaic, size,
                split, evalSplit, evalEvery, n, seed, skipBad, classes);
    }

    public TrainingSettings withSeed(long s) {
        return new TrainingSettings(epochs, batch, lr, burnIn, momentum, decay, bnMomentum, augment, mosaic, size,
                split, evalSplit, evalEvery, threads, s, skipBad, classes);
    }

    public TrainingSettings withSkipBad(boolean skip) {
        return new TrainingSettings(epochs, batch, lr, burnIn, momentum, decay, bnMomentum, augment, mosaic, size,
                split, evalSplit, evalEvery, threads, seed, skip, classes);
    }

    /** The same settings reading the dataset with these class names (null: declared by the data, else VOC's). */
    public TrainingSettings withClasses(dev.edgeslim.detector.data.VocClasses names) {
        return new TrainingSettings(epochs, batch, lr, burnIn, momentum, decay, bnMomentum, augment, mosaic, size,
                split, evalSplit, evalEvery, threads, seed, skipBad, names);
    }

    /** The class names as a run's manifest records them (null: the data's own, else VOC's). */
    @com.fasterxml.jackson.annotation.JsonProperty("classes")
    public java.util.List<String> classNames() {
        return classes == null ? null : classes.names();
    }

    /** The trainer's options; {@code name} labels progress, metrics and curves. */
    public TrainingOptions options(String name) {
        return new TrainingOptions(epochs, batch, LearningRateSchedule.cosine(lr, burnIn), momentum, decay,
                (float) bnMomentum, threads, seed, 0, name);
    }

    /** Evaluation period in epochs: {@code evalEvery}, or once at the end. */
    public int evaluationPeriod() {
        return evalEvery == 0 ? epochs : evalEvery;
    }

    public AugmentOptions augmentation(NetworkSpec spec) {
        int w = spec.net().width();
        int h = spec.net().height();
        return augment ? AugmentOptions.defaults(w, h).withMosaic(mosaic) : AugmentOptions.evaluation(w, h);
    }

    /** {@code spec} at this training's input size. */
    public NetworkSpec sized(NetworkSpec spec) {
        return size > 0 ? spec.withInputSize(size, size) : spec;
    }
}
