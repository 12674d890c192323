package dev.edgeslim.detector.train;

import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

import java.util.ArrayList;
import java.util.List;

/** Feeds for one training step; owns the tensors it creates and closes them after the run. */
public final class StepFeeds implements AutoCloseable {
    private final Session.Runner runner;
    private final List<AutoCloseable> owned = new ArrayList<>();

    StepFeeds(Session.Runner runner) {
        this.runner = runner;
    }

    public void feed(Operand<?> placeholder, float[] values, long... shape) {
        TFloat32 t = TFloat32.tensorOf(Shape.of(shape), DataBuffers.of(values, true, false));
        owned.add(t);
        runner.feed(placeholder, t);
    }

    public void feedScalar(Operand<?> placeholder, float value) {
        TFloat32 t = TFloat32.scalarOf(value);
        owned.add(t);
        runner.feed(placeholder, t);
    }

    /** The underlying runner, for terms that need more than float feeds. */
    public Session.Runner runner() {
        return runner;
    }

    /** Registers something created elsewhere (a tensor, a feed bundle) to be closed after the step. */
    public void own(AutoCloseable resource) {
        owned.add(resource);
    }

    @Override
    public void close() {
        for (AutoCloseable c : owned) {
            try {
                c.close();
            } catch (Exception e) {
                throw new IllegalStateException("cannot release a step's tensors", e);
            }
        }
        owned.clear();
    }
}
