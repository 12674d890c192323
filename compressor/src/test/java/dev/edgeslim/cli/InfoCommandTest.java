package dev.edgeslim.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.edgeslim.detector.ReferenceFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InfoCommandTest {

    @Test
    void printsDarknetTotalsForYolov4() {
        CliRunner r = CliRunner.run("info", ReferenceFiles.cfg("yolov4.cfg").toString(), "--size", "416");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("64,363,101 params (64.36 M)"), r.out());
        // darknet prints "Total BFLOPS 60.137": it counts max-pools (size² per output) and shortcut additions too
        assertTrue(r.out().contains("60.137 BFLOPs at 416x416"), r.out());
    }

    @Test
    void jsonHasPerLayerAndTotalParamsAndBflops() throws Exception {
        CliRunner r = CliRunner.run("info", ReferenceFiles.cfg("yolov4-tiny.cfg").toString(), "--size", "416", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode root = Json.MAPPER.readTree(r.out());
        assertEquals(38, root.get("layers").size());
        long sum = 0;
        double bflops = 0;
        for (JsonNode layer : root.get("layers")) {
            sum += layer.get("params").asLong();
            bflops += layer.get("bflops").asDouble();
            assertTrue(layer.has("type") && layer.has("output") && layer.has("inputs"));
        }
        assertEquals(root.get("total").get("params").asLong(), sum);
        assertEquals(6.9, root.get("total").get("bflops").asDouble(), 0.069);
        assertEquals(bflops, root.get("total").get("bflops").asDouble(), 1e-9);
    }

    @Test
    void badInputIsOneLineWithExitCodeTwo(@TempDir Path tmp) throws Exception {
        Path missing = tmp.resolve("missing.cfg");
        CliRunner r = CliRunner.run("info", missing.toString());
        assertEquals(2, r.code());
        assertTrue(r.oneLineError() && r.err().contains("missing.cfg"), r.err());

        Path malformed = tmp.resolve("malformed.cfg");
        Files.writeString(malformed, "[net]\nwidth=64\nheight=64\n[convolutional]\nactivation=banana\n");
        r = CliRunner.run("info", malformed.toString());
        assertEquals(2, r.code());
        assertTrue(r.oneLineError() && r.err().contains("malformed.cfg:5"), r.err());

        Path image = tmp.resolve("photo.cfg");
        Files.write(image, new byte[]{(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 0, 1, 2});
        r = CliRunner.run("info", image.toString());
        assertEquals(2, r.code());
        assertTrue(r.oneLineError(), r.err());
    }

    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> badSections() {
        // after a 4-line [net]: the body, the line the error must name, what it must say
        return java.util.stream.Stream.of(
                org.junit.jupiter.params.provider.Arguments.of("[convolutional]\nfilters=8\n[dropout]\nprobability=1\n",
                        8, "probability must be in [0, 1)"),
                org.junit.jupiter.params.provider.Arguments.of("[convolutional]\nfilters=8\n[dropout]\nprobability=-0.2\n",
                        8, "probability must be in [0, 1)"),
                org.junit.jupiter.params.provider.Arguments.of("[convolutional]\nfilters=6\n[convolutional]\nfilters=8\ngroups=4\n",
                        7, "groups=4 must divide input channels 6"),
                org.junit.jupiter.params.provider.Arguments.of("[convolutional]\nfilters=8\n[convolutional]\nfilters=6\ngroups=4\n",
                        7, "groups=4 must divide input channels 8 and filters 6"),
                org.junit.jupiter.params.provider.Arguments.of("[convolutional]\nfilters=8\n[local]\nfilters=4\n",
                        7, "unsupported section [local]"));
    }

    /** Sections a darknet cfg may bring that EdgeSlim cannot run: one line naming file and line, exit 2, from every command. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("badSections")
    void badSectionsAreOneLineNamingFileAndLine(String body, int line, String message, @TempDir Path tmp)
            throws Exception {
        Path cfg = Files.writeString(tmp.resolve("bad.cfg"), "[net]\nwidth=64\nheight=64\nchannels=3\n" + body);
        for (String[] args : new String[][]{{"info", cfg.toString()},
                {"prune", "--cfg", cfg.toString(), "--weights", tmp.resolve("none.weights").toString(), "--ratio", "0.3",
                        "--out", tmp.resolve("out").toString()}}) {
            CliRunner r = CliRunner.run(args);
            assertEquals(2, r.code(), args[0] + ": " + r.err());
            assertTrue(r.oneLineError(), args[0] + ": " + r.err());
            assertTrue(r.err().contains("bad.cfg:" + line + ":") && r.err().contains(message), args[0] + ": " + r.err());
            assertTrue(Files.notExists(tmp.resolve("out")), "prune wrote nothing");
        }
    }

    @Test
    void weightsAreCheckedAgainstTheCfg(@TempDir Path tmp) throws Exception {
        Path weights = tmp.resolve("truncated.weights");
        Files.write(weights, new byte[1000]);
        CliRunner r = CliRunner.run("info", ReferenceFiles.cfg("yolov4-tiny.cfg").toString(), "--weights", weights.toString());
        assertEquals(2, r.code());
        assertTrue(r.oneLineError() && r.err().contains("truncated") && r.err().contains("floats"), r.err());
    }

    @Test
    void usageErrorsExitWithOne() {
        assertEquals(1, CliRunner.run().code());
        assertEquals(1, CliRunner.run("frobnicate").code());
        assertEquals(1, CliRunner.run("info").code());
        assertEquals(1, CliRunner.run("info", "a.cfg", "--size", "abc").code());
        assertEquals(1, CliRunner.run("info", "a.cfg", "--bogus").code());
        CliRunner help = CliRunner.run("--help");
        assertEquals(0, help.code());
        assertTrue(help.out().contains("info"));
        CliRunner infoHelp = CliRunner.run("info", "--help");
        assertEquals(0, infoHelp.code());
        assertTrue(infoHelp.out().contains("--weights"));
    }
}
