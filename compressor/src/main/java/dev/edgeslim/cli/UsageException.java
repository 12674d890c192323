package dev.edgeslim.cli;

/** The command line itself is wrong (unknown flag, missing argument): exit code 1. */
public class UsageException extends RuntimeException {
    public UsageException(String message) {
        super(message);
    }
}
