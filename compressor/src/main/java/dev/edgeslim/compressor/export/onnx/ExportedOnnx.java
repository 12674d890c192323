package dev.edgeslim.compressor.export.onnx;

import dev.edgeslim.detector.io.AtomicFiles;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * An exported ONNX model: the file's bytes, its graph output names in [yolo] order and the metadata_props it carries
 * (class names, anchors, strides, input normalisation, output layout).
 */
public record ExportedOnnx(byte[] model, List<String> outputNames, Map<String, String> metadata) {

    public ExportedOnnx {
        outputNames = List.copyOf(outputNames);
        metadata = Map.copyOf(metadata);
    }

    /** A copy of the file's bytes. */
    @Override
    public byte[] model() {
        return model.clone();
    }

    public long sizeBytes() {
        return model.length;
    }

    /** Writes the model atomically (temporary file, then rename): the file is the whole model or absent. */
    public void write(Path file) throws IOException {
        AtomicFiles.writeBytes(file, model);
    }
}
