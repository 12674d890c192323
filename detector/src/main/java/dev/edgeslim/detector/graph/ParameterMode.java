package dev.edgeslim.detector.graph;

/** How a {@link DarknetGraph} holds the network's parameters. */
public enum ParameterMode {
    /** Weights baked into the graph as constants, batch norm folded into the kernels: inference and export. */
    INFERENCE_CONSTANT,
    /** Parameters live in TF variables ({@link DarknetVariables}) shared by training and inference towers. */
    VARIABLES
}
