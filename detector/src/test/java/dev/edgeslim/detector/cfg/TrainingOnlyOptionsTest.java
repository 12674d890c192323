package dev.edgeslim.detector.cfg;

import dev.edgeslim.detector.io.BadInputException;
import dev.edgeslim.detector.model.NetworkSpec;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainingOnlyOptionsTest {
    private static final String CFG = """
            [net]
            width=64
            height=64
            ema_alpha=0.9998
            mosaic=1

            [convolutional]
            filters=8
            size=3
            stride=1
            pad=1
            activation=leaky
            stopbackward=1

            [convolutional]
            filters=75
            size=1
            stride=1
            pad=1
            activation=linear

            [yolo]
            mask=0,1,2
            anchors=10,14, 23,27, 37,58
            classes=20
            num=3
            jitter=.3
            delta_normalizer=1.0
            objectness_smooth=1
            """;

    @Test
    void trainingOnlyOptionsAreAcceptedAndListedOnceOnOneLine() {
        List<String> warnings = new ArrayList<>();
        NetworkSpec spec = CfgParser.parse(CFG, "csp.cfg", warnings::add);
        assertEquals(3, spec.size());
        assertEquals(1, warnings.size(), "one warning for the whole file: " + warnings);
        String w = warnings.get(0);
        assertTrue(w.startsWith("csp.cfg:4: warning: "), w);
        for (String expected : List.of("ema_alpha (4)", "mosaic (5)", "stopbackward (13)", "jitter (27)",
                "delta_normalizer (28)", "objectness_smooth (29)")) {
            assertTrue(w.contains(expected), expected + " missing from: " + w);
        }
        assertFalse(w.contains("\n"));
    }

    @Test
    void aCfgWithoutThemGivesNoWarning() {
        List<String> warnings = new ArrayList<>();
        CfgParser.parse(CFG.replaceAll("(?m)^(ema_alpha|mosaic|stopbackward|jitter|delta_normalizer|"
                + "objectness_smooth)=.*$", ""), "plain.cfg", warnings::add);
        assertEquals(List.of(), warnings);
    }

    @Test
    void writingTheCfgKeepsThemUnchanged() {
        NetworkSpec spec = CfgParser.parse(CFG, "csp.cfg");
        String written = CfgWriter.toText(spec);
        for (String line : List.of("ema_alpha=0.9998", "mosaic=1", "stopbackward=1", "jitter=.3",
                "delta_normalizer=1.0", "objectness_smooth=1")) {
            assertTrue(written.lines().anyMatch(line::equals), line + " missing from the written cfg");
        }
        assertEquals(spec, CfgParser.parse(written, "copy.cfg"));
    }

    @Test
    void anOptionThatChangesTheComputationStaysAnError() {
        BadInputException e = assertThrows(BadInputException.class, () -> CfgParser.parse(
                CFG.replace("stopbackward=1", "antialiasing=1"), "aa.cfg"));
        assertEquals("aa.cfg:13: unknown option 'antialiasing' in [convolutional]", e.getMessage());
    }

    @Test
    void aTrainingOnlyOptionWhereTheLayerCannotKeepItIsRefused() {
        String cfg = CFG.replace("[yolo]", "[route]\nlayers=-1\nstopbackward=1\n\n[yolo]");
        BadInputException e = assertThrows(BadInputException.class, () -> CfgParser.parse(cfg, "r.cfg"));
        assertTrue(e.getMessage().startsWith("r.cfg:24: option 'stopbackward' is kept only in"), e.getMessage());
    }
}
