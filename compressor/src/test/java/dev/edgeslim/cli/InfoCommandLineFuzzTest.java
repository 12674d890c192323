package dev.edgeslim.cli;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.edgeslim.detector.TinyModels;
import dev.edgeslim.detector.fuzz.FuzzFiles;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes the command line end to end through {@code edgeslim info} (flags, numeric values, file arguments): the
 * exit code is 0, 1 (usage) or 2 (bad input) and every error is one line on stderr with no stack trace — never 3
 * (an unexpected failure).
 * Fuzzing: {@code .ci/fuzz 2m InfoCommandLineFuzzTest#infoCommandLine}.
 */
class InfoCommandLineFuzzTest {
    private static final List<String> WORDS = List.of("--size", "--weights", "--json", "--help", "--verbose",
            "--threads", "-h", "--", "tiny.cfg", "tiny.weights", "missing.cfg", "0", "-1", "320", "2147483648",
            "1e3", "NaN", "", " ");

    /** Input: a sequence of words, each either picked from a list of meaningful ones or a fuzzed string. */
    @FuzzTest(maxDuration = "3m")
    void infoCommandLine(FuzzedDataProvider data) {
        Path dir = FuzzFiles.dir();
        FuzzFiles.write("tiny.cfg", TinyModels.yolo(32, 4).getBytes());
        List<String> args = new ArrayList<>(List.of("info"));
        while (data.remainingBytes() > 0 && args.size() < 12) {
            if (data.consumeBoolean()) {
                String word = data.pickValue(WORDS); // a file name among them stands for that file in the scratch folder
                args.add(word.endsWith(".cfg") || word.endsWith(".weights") ? dir.resolve(word).toString() : word);
            } else {
                args.add(data.consumeString(24));
            }
        }
        CliRunner r = CliRunner.run(args.toArray(String[]::new));
        assertTrue(r.code() == 0 || r.code() == 1 || r.code() == 2, "exit " + r.code() + " for " + args + ": "
                + r.err());
        if (r.code() != 0 && !args.contains("--verbose")) {
            // (not CliRunner.oneLineError: a fuzzed file name may well contain the word "Exception")
            String err = r.err().strip();
            assertTrue(!err.isEmpty() && err.indexOf('\n') < 0 && !err.contains("\tat "), "not one line for " + args
                    + ": " + r.err());
        }
    }
}
