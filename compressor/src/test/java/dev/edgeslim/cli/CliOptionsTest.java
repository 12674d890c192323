package dev.edgeslim.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Command-line parsing shared by every command. */
class CliOptionsTest {
    private static CliOptions options() {
        return new CliOptions("test").value("epochs", "N", "epochs").flag("quiet", "quiet")
                .repeatable("model", "SPEC", "a model");
    }

    private static final PrintStream NOWHERE = new PrintStream(new ByteArrayOutputStream());

    @Test
    void aValueFlagGivenTwiceIsAUsageErrorNotASilentlyIgnoredValue() {
        UsageException e = assertThrows(UsageException.class,
                () -> options().parse(List.of("--epochs", "1", "--epochs", "2"), NOWHERE));
        assertTrue(e.getMessage().contains("--epochs is given more than once"), e.getMessage());
        assertThrows(UsageException.class, () -> options().parse(List.of("--quiet", "--quiet"), NOWHERE));
    }

    @Test
    void repeatableFlagsKeepEveryValueInOrder() {
        CliOptions.Parsed p = options().parse(List.of("--model", "a", "--epochs", "3", "--model", "b"), NOWHERE);
        assertEquals(List.of("a", "b"), p.values("model"));
        assertEquals(3, p.integer("epochs", 1, 1, 10));
    }

    @Test
    void aStrayWordIsAUsageErrorUnlessTheCommandTakesArguments() {
        // "--epochs 5 10": the 10 would otherwise be dropped without a word
        UsageException e = assertThrows(UsageException.class,
                () -> options().parse(List.of("--epochs", "5", "10"), NOWHERE));
        assertEquals("unexpected argument '10' (see --help)", e.getMessage());
        CliOptions.Parsed p = options().positionalArguments().parse(List.of("model.cfg", "--epochs", "5"), NOWHERE);
        assertEquals(List.of("model.cfg"), p.positional());
    }

    @Test
    void everyCommandRefusesAStrayWordWithOneLineAndExitOne() {
        for (String command : List.of("train", "eval", "detect", "sparse-train", "distill", "compress", "demo",
                "convert-dataset", "pin-model")) {
            CliRunner r = CliRunner.run(command, "stray");
            assertEquals(1, r.code(), command + ": " + r.err());
            assertTrue(r.err().contains("unexpected argument 'stray'"), command + ": " + r.err());
        }
    }
}
