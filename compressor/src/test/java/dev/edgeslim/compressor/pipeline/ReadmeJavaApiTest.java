package dev.edgeslim.compressor.pipeline;

import dev.edgeslim.compressor.export.tflite.ExportOptions;
import dev.edgeslim.compressor.export.tflite.TfliteExporter;
import dev.edgeslim.compressor.export.tflite.TfliteMetadata;
import dev.edgeslim.detector.TinyModels;
import dev.edgeslim.detector.cfg.CfgParser;
import dev.edgeslim.detector.darknet.DarknetModel;
import dev.edgeslim.detector.data.SyntheticVoc;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.weights.WeightInitializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's Java API example is this test's code, word for word (compared after trimming each line), and it
 * runs: on a tiny model and a synthetic VOCdevkit it compresses the model and exports it to TFLite.
 */
class ReadmeJavaApiTest {
    private static final Path README = Path.of("..", "README.md");
    private static final Path SOURCE = Path.of("src", "test", "java", "dev", "edgeslim", "compressor", "pipeline",
            "ReadmeJavaApiTest.java");

    @TempDir
    Path dir;

    @Test
    void theReadmeExampleIsTheCodeThisTestRuns() throws IOException {
        String readme = Files.readString(README);
        int section = readme.indexOf("\n## Java API\n");
        assertTrue(section >= 0, "README.md has a '## Java API' section");
        Matcher block = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL).matcher(readme);
        assertTrue(block.find(section), "the section has a java code block");
        String source = Files.readString(SOURCE);
        // the markers are split here so that only the comments around the example match them
        String begin = "// README example" + ": begin\n";
        String end = "// README example" + ": end";
        String example = source.substring(source.indexOf(begin) + begin.length(), source.indexOf(end));
        assertEquals(normalised(example), normalised(block.group(1)));
        assertTrue(readme.substring(section).contains("(docs/pipeline-api.md)"), "the section links the API page");
        assertTrue(Files.isRegularFile(Path.of("..", "docs", "pipeline-api.md")));
    }

    @Test
    void theReadmeExampleCompressesAndExportsAModel() throws Exception {
        Path voc = dir.resolve("voc");
        SyntheticVoc.generate(voc, new SyntheticVoc.Options(8, 2, 64, 5, 1), false, null);
        Path cfg = Files.writeString(dir.resolve("tiny.cfg"), TinyModels.yolo(64, 8, 16, 16));
        NetworkSpec spec = CfgParser.parse(cfg);
        Path weights = dir.resolve("tiny.weights");
        new DarknetModel(spec, WeightInitializer.forTraining(spec, 7)).write(cfg, weights);
        Path out = dir.resolve("compressed");

        // README example: begin
        CompressionConfig config = CompressionConfig.defaults()
                .withSparse(SparseTrainingConfig.defaults().withEpochs(10))
                .withPruning(PruningConfig.targetParams(0.5))
                .withDistillation(DistillationConfig.defaults().withEpochs(10));
        CompressionPipeline.Result result = new CompressionPipeline(
                new CompressionPipeline.Inputs(cfg, weights, voc), config).run(out);
        DarknetModel compressed = result.model();
        TfliteExporter.export(compressed.spec(), compressed.weights(), ExportOptions.fp32())
                .write(out.resolve("model.tflite"));
        System.out.println(CompressionReport.table(result.report()));
        // README example: end

        List<ModelSummary> rows = result.report();
        assertEquals(4, rows.size(), "input, sparse, pruned, distilled");
        assertTrue(rows.get(3).params() < rows.get(0).params(),
                "parameters removed: " + rows.get(0).params() + " -> " + rows.get(3).params());
        assertEquals(rows.get(3).params(), compressed.spec().totalParams());
        assertTrue(Files.size(out.resolve("model.tflite")) > 1000);
        assertTrue(Files.isRegularFile(TfliteMetadata.fileFor(out.resolve("model.tflite"))));
    }

    /** Each line trimmed, blank lines dropped: indentation differs between a README and a method body. */
    private static String normalised(String code) {
        return code.lines().map(String::trim).filter(l -> !l.isEmpty()).collect(Collectors.joining("\n"));
    }
}
