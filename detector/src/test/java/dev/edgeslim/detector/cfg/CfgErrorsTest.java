package dev.edgeslim.detector.cfg;

import dev.edgeslim.detector.io.BadInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CfgErrorsTest {
    private static final String NET = "[net]\nwidth=64\nheight=64\nchannels=3\n";

    private static String error(String text) {
        BadInputException e = assertThrows(BadInputException.class, () -> CfgParser.parse(text, "bad.cfg"));
        assertTrue(e.getMessage().startsWith("bad.cfg"), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e.getMessage();
    }

    static Stream<Arguments> malformed() {
        // body after a valid 4-line [net], where the error must point, what it must say
        return Stream.of(
                Arguments.of("[convolutional]\nfilters=8\nsize=3\nactivation=gelu\n", "bad.cfg:8:", "unsupported activation 'gelu'"),
                Arguments.of("[convolutional]\nfilters=8\nfoo=1\n", "bad.cfg:7:", "unknown option 'foo'"),
                Arguments.of("[lstm]\nbatch_normalize=1\n", "bad.cfg:5:", "unsupported section [lstm]"),
                Arguments.of("[convolutional]\nfilters=eight\n", "bad.cfg:6:", "must be an integer"),
                Arguments.of("[convolutional]\nfilters=8\n[route]\nlayers=-5\n", "bad.cfg:8:", "refers to layer -5"),
                Arguments.of("[convolutional]\nfilters=8\n[route]\nlayers=3\n", "bad.cfg:8:", "refers to layer 3"),
                Arguments.of("[convolutional]\nfilters=8\n[shortcut]\nfrom=-1\n[convolutional]\nfilters=4\n[shortcut]\nfrom=-3\n", "bad.cfg:11:", "different shapes"),
                Arguments.of("[convolutional]\nfilters=8\n[yolo]\nmask=0\nanchors=10,10\nnum=1\nclasses=2\n", "bad.cfg:7:", "expects 7 input channels"),
                Arguments.of("[convolutional]\nfilters=2147483647\n", "bad.cfg:5:", "filters must be within"),
                Arguments.of("[convolutional]\nfilters=8\nsize=99\n", "bad.cfg:5:", "size must be within"),
                Arguments.of("[convolutional]\nfilters=8\nfilters=9\n", "bad.cfg:7:", "repeated"),
                Arguments.of("this is not a cfg\n", "bad.cfg:5:", "expected 'key=value'"),
                Arguments.of("[maxpool]\nsize=2\nstride=2\n[upsample]\nstride=-2\n", "bad.cfg:9:", "stride must be positive"),
                Arguments.of("[convolutional]\nfilters=8\n[dropout]\nprobability=1\n", "bad.cfg:8:", "probability must be in [0, 1)"),
                Arguments.of("[convolutional]\nfilters=8\n[dropout]\nprobability=-0.1\n", "bad.cfg:8:", "probability must be in [0, 1)"),
                Arguments.of("[convolutional]\nfilters=8\n[dropout]\ndropblock=1\n", "bad.cfg:8:", "DropBlock"),
                Arguments.of("[convolutional]\nfilters=8\n[frobnicate]\n", "bad.cfg:7:", "unknown section [frobnicate]: darknet's parser does not know it"),
                Arguments.of("[reorg]\nstride=2\n", "bad.cfg:5:", "unsupported section [reorg]: not implemented yet"),
                Arguments.of("[convolutional]\nfilters=6\n[convolutional]\nfilters=4\ngroups=4\n", "bad.cfg:7:", "groups"));
    }

    @ParameterizedTest
    @MethodSource("malformed")
    void malformedCfgsGiveOneLineErrorsWithFileAndLine(String body, String where, String what) {
        String msg = error(NET + body);
        assertTrue(msg.startsWith(where), msg);
        assertTrue(msg.contains(what), msg);
    }

    @Test
    void hugeInputSizeIsRefusedBeforeAllocating() {
        String msg = error("[net]\nwidth=1000000\nheight=1000000\n[convolutional]\nfilters=8\n");
        assertTrue(msg.contains("width and height"), msg);
    }

    @Test
    void activationMemoryIsBounded() {
        // a legal-looking but enormous network: 4096x4096 input with 16384 filters
        String msg = error("[net]\nwidth=4096\nheight=4096\n[convolutional]\nfilters=16384\nsize=1\n"
                + "[convolutional]\nfilters=16384\nsize=1\n");
        assertTrue(msg.contains("exceed") || msg.contains("limit"), msg);
    }

    @Test
    void firstSectionMustBeNet() {
        assertTrue(error("[convolutional]\nfilters=8\n").contains("first section must be [net]"));
    }

    @Test
    void emptyAndBinaryFilesAreRefused() {
        assertTrue(error("").contains("no sections"));
        assertTrue(error("\0\1\2").contains("binary"));
    }

    @Test
    void missingFileNamesTheFile() {
        BadInputException e = assertThrows(BadInputException.class, () -> CfgParser.parse(Path.of("nope/missing.cfg")));
        assertTrue(e.getMessage().contains("missing.cfg") && e.getMessage().contains("no such file"), e.getMessage());
    }

    @Test
    void relativeAndAbsoluteReferencesResolveAlike() {
        String rel = NET + "[convolutional]\nfilters=8\n[convolutional]\nfilters=4\n[route]\nlayers=-1,-2\n";
        String abs = NET + "[convolutional]\nfilters=8\n[convolutional]\nfilters=4\n[route]\nlayers=1,0\n";
        var a = CfgParser.parse(rel, "a");
        var b = CfgParser.parse(abs, "b");
        org.junit.jupiter.api.Assertions.assertEquals(a, b);
        org.junit.jupiter.api.Assertions.assertEquals(12, a.shapeOf(2).channels());
    }

    @org.junit.jupiter.api.Test
    void upstreamCfgsWithUnsupportedFeaturesAreRefusedInOneLineNamingTheFeature() {
        dev.edgeslim.detector.ReferenceFiles.REFUSED_CFGS.forEach((name, feature) -> {
            java.nio.file.Path cfg = dev.edgeslim.detector.ReferenceFiles.cfg(name);
            dev.edgeslim.detector.io.BadInputException e = org.junit.jupiter.api.Assertions.assertThrows(
                    dev.edgeslim.detector.io.BadInputException.class, () -> CfgParser.parse(cfg), name);
            org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains(name)
                    && e.getMessage().contains(feature) && !e.getMessage().contains("\n"), e.getMessage());
        });
    }
}
