package dev.edgeslim.detector.train;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Map;

/** A console progress bar with ETA, current loss (smoothed) and images/s. */
public final class ProgressListener implements TrainingListener {
    private final String task;
    private final PrintStream stream;
    private ProgressBar bar;
    private double smoothedLoss = Double.NaN;
    private double smoothedSpeed = Double.NaN;
    private String lastEval = "";

    public ProgressListener(String task, PrintStream stream) {
        this.task = task;
        this.stream = stream;
    }

    @Override
    public void onStart(long startIteration, long totalIterations) {
        bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(totalIterations)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500).setMaxRenderedLength(120)
                .startsFrom(startIteration, Duration.ZERO)
                .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(stream)).build();
    }

    @Override
    public void onStep(StepMetrics step) {
        double loss = step.total();
        smoothedLoss = Double.isNaN(smoothedLoss) ? loss : 0.9 * smoothedLoss + 0.1 * loss;
        double speed = step.imagesPerSecond();
        smoothedSpeed = Double.isNaN(smoothedSpeed) ? speed : 0.9 * smoothedSpeed + 0.1 * speed;
        bar.stepTo(step.iteration() + 1);
        bar.setExtraMessage(String.format("ep %d loss %.3f %.1f img/s%s", step.epoch() + 1, smoothedLoss,
                smoothedSpeed, lastEval));
    }

    @Override
    public void onEpochEnd(int epoch, long iteration, Map<String, Double> results) {
        Double map = results.get("map50");
        if (map != null) {
            lastEval = String.format(" mAP %.3f", map);
        }
    }

    @Override
    public void onFinish(long iteration) {
        if (bar != null) {
            bar.close();
        }
    }
}
