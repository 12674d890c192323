package dev.edgeslim.compressor.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgeslim.cli.EdgeSlim;
import dev.edgeslim.detector.TinyModels;
import dev.edgeslim.detector.cfg.CfgParser;
import dev.edgeslim.detector.darknet.DarknetModel;
import dev.edgeslim.detector.data.SyntheticVoc;
import dev.edgeslim.detector.io.BadInputException;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.weights.WeightInitializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The compression pipeline driven from Java, without the command line: a tiny model on a tiny synthetic VOCdevkit.
 * The run writes the typed configuration into its manifest, a second run skips every stage, a bad configuration is
 * refused before anything is written, and {@code edgeslim compress} with the matching flags records the same
 * configuration and trains the same final weights.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CompressPipelineApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    private Path voc;
    private Path cfg;
    private Path weights;
    private Path run;
    private CompressionPipeline.Result first;
    private String firstLog;

    /** One epoch per stage, batch 4, two threads, seed 3: what {@code CompressFixture} passes on the command line. */
    private static CompressionConfig config() {
        TrainingSettings sparse = SparseTrainingConfig.defaults().training().withEpochs(1).withBatch(4)
                .withThreads(2).withSeed(3);
        TrainingSettings fineTuning = DistillationConfig.defaults().training().withEpochs(1).withBatch(4)
                .withThreads(2).withSeed(3);
        return CompressionConfig.defaults()
                .withSparse(SparseTrainingConfig.defaults().withTraining(sparse))
                .withPruning(PruningConfig.ratio(0.5))
                .withDistillation(DistillationConfig.defaults().withTraining(fineTuning))
                .withReport(new ReportSettings("test", 2, 2));
    }

    @BeforeAll
    void compressOnce() throws Exception {
        voc = dir.resolve("voc");
        SyntheticVoc.generate(voc, new SyntheticVoc.Options(8, 2, 64, 5, 1), false, null);
        cfg = Files.writeString(dir.resolve("tiny.cfg"), TinyModels.yolo(64, 8, 16, 16));
        NetworkSpec spec = CfgParser.parse(cfg);
        weights = dir.resolve("tiny.weights");
        new DarknetModel(spec, WeightInitializer.forTraining(spec, 7)).write(cfg, weights);
        run = dir.resolve("api-run");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        first = new CompressionPipeline(new CompressionPipeline.Inputs(cfg, weights, voc), config())
                .run(run, CompressionPipeline.Existing.REFUSE, new PrintStream(log, true, StandardCharsets.UTF_8), null);
        firstLog = log.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aRunRecordsItsTypedConfigurationAndItsReport() throws Exception {
        for (String stage : List.of("== sparse training\n", "== group pruning\n", "== distillation fine-tuning\n",
                "== report\n")) {
            assertTrue(firstLog.contains(stage), firstLog);
        }
        List<ModelSummary> rows = first.report();
        assertEquals(List.of("input", "sparse", "pruned (before fine-tuning)", "pruned + distilled"),
                rows.stream().map(ModelSummary::name).toList());
        assertTrue(rows.get(2).params() < rows.get(0).params(), "pruned");
        assertEquals(rows.get(2).params(), rows.get(3).params(), "fine-tuning keeps the pruned shape");
        DarknetModel compressed = first.model();
        assertEquals(rows.get(3).params(), compressed.spec().totalParams());

        JsonNode manifest = JSON.readTree(run.resolve(PipelineManifest.FILE).toFile());
        assertEquals(PipelineManifest.FORMAT, manifest.get("format").asInt());
        JsonNode options = manifest.get("options");
        assertEquals("RATIO", options.at("/pruning/criterion").asText());
        assertEquals(0.5, options.at("/pruning/amount").asDouble());
        assertEquals(1, options.at("/sparse/training/epochs").asInt());
        assertTrue(options.at("/sparse/strength").isNull(), "automatic strength");
        assertEquals(20, options.at("/distillation/attentionWeight").asDouble());
        assertEquals(options.get("pruning"), manifest.at("/stages/2-prune/config"), "each stage records its own");
        assertEquals(options.get("distillation"), manifest.at("/stages/3-distill/config"));
    }

    @Test
    void aSecondRunSkipsEveryStageAndMeasuresNothing() throws Exception {
        byte[] finalWeights = Files.readAllBytes(first.folder().finalWeights());
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        CompressionPipeline.Result again = new CompressionPipeline(new CompressionPipeline.Inputs(cfg, weights, voc),
                config()).run(run, CompressionPipeline.Existing.REFUSE, new PrintStream(log, true,
                StandardCharsets.UTF_8), null);
        String text = log.toString(StandardCharsets.UTF_8);
        for (String stage : List.of("sparse training", "group pruning", "distillation fine-tuning", "report")) {
            assertTrue(text.contains("== " + stage + ": done, skipped"), text);
        }
        assertEquals(first.report(), again.report(), "the report is read back, not measured again");
        assertArrayEquals(finalWeights, Files.readAllBytes(again.folder().finalWeights()));
    }

    @Test
    void otherOptionsAreRefusedUnlessOnlyTheChangedStagesMayBeRedone() {
        CompressionConfig other = config().withDistillation(config().distillation().withAttentionWeight(5));
        BadInputException e = assertThrows(BadInputException.class, () -> new CompressionPipeline(
                new CompressionPipeline.Inputs(cfg, weights, voc), other).run(run));
        assertTrue(e.getMessage().contains("other options (they change 3-distill)"), e.getMessage());
    }

    @Test
    void badConfigurationsAndOldManifestsAreRefusedWithOneLine() throws Exception {
        assertThrows(ConfigException.class, () -> PruningConfig.ratio(1));
        assertThrows(ConfigException.class, () -> PruningConfig.targetParams(0));
        assertThrows(ConfigException.class, () -> SparseTrainingConfig.defaults().withEpochs(0));
        ConfigException layers = assertThrows(ConfigException.class,
                () -> DistillationConfig.defaults().withoutAttention().withLayers("2"));
        assertTrue(layers.getMessage().contains("attention off"), layers.getMessage());
        assertThrows(ConfigException.class, () -> config().withDistillation(config().distillation()
                .withoutAttention()).withAblation(true));

        // a manifest of the format before typed configurations: refused, naming the file and what to do
        Path old = dir.resolve("old-run");
        Files.createDirectories(old);
        ObjectNode manifest = (ObjectNode) JSON.readTree(run.resolve(PipelineManifest.FILE).toFile());
        manifest.remove("format");
        manifest.putArray("options").add("--ratio").add("0.5");
        Files.writeString(old.resolve(PipelineManifest.FILE), manifest.toString());
        BadInputException e = assertThrows(BadInputException.class, () -> new CompressionPipeline(
                new CompressionPipeline.Inputs(cfg, weights, voc), config()).run(old));
        assertTrue(e.getMessage().contains("manifest format 1") && e.getMessage().contains("--force"),
                e.getMessage());
        assertTrue(e.getMessage().lines().count() == 1, e.getMessage());
        assertEquals(List.of(PipelineManifest.FILE), List.of(old.toFile().list()), "nothing was added");
    }

    @Test
    void theCompressCommandMapsItsFlagsOntoTheSameConfiguration() throws Exception {
        Path cli = dir.resolve("cli-run");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = new EdgeSlim().run(List.of("compress", "--cfg", cfg.toString(), "--weights", weights.toString(),
                "--data", voc.toString(), "--out", cli.toString(), "--sparse-epochs", "1", "--finetune-epochs", "1",
                "--batch", "4", "--threads", "2", "--latency-runs", "2", "--seed", "3", "--quiet"),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
        JsonNode api = JSON.readTree(run.resolve(PipelineManifest.FILE).toFile());
        JsonNode command = JSON.readTree(cli.resolve(PipelineManifest.FILE).toFile());
        assertEquals(api.get("options"), command.get("options"));
        for (String file : List.of("1-sparse/final.weights", "2-prune/pruned.weights", "3-distill/final.weights")) {
            assertArrayEquals(Files.readAllBytes(run.resolve(file)), Files.readAllBytes(cli.resolve(file)), file);
        }
    }
}
