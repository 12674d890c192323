package dev.edgeslim.detector.data;

import dev.edgeslim.detector.io.BadInputException;

import java.nio.file.Path;

/**
 * An annotation names a class that is not in the class list in use. Its own type so that a command can answer it
 * with the class names the whole dataset uses (and how to give them) instead of this one file's complaint.
 */
public final class UnknownClassException extends BadInputException {
    public UnknownClassException(Path file, String message) {
        super(file, message);
    }
}
