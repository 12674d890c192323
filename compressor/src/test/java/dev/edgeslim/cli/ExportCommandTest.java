package dev.edgeslim.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.edgeslim.compressor.export.tflite.TfliteMetadata;
import dev.edgeslim.compressor.export.tflite.TfliteRunner;
import dev.edgeslim.detector.cfg.CfgParser;
import dev.edgeslim.detector.cfg.CfgWriter;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.weights.DarknetWeights;
import dev.edgeslim.detector.weights.WeightInitializer;
import dev.edgeslim.detector.weights.WeightStore;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExportCommandTest {
    /** yolov3-tiny at 96x96: small and fast, with maxpools, upsample, routes and two heads. */
    private static final int SIZE = 96;

    private record Model(Path cfg, Path weights, NetworkSpec spec, WeightStore store) {
    }

    private static Model model(Path dir) throws Exception {
        NetworkSpec spec = CfgParser.parse(dev.edgeslim.detector.ReferenceFiles.cfg("yolov3-tiny.cfg")).withInputSize(SIZE, SIZE);
        WeightStore store = WeightInitializer.forTesting(spec, 5);
        Path cfg = dir.resolve("in/tiny.cfg");
        Path weights = dir.resolve("in/tiny.weights");
        CfgWriter.write(spec, cfg);
        DarknetWeights.write(store, spec, weights);
        return new Model(cfg, weights, spec, store);
    }

    private static List<String> listing(Path dir) throws Exception {
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void helpListsTheFlagsAndTheCommandIsRegistered() {
        CliRunner help = CliRunner.run("export", "--help");
        assertEquals(0, help.code());
        for (String flag : List.of("--cfg", "--weights", "--format", "--quant", "--calib", "--calib-images",
                "--percentile", "--float-io", "--integer-only", "--names", "--out", "--json")) {
            assertTrue(help.out().contains(flag), flag);
        }
        assertTrue(CliRunner.run("--help").out().contains("export"));
    }

    @Test
    void fp32TfliteWithNamesMatchesTheNetwork(@TempDir Path dir) throws Exception {
        Model m = model(dir);
        Path names = dir.resolve("in/coco.names");
        StringBuilder eighty = new StringBuilder("person\n");
        for (int c = 1; c < 80; c++) {
            eighty.append("class").append(c).append('\n');
        }
        Files.writeString(names, eighty + "\n");
        Path out = dir.resolve("out/tiny.tflite");
        CliRunner r = CliRunner.run("export", "--cfg", m.cfg().toString(), "--weights", m.weights().toString(),
                "--format", "tflite", "--names", names.toString(), "--out", out.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode json = Json.MAPPER.readTree(r.out());
        assertEquals("fp32", json.get("precision").asText());
        assertEquals(2, json.get("heads").asInt());
        assertEquals(List.of("tiny.tflite", "tiny.tflite.json"), listing(out.getParent()));
        assertEquals(Files.size(out) + Files.size(TfliteMetadata.fileFor(out)), json.get("bytes").asLong());
        TfliteMetadata meta = TfliteMetadata.read(TfliteMetadata.fileFor(out));
        assertEquals("person", meta.classNames().get(0));
        assertEquals(80, meta.classNames().size());
        try (TfliteRunner runner = TfliteRunner.load(out, 1, TfliteRunner.Delegates.NONE)) {
            assertEquals(List.of(1, SIZE, SIZE, 3), java.util.Arrays.stream(runner.input().shape()).boxed().toList());
            assertEquals(2, runner.outputs().size());
        }
    }

    @Test
    void int8FromAFolderOfImages(@TempDir Path dir) throws Exception {
        Model m = model(dir);
        Path calib = Files.createDirectories(dir.resolve("calib"));
        for (int i = 0; i < 3; i++) {
            try (Mat img = new Mat(60 + 10 * i, 80, CV_8UC3); BytePointer buf = new BytePointer()) {
                byte[] pixels = new byte[(60 + 10 * i) * 80 * 3];
                new java.util.Random(i).nextBytes(pixels);
                img.data().put(pixels);
                imencode(".png", img, buf);
                byte[] bytes = new byte[(int) buf.limit()];
                buf.get(bytes);
                Files.write(calib.resolve("c" + i + ".png"), bytes);
            }
        }
        Path out = dir.resolve("out/tiny-int8.tflite");
        CliRunner r = CliRunner.run("export", "--cfg", m.cfg().toString(), "--weights", m.weights().toString(),
                "--format", "tflite", "--quant", "int8", "--calib", calib.toString(), "--calib-images", "2",
                "--percentile", "99.9", "--out", out.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode json = Json.MAPPER.readTree(r.out());
        assertEquals("int8", json.get("precision").asText());
        assertEquals(2, json.get("calibration_images").asInt());
        assertEquals(-128, json.get("input_quantization").get("zero_point").asInt());
        TfliteMetadata meta = TfliteMetadata.read(TfliteMetadata.fileFor(out));
        assertEquals("percentile", meta.calibration().method());
        assertEquals(99.9, meta.calibration().percentile());
        assertEquals("int8", meta.heads().get(0).dtype());
        try (TfliteRunner runner = TfliteRunner.load(out, 1, TfliteRunner.Delegates.NONE)) {
            assertEquals("int8", runner.input().dtype());
        }

        // --float-io: the same int8 graph behind float32 input and outputs, and the metadata says so
        Path wrapped = dir.resolve("out/tiny-int8-float-io.tflite");
        r = CliRunner.run("export", "--cfg", m.cfg().toString(), "--weights", m.weights().toString(),
                "--format", "tflite", "--quant", "int8", "--float-io", "--calib", calib.toString(), "--calib-images",
                "2", "--out", wrapped.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        json = Json.MAPPER.readTree(r.out());
        assertTrue(json.get("float_io").asBoolean());
        assertTrue(json.get("input_quantization").isNull());
        meta = TfliteMetadata.read(TfliteMetadata.fileFor(wrapped));
        assertEquals("int8", meta.precision());
        assertEquals("float32", meta.input().dtype());
        assertEquals("float32", meta.heads().get(0).dtype());
        try (TfliteRunner runner = TfliteRunner.load(wrapped, 1, TfliteRunner.Delegates.NONE)) {
            assertEquals("float32", runner.input().dtype());
            assertEquals("float32", runner.outputs().get(0).dtype());
        }

        // --integer-only: reported, int8 input and outputs (TfliteFileStructureTest checks no tensor is float)
        Path integer = dir.resolve("out/tiny-int8-integer.tflite");
        r = CliRunner.run("export", "--cfg", m.cfg().toString(), "--weights", m.weights().toString(),
                "--format", "tflite", "--quant", "int8", "--integer-only", "--calib", calib.toString(),
                "--calib-images", "2", "--out", integer.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        json = Json.MAPPER.readTree(r.out());
        assertTrue(json.get("integer_only").asBoolean());
        assertTrue(!json.get("float_io").asBoolean());
        try (TfliteRunner runner = TfliteRunner.load(integer, 1, TfliteRunner.Delegates.NONE)) {
            assertEquals("int8", runner.input().dtype());
            assertEquals("int8", runner.outputs().get(0).dtype());
        }
    }

    @Test
    void darknetFormatWritesCfgAndWeightsSideBySide(@TempDir Path dir) throws Exception {
        Model m = model(dir);
        CliRunner r = CliRunner.run("export", "--cfg", m.cfg().toString(), "--weights", m.weights().toString(),
                "--format", "darknet", "--out", dir.resolve("out/copy.cfg").toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(List.of("copy.cfg", "copy.weights"), listing(dir.resolve("out")));
        NetworkSpec spec = CfgParser.parse(dir.resolve("out/copy.cfg"));
        assertEquals(m.spec(), spec);
        assertEquals(m.store(), DarknetWeights.read(dir.resolve("out/copy.weights"), spec));
    }

    @Test
    void trainingOnlyOptionsOfTheInputCfgAreReportedOnceAndKept(@TempDir Path dir) throws Exception {
        Model m = model(dir);
        String text = Files.readString(m.cfg());
        Files.writeString(m.cfg(), text.replaceFirst("\\[net\\]\n", "[net]\nema_alpha=0.9998\n"));
        CliRunner r = CliRunner.run("export", "--cfg", m.cfg().toString(), "--weights", m.weights().toString(),
                "--format", "darknet", "--out", dir.resolve("out/copy.cfg").toString());
        assertEquals(0, r.code(), r.err());
        List<String> warnings = r.err().lines().filter(l -> l.contains(": warning: ")).toList();
        assertEquals(1, warnings.size(), r.err());
        assertTrue(warnings.get(0).startsWith(m.cfg() + ":2: warning: ") && warnings.get(0).contains("ema_alpha"),
                warnings.get(0));
        assertTrue(Files.readString(dir.resolve("out/copy.cfg")).contains("ema_alpha=0.9998"));
    }

    @Test
    void usageErrorsExitOneWithOneLineAndWriteNothing(@TempDir Path dir) throws Exception {
        Model m = model(dir);
        Path out = dir.resolve("out/x.tflite");
        String cfg = m.cfg().toString();
        String w = m.weights().toString();
        List<String[]> bad = List.of(
                new String[] {"export", "--cfg", cfg, "--weights", w, "--format", "tflite", "--quant", "int4", "--out", out.toString()},
                new String[] {"export", "--cfg", cfg, "--weights", w, "--format", "coreml", "--out", out.toString()},
                new String[] {"export", "--cfg", cfg, "--weights", w, "--format", "onnx", "--quant", "int8", "--calib", dir.toString(), "--float-io", "--out", out.toString()},
                new String[] {"export", "--cfg", cfg, "--weights", w, "--format", "tflite", "--opset", "13", "--out", out.toString()},
                new String[] {"export", "--cfg", cfg, "--weights", w, "--format", "darknet", "--dynamic-batch", "--out", out.toString()},
                new String[] {"export", "--cfg", cfg, "--weights", w, "--format", "tflite", "--quant", "int8", "--out", out.toString()},
                new String[] {"export", "--cfg", cfg, "--weights", w, "--format", "tflite", "--calib", dir.toString(), "--out", out.toString()},
                new String[] {"export", "--cfg", cfg, "--weights", w, "--format", "darknet", "--quant", "fp16", "--out", out.toString()},
                new String[] {"export", "--cfg", cfg, "--weights", w, "--format", "tflite", "--quant", "int8", "--calib", dir.toString(), "--percentile", "40", "--out", out.toString()},
                new String[] {"export", "--cfg", cfg, "--weights", w, "--format", "tflite", "--quant", "fp16", "--float-io", "--out", out.toString()},
                new String[] {"export", "--cfg", cfg, "--weights", w, "--format", "tflite", "--quant", "fp32", "--integer-only", "--out", out.toString()},
                new String[] {"export", "--cfg", cfg, "--weights", w, "--format", "darknet", "--integer-only", "--out", out.toString()},
                new String[] {"export", "--cfg", cfg, "--weights", w, "--format", "tflite", "--quant", "int8", "--calib", dir.toString(), "--float-io", "--integer-only", "--out", out.toString()},
                new String[] {"export", "--cfg", cfg, "--weights", w, "--format", "tflite"},
                new String[] {"export", "--weights", w, "--format", "tflite", "--out", out.toString()},
                new String[] {"export", "--cfg", cfg, "--weights", w, "--format", "tflite", "--out", out.toString(), "extra"});
        for (String[] args : bad) {
            CliRunner r = CliRunner.run(args);
            assertEquals(1, r.code(), String.join(" ", args) + ": " + r.err());
            assertTrue(r.oneLineError(), r.err());
            assertTrue(r.err().startsWith("edgeslim export: "), r.err());
        }
        assertEquals(List.of(), listing(out.getParent()));
    }

    @Test
    void badInputsExitTwoWithOneLineAndWriteNothing(@TempDir Path dir) throws Exception {
        Model m = model(dir);
        Path out = dir.resolve("out/x.tflite");
        String cfg = m.cfg().toString();
        Path truncated = dir.resolve("in/truncated.weights");
        byte[] all = Files.readAllBytes(m.weights());
        Files.write(truncated, java.util.Arrays.copyOf(all, all.length - 100));
        Path names = dir.resolve("in/two.names");
        Files.writeString(names, "a\nb\n");
        Path headless = dir.resolve("in/headless.cfg");
        Files.writeString(headless, "[net]\nwidth=32\nheight=32\nchannels=3\n\n[convolutional]\nfilters=2\nsize=1\n"
                + "activation=leaky\n");
        Path headlessWeights = dir.resolve("in/headless.weights");
        NetworkSpec headlessSpec = CfgParser.parse(headless);
        DarknetWeights.write(WeightInitializer.forTesting(headlessSpec, 1), headlessSpec, headlessWeights);
        Path noImages = Files.createDirectories(dir.resolve("no-images"));
        List<String[]> bad = List.of(
                new String[] {"export", "--cfg", cfg, "--weights", dir.resolve("in/missing.weights").toString(), "--format", "tflite", "--out", out.toString()},
                new String[] {"export", "--cfg", cfg, "--weights", truncated.toString(), "--format", "tflite", "--out", out.toString()},
                new String[] {"export", "--cfg", dir.resolve("in/missing.cfg").toString(), "--weights", truncated.toString(), "--format", "darknet", "--out", out.toString()},
                new String[] {"export", "--cfg", cfg, "--weights", m.weights().toString(), "--format", "tflite", "--names", names.toString(), "--out", out.toString()},
                new String[] {"export", "--cfg", cfg, "--weights", m.weights().toString(), "--format", "tflite", "--quant", "int8", "--calib", noImages.toString(), "--out", out.toString()},
                new String[] {"export", "--cfg", cfg, "--weights", m.weights().toString(), "--format", "tflite", "--quant", "int8", "--calib", dir.resolve("nowhere").toString(), "--out", out.toString()},
                new String[] {"export", "--cfg", headless.toString(), "--weights", headlessWeights.toString(), "--format", "tflite", "--out", out.toString()});
        for (String[] args : bad) {
            CliRunner r = CliRunner.run(args);
            assertEquals(2, r.code(), String.join(" ", args) + ": " + r.err());
            assertTrue(r.oneLineError(), r.err());
        }
        CliRunner missing = CliRunner.run(bad.get(0));
        assertTrue(missing.err().contains("missing.weights") && missing.err().contains("no such file"), missing.err());
        CliRunner headlessRun = CliRunner.run(bad.get(bad.size() - 1));
        assertTrue(headlessRun.err().contains("no [yolo] layer"), headlessRun.err());
        assertEquals(List.of(), listing(out.getParent()));
    }

    @Test
    void aForeignFileIsNotReplacedWithoutForceButAnEarlierExportIs(@TempDir Path dir) throws Exception {
        Model m = model(dir);
        Path out = dir.resolve("out/notes.txt");
        Files.createDirectories(out.getParent());
        Files.writeString(out, "my notes, not a model\n");
        String[] export = {"export", "--cfg", m.cfg().toString(), "--weights", m.weights().toString(),
                "--format", "tflite", "--out", out.toString()};

        CliRunner refused = CliRunner.run(export);
        assertEquals(2, refused.code(), refused.err());
        assertTrue(refused.oneLineError(), refused.err());
        assertTrue(refused.err().contains(out.toString()) && refused.err().contains("--force"), refused.err());
        assertEquals("my notes, not a model\n", Files.readString(out));
        assertEquals(List.of("notes.txt"), listing(out.getParent()));

        // a foreign file where the metadata goes is refused too, and the model is not written either
        Path model = dir.resolve("out/model.tflite");
        Files.writeString(TfliteMetadata.fileFor(model), "{\"mine\": true}\n");
        CliRunner sidecar = CliRunner.run("export", "--cfg", m.cfg().toString(), "--weights",
                m.weights().toString(), "--format", "tflite", "--out", model.toString());
        assertEquals(2, sidecar.code(), sidecar.err());
        assertTrue(sidecar.err().contains(TfliteMetadata.fileFor(model).toString()), sidecar.err());
        assertTrue(Files.notExists(model));
        Files.delete(TfliteMetadata.fileFor(model));

        // an earlier export is replaced without --force; --force replaces the foreign file
        for (int i = 0; i < 2; i++) {
            CliRunner again = CliRunner.run("export", "--cfg", m.cfg().toString(), "--weights",
                    m.weights().toString(), "--format", "tflite", "--out", model.toString());
            assertEquals(0, again.code(), again.err());
        }
        List<String> withForce = new java.util.ArrayList<>(List.of(export));
        withForce.add("--force");
        CliRunner forced = CliRunner.run(withForce.toArray(String[]::new));
        assertEquals(0, forced.code(), forced.err());
        assertEquals(Files.size(model), Files.size(out));

        // darknet: a foreign OUT.weights is refused, and OUT.cfg is left alone
        Path darknet = dir.resolve("darknet/copy.cfg");
        Files.createDirectories(darknet.getParent());
        Files.writeString(dir.resolve("darknet/copy.weights"), "not weights");
        CliRunner weights = CliRunner.run("export", "--cfg", m.cfg().toString(), "--weights",
                m.weights().toString(), "--format", "darknet", "--out", darknet.toString());
        assertEquals(2, weights.code(), weights.err());
        assertEquals(List.of("copy.weights"), listing(darknet.getParent()));
    }
}
