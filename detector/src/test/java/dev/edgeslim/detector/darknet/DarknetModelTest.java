package dev.edgeslim.detector.darknet;

import dev.edgeslim.detector.TinyModels;
import dev.edgeslim.detector.cfg.CfgParser;
import dev.edgeslim.detector.io.AtomicFiles;
import dev.edgeslim.detector.io.BadInputException;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.weights.WeightInitializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DarknetModelTest {
    @TempDir
    Path dir;

    private static NetworkSpec spec(int... filters) {
        return CfgParser.parse(TinyModels.yolo(64, filters), "tiny.cfg");
    }

    @Test
    void aWrittenModelLoadsBackToTheSameFiles() throws Exception {
        NetworkSpec spec = spec(8, 16, 16);
        DarknetModel model = new DarknetModel(spec, WeightInitializer.forTraining(spec, 3));
        model.write(dir.resolve("a.cfg"), dir.resolve("a.weights"));
        DarknetModel loaded = DarknetModel.load(dir.resolve("a.cfg"), dir.resolve("a.weights"));
        assertEquals(spec.totalParams(), loaded.spec().totalParams());
        loaded.write(dir.resolve("b.cfg"), dir.resolve("b.weights"));
        assertArrayEquals(Files.readAllBytes(dir.resolve("a.cfg")), Files.readAllBytes(dir.resolve("b.cfg")));
        assertArrayEquals(Files.readAllBytes(dir.resolve("a.weights")), Files.readAllBytes(dir.resolve("b.weights")));
        assertEquals(List.of("a.cfg", "a.weights", "b.cfg", "b.weights"),
                Files.list(dir).map(p -> p.getFileName().toString()).filter(n -> !AtomicFiles.isTemp(Path.of(n)))
                        .sorted().toList(), "no temp file is left");
    }

    @Test
    void weightsOfAnotherNetworkAreRefusedNamingTheFile() throws Exception {
        NetworkSpec small = spec(8, 16);
        new DarknetModel(small, WeightInitializer.forTraining(small, 3)).write(dir.resolve("small.cfg"),
                dir.resolve("small.weights"));
        NetworkSpec large = spec(8, 16, 16);
        new DarknetModel(large, WeightInitializer.forTraining(large, 3)).write(dir.resolve("large.cfg"),
                dir.resolve("large.weights"));
        BadInputException e = assertThrows(BadInputException.class,
                () -> DarknetModel.load(dir.resolve("large.cfg"), dir.resolve("small.weights")));
        assertTrue(e.getMessage().contains("small.weights"), e.getMessage());
    }

    @Test
    void anotherInputSizeKeepsTheWeightsAndRefusesASizeTheNetworkCannotRunAt() {
        // an upsampled map concatenated with an earlier one: at 64 the two agree (8x8), at 36 they do not (10 vs 9)
        String cfg = TinyModels.yolo(64, 8, 16, 16).replace("[convolutional]\nfilters=75",
                "[upsample]\nstride=2\n[route]\nlayers=-1,-3\n[convolutional]\nfilters=75");
        NetworkSpec spec = CfgParser.parse(cfg, "tiny.cfg");
        DarknetModel model = new DarknetModel(spec, WeightInitializer.forTraining(spec, 3));
        DarknetModel larger = model.atInputSize(128, dir.resolve("tiny.cfg"));
        assertEquals(128, larger.spec().net().width());
        assertEquals(128, larger.spec().net().height());
        assertEquals(spec.totalParams(), larger.spec().totalParams());
        assertTrue(larger.weights() == model.weights(), "weights do not depend on the input size");
        BadInputException e = assertThrows(BadInputException.class,
                () -> model.atInputSize(36, dir.resolve("tiny.cfg")));
        assertTrue(e.getMessage().contains("tiny.cfg") && e.getMessage().contains("input size 36"), e.getMessage());
    }

    @Test
    void classNamesMustMatchTheNetwork() throws Exception {
        NetworkSpec spec = spec(8, 16);
        DarknetModel model = new DarknetModel(spec, WeightInitializer.forTraining(spec, 3));
        assertThrows(IllegalArgumentException.class, () -> model.withNames(List.of("only one")));
        List<String> names = java.util.stream.IntStream.range(0, spec.classes()).mapToObj(i -> "c" + i).toList();
        assertEquals(names, model.withNames(names).names());
        model.write(dir.resolve("m.cfg"), dir.resolve("m.weights"));
        Path file = Files.writeString(dir.resolve("m.names"), "a\nb\n");
        // two names for a model of 20 classes
        BadInputException e = assertThrows(BadInputException.class,
                () -> DarknetModel.load(dir.resolve("m.cfg"), dir.resolve("m.weights"), file));
        assertTrue(e.getMessage().contains("m.names") && e.getMessage().contains("20 classes"), e.getMessage());
    }
}
