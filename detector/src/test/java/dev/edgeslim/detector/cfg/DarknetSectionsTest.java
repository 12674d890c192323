package dev.edgeslim.detector.cfg;

import dev.edgeslim.detector.ReferenceFiles;
import dev.edgeslim.detector.model.DropoutLayer;
import dev.edgeslim.detector.model.NetworkSpec;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DarknetSectionsTest {
    private static final Path BODY_CFG =
            ReferenceFiles.model("yolo-fastest-body").resolve("yolo-fastest-1.1_body.cfg");

    @Test
    void theBodyModelParsesWithItsDropoutSectionsAsIdentities() {
        NetworkSpec spec = CfgParser.parse(BODY_CFG);
        long dropouts = spec.layers().stream().filter(l -> l instanceof DropoutLayer).count();
        assertEquals(18, dropouts, "the shipped cfg has 18 [dropout] sections");
        for (int i = 0; i < spec.size(); i++) {
            if (spec.layer(i) instanceof DropoutLayer d) {
                assertEquals(0.15, d.probability(), 1e-12);
                assertEquals(spec.shapeOf(i - 1), spec.shapeOf(i), "dropout keeps the shape");
                assertEquals(0, spec.params(i));
            }
        }
        assertEquals(320, spec.net().width());
    }

    @Test
    void dropoutRoundTripsThroughTheCfgWriter() throws IOException {
        NetworkSpec spec = CfgParser.parse(BODY_CFG);
        String written = CfgWriter.toText(spec);
        NetworkSpec again = CfgParser.parse(written, "written.cfg");
        assertEquals(spec.layers(), again.layers());
        assertTrue(written.contains("[dropout]\nprobability=0.15\n"), written);
        assertTrue(Files.size(BODY_CFG) > 0);
    }

    @Test
    void everySectionDarknetKnowsIsReadOrRefusedWithAReason() {
        String[] darknet = {"shortcut", "scale_channels", "sam", "crop", "cost", "detection", "region", "yolo",
            "gaussian_yolo", "local", "conv", "convolutional", "deconv", "deconvolutional", "activation", "net",
            "network", "crnn", "gru", "lstm", "conv_lstm", "history", "rnn", "conn", "connected", "max", "maxpool",
            "local_avg", "local_avgpool", "reorg3d", "reorg", "avg", "avgpool", "dropout", "lrn", "normalization",
            "batchnorm", "soft", "softmax", "contrastive", "route", "upsample", "empty", "silence", "implicit"};
        for (String name : darknet) {
            assertTrue(DarknetSections.knownToDarknet(name), name);
        }
        assertEquals(darknet.length - 11, DarknetSections.refused().size(), "11 names are read (with aliases)");
        assertTrue(!DarknetSections.knownToDarknet("frobnicate"));
    }
}
