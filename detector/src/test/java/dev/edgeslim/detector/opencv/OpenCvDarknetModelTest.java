package dev.edgeslim.detector.opencv;

import dev.edgeslim.detector.io.BadInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad files are reported before OpenCV sees them (its own importer only logs or crashes). */
class OpenCvDarknetModelTest {
    private static final String CFG = """
            [net]
            width=32
            height=32
            channels=3

            [convolutional]
            filters=12
            size=1
            stride=1
            pad=1
            activation=linear

            [yolo]
            mask=0,1
            anchors=2,3, 4,5
            classes=1
            num=2
            """;

    @TempDir
    Path dir;

    @Test
    void wrongWeightsFileIsBadInput() throws Exception {
        Path cfg = dir.resolve("m.cfg");
        Files.writeString(cfg, CFG);
        Path weights = dir.resolve("m.weights");
        Files.write(weights, new byte[20 + 4 * 10]); // header + 10 floats; the cfg needs 12 + 36
        BadInputException e = assertThrows(BadInputException.class, () -> OpenCvDarknetModel.load(cfg, weights, 1));
        assertTrue(e.getMessage().contains("m.weights"), e.getMessage());
        assertThrows(BadInputException.class, () -> OpenCvDarknetModel.load(dir.resolve("none.cfg"), weights, 1));
        assertThrows(BadInputException.class, () -> OpenCvDarknetModel.load(cfg, dir.resolve("none.weights"), 1));
    }

    @Test
    void headNamesFollowOpenCvsConvention() {
        assertEquals("conv_30", OpenCvDarknetModel.headName(30));
    }
}
