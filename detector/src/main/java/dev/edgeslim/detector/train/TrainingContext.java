package dev.edgeslim.detector.train;

import dev.edgeslim.detector.graph.DarknetGraph;
import dev.edgeslim.detector.graph.DarknetVariables;
import dev.edgeslim.detector.model.NetworkSpec;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * What loss terms and gradient modifiers see while the training graph is built: the graph's ops, the student's
 * spec and variables, its training tower (BN in training mode) and the shared image input.
 */
public record TrainingContext(Ops tf, NetworkSpec spec, DarknetVariables variables, DarknetGraph trainingTower,
                              Placeholder<TFloat32> input) {
}
