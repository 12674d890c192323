package dev.edgeslim.detector.graph;

import org.tensorflow.Operand;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * One parameter tensor of a convolution as a TF variable.
 *
 * @param layer    the convolution's layer index in the {@code NetworkSpec}
 * @param kind     what it holds
 * @param variable the (ref) variable: target of optimiser updates and assignments
 * @param value    {@code tf.identity(variable)}, the read every tower uses. Take gradients with respect to this
 *                 operand, never the variable itself: gradient ops applied directly to a ref variable's output
 *                 have crashed the JVM (see notes/tf-java.md).
 */
public record ModelVariable(int layer, ParamKind kind, Variable<TFloat32> variable, Operand<TFloat32> value) {

    /** Element count (the product of the variable's static shape). */
    public long size() {
        return variable.shape().size();
    }

    @Override
    public String toString() {
        return "layer " + layer + " " + kind + " " + variable.shape();
    }
}
