package dev.edgeslim.compressor.export.lowering;

/** The network or its weights cannot be expressed as the requested model (the message says why). */
public final class ModelNotExportableException extends RuntimeException {
    public ModelNotExportableException(String message) {
        super(message);
    }
}
