package dev.edgeslim.detector.data;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.edgeslim.detector.fuzz.FuzzFiles;
import dev.edgeslim.detector.fuzz.InputContract;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes the PASCAL VOC annotation reader (hardened XML parser, sizes, boxes, class names, file names).
 * Fuzzing: {@code .ci/fuzz 2m VocAnnotationFuzzTest#parseAnnotation}.
 */
class VocAnnotationFuzzTest {
    private static final VocAnnotationParser PARSER = new VocAnnotationParser(VocClasses.VOC);

    /** An annotation parses into sane values or is refused with one line naming the file. */
    @FuzzTest(maxDuration = "3m")
    void parseAnnotation(byte[] input) throws Exception {
        Path file = FuzzFiles.write("fuzz.xml", input);
        VocAnnotationParser.Parsed a = InputContract.valueOrRefusal(file.toString(), () -> PARSER.parse(file));
        if (a == null) {
            return;
        }
        assertTrue(a.width() > 0 && a.height() > 0 && (long) a.width() * a.height() <= 50_000_000L, "size");
        assertTrue(a.depth() >= 1 && a.depth() <= 4, "depth");
        assertTrue(a.objects().size() <= DataLimits.MAX_OBJECTS, "object count");
        if (a.filename() != null) {
            assertNull(SafePaths.problemWithName(a.filename()), "file name must stay inside the dataset");
        }
        for (VocObject o : a.objects()) {
            assertTrue(o.x1() >= 0 && o.y1() >= 0 && o.x2() > o.x1() && o.y2() > o.y1()
                    && o.x2() <= a.width() && o.y2() <= a.height(), "box inside the image: " + o);
            assertTrue(VocClasses.VOC.indexOf(o.className()) == o.classId(), "class id");
        }
    }
}
