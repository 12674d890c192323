package dev.edgeslim.compressor.export.tflite;

import dev.edgeslim.detector.io.AtomicFiles;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/** An exported model: the .tflite bytes and the metadata describing its input and outputs. */
public record ExportedTflite(ByteBuffer model, TfliteMetadata metadata) {

    public ExportedTflite {
        model = model.asReadOnlyBuffer();
    }

    /** A read-only view of the .tflite file's bytes. */
    @Override
    public ByteBuffer model() {
        return model.duplicate();
    }

    public long sizeBytes() {
        return model.remaining();
    }

    /**
     * Writes {@code file} and {@code file.json} ({@link TfliteMetadata#fileFor}), each atomically; if the
     * metadata cannot be written the model is removed again, so a model never appears without its metadata.
     */
    public void write(Path file) throws IOException {
        AtomicFiles.write(file, out -> {
            WritableByteChannel channel = Channels.newChannel(out);
            ByteBuffer data = model();
            while (data.hasRemaining()) {
                channel.write(data);
            }
        });
        try {
            metadata.write(TfliteMetadata.fileFor(file));
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(file);
            throw e;
        }
    }
}
