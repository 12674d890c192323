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
     * Writes {@code file} and {@code file.json} ({@link TfliteMetadata#fileFor}), each atomically. The old metadata
     * file goes first and the new one comes last, so whenever the process dies a metadata file beside the model
     * describes that very model (a model alone is still complete: it embeds the same metadata); if the metadata
     * cannot be written the model is removed again.
     */
    public void write(Path file) throws IOException {
        Files.deleteIfExists(TfliteMetadata.fileFor(file));
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
