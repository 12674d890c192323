package dev.edgeslim.android;

/**
 * A model or its metadata cannot be used: the message is one readable sentence naming the file and what is wrong,
 * meant to be shown to the user as it is (the app prints it on screen instead of crashing).
 */
public final class ModelLoadException extends Exception {
    private static final long serialVersionUID = 1L;

    public ModelLoadException(String message) {
        super(message);
    }

    public ModelLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
