package dev.edgeslim.detector.train;

/**
 * Hyper-parameters of one training run. {@code weightDecay} applies to convolution kernels only (as darknet);
 * {@code bnMomentum} is the moving-average keep factor of batch-norm statistics; {@code checkpointEvery} is in
 * iterations (0: only at epoch ends).
 */
public record TrainingOptions(int epochs, int batchSize, LearningRateSchedule schedule, double momentum,
                              double weightDecay, float bnMomentum, int threads, long seed, int checkpointEvery,
                              String name) {
    public TrainingOptions {
        if (epochs <= 0 || batchSize <= 0 || threads <= 0) {
            throw new IllegalArgumentException("epochs, batch size and threads must be positive");
        }
        if (!(momentum >= 0 && momentum < 1) || weightDecay < 0) {
            throw new IllegalArgumentException("momentum must be in [0,1) and weight decay non-negative");
        }
    }

    public static TrainingOptions defaults(int epochs, int batchSize, double learningRate, int burnIn) {
        return new TrainingOptions(epochs, batchSize, LearningRateSchedule.cosine(learningRate, burnIn), 0.9, 5e-4,
                0.99f, Math.max(1, Runtime.getRuntime().availableProcessors()), 1, 0, "train");
    }

    public TrainingOptions withEpochs(int newEpochs) {
        return new TrainingOptions(newEpochs, batchSize, schedule, momentum, weightDecay, bnMomentum, threads, seed,
                checkpointEvery, name);
    }

    public TrainingOptions withName(String newName) {
        return new TrainingOptions(epochs, batchSize, schedule, momentum, weightDecay, bnMomentum, threads, seed,
                checkpointEvery, newName);
    }

    public TrainingOptions withCheckpointEvery(int iterations) {
        return new TrainingOptions(epochs, batchSize, schedule, momentum, weightDecay, bnMomentum, threads, seed,
                iterations, name);
    }

    public TrainingOptions withSeed(long newSeed) {
        return new TrainingOptions(epochs, batchSize, schedule, momentum, weightDecay, bnMomentum, threads, newSeed,
                checkpointEvery, name);
    }
}
