package dev.edgeslim.compressor.export.tflite;

/** The network or its weights cannot be expressed as the requested TFLite model (the message says why). */
final class ModelNotExportableException extends RuntimeException {
    ModelNotExportableException(String message) {
        super(message);
    }
}
