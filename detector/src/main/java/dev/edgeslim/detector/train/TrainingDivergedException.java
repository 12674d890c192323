package dev.edgeslim.detector.train;

/** The loss became NaN or infinite: a runtime failure of the run (exit code 3), not bad input. */
public class TrainingDivergedException extends RuntimeException {
    public TrainingDivergedException(String message) {
        super(message);
    }
}
