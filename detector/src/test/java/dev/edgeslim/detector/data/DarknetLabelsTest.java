package dev.edgeslim.detector.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

class DarknetLabelsTest {
    @Test
    void aVocBoxWrittenAsALabelLineReadsBackAsTheSameNumbers(@TempDir Path dir) throws Exception {
        // the same boxes from a VOCdevkit and from its darknet twin: trainings on the two agree step for step
        SplittableRandom rng = new SplittableRandom(5);
        List<VocObject> written = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        int width = 353;
        int height = 281;
        for (int k = 0; k < 2000; k++) {
            int x1 = 1 + rng.nextInt(width - 2);
            int y1 = 1 + rng.nextInt(height - 2);
            // integer corners as VOC writes them, and a few with one decimal as some annotation tools do
            double x2 = x1 + 1 + rng.nextInt(width - x1) + (k % 7 == 0 ? 0.5 : 0);
            double y2 = y1 + 1 + rng.nextInt(height - y1) + (k % 11 == 0 ? 0.3 : 0);
            VocObject o = new VocObject(k % 20, VocClasses.VOC.name(k % 20), x1, y1, Math.min(x2, width),
                    Math.min(y2, height), false, false);
            written.add(o);
            text.append(DarknetLabels.line(o, width, height)).append('\n');
        }
        Path file = dir.resolve("labels.txt");
        Files.writeString(file, text);
        List<VocObject> read = DarknetLabels.read(file, VocClasses.VOC, width, height).objects();
        assertEquals(written.size(), read.size());
        for (int k = 0; k < written.size(); k++) {
            assertEquals(PixelBox.of(written.get(k)), PixelBox.of(read.get(k)), "box " + k);
        }
    }
}
