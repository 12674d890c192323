package dev.edgeslim.compressor.bench;

/** One runtime's forward pass, as the latency benchmark times it. */
public interface TimedModel extends AutoCloseable {
    /** Short runtime name for reports, e.g. "tensorflow-java". */
    String name();

    /** One forward pass of {@code batch} NHWC images; outputs are fetched (copied out) as a caller would. */
    void run(float[] nhwc, int batch);

    @Override
    void close();
}
