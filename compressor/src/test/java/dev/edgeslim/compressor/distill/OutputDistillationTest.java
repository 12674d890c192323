package dev.edgeslim.compressor.distill;

import dev.edgeslim.detector.cfg.CfgParser;
import dev.edgeslim.detector.graph.DarknetGraph;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.model.YoloLayer;
import dev.edgeslim.detector.train.LearningRateSchedule;
import dev.edgeslim.detector.train.StepMetrics;
import dev.edgeslim.detector.train.Trainer;
import dev.edgeslim.detector.train.TrainingContext;
import dev.edgeslim.detector.train.TrainingListener;
import dev.edgeslim.detector.train.TrainingOptions;
import dev.edgeslim.detector.weights.WeightInitializer;
import dev.edgeslim.detector.weights.WeightStore;
import dev.edgeslim.detector.data.VocDataset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Output distillation: its value is the Bernoulli KL of the softened objectness and (objectness-weighted) class
 * scores, checked against the same sum computed here in double from the two networks' head logits; it is 0 for a
 * student equal to its teacher; training on it pulls the student toward a teacher that stays bit-identical; and the
 * attention and output terms share one teacher graph. A new_coords head (logistic outputs) is distilled on the
 * logits of its probabilities.
 */
class OutputDistillationTest {
    static final NetworkSpec SPEC = CfgParser.parse(AttentionDistillationTest.CFG, "tiny.cfg");
    @TempDir
    static Path data;
    static VocDataset train;

    @BeforeAll
    static void dataset() throws Exception {
        train = AttentionDistillationTest.trainingImages(data);
    }

    /** Loss value and both networks' head logits for {@code batch} random images. */
    private record Measured(float loss, float obj, float cls, List<float[]> student, List<float[]> teacher) {
    }

    /** The same network with a Scaled-YOLOv4 head: logistic head convolution, [yolo] new_coords=1. */
    static final NetworkSpec NEW_COORDS = CfgParser.parse(
            dev.edgeslim.detector.TinyModels.withNewCoordsHead(AttentionDistillationTest.CFG), "tiny-new-coords.cfg");

    private static Measured measure(WeightStore studentWeights, WeightStore teacherWeights, double weight, double temperature,
                                    int batch) {
        return measure(SPEC, studentWeights, teacherWeights, weight, temperature, batch);
    }

    private static Measured measure(NetworkSpec spec, WeightStore studentWeights, WeightStore teacherWeights,
                                    double weight, double temperature, int batch) {
        try (Graph g = new Graph(); Session s = new Session(g)) {
            Ops tf = Ops.create(g);
            Placeholder<TFloat32> input = DarknetGraph.inputPlaceholder(tf, spec, "input");
            DarknetGraph student = DarknetGraph.constant(tf, "student", spec, studentWeights, input);
            FrozenTeacher teacher = new FrozenTeacher(spec, teacherWeights);
            OutputDistillation term = new OutputDistillation(teacher, weight, temperature);
            TrainingContext context = new TrainingContext(tf, spec, null, student, input);
            Operand<TFloat32> loss = term.build(context);
            float[] pixels = new float[batch * 64 * 64 * 3];
            Random r = new Random(5);
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = r.nextFloat();
            }
            try (TFloat32 in = TFloat32.tensorOf(Shape.of(batch, 64, 64, 3), DataBuffers.of(pixels, true, false))) {
                Session.Runner run = s.runner().feed(input, in).fetch(loss).fetch(term.logged().get("output_distill_obj"))
                        .fetch(term.logged().get("output_distill_cls"));
                student.heads().forEach(run::fetch);
                teacher.graph().heads().forEach(run::fetch);
                try (Result res = run.run()) {
                    int heads = student.heads().size();
                    List<float[]> sh = new ArrayList<>();
                    List<float[]> th = new ArrayList<>();
                    for (int h = 0; h < heads; h++) {
                        sh.add(floats((TFloat32) res.get(3 + h)));
                        th.add(floats((TFloat32) res.get(3 + heads + h)));
                    }
                    return new Measured(scalar(res, 0), scalar(res, 1), scalar(res, 2), sh, th);
                }
            }
        }
    }

    private static float scalar(Result res, int i) {
        return ((TFloat32) res.get(i)).getFloat();
    }

    private static float[] floats(TFloat32 t) {
        float[] f = new float[(int) t.size()];
        t.asRawTensor().data().asFloats().read(f);
        return f;
    }

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    /** KL(Bernoulli(σ(t/T)) ‖ Bernoulli(σ(s/T))) in double. */
    private static double kl(double t, double s, double temperature) {
        double p = sigmoid(t / temperature);
        double q = sigmoid(s / temperature);
        return p * Math.log(p / q) + (1 - p) * Math.log((1 - p) / (1 - q));
    }

    /** log(p / (1 − p)) of a new_coords head's probability, as the term clips it. */
    private static double logit(double p) {
        double q = Math.min(Math.max(p, 1e-6), 1 - 1e-6);
        return Math.log(q / (1 - q));
    }

    @Test
    void valueIsTheSoftenedBernoulliKlOfObjectnessAndClasses() {
        checkValue(SPEC);
    }

    @Test
    void aNewCoordsHeadIsDistilledOnTheLogitsOfItsProbabilities() {
        YoloLayer head = (YoloLayer) NEW_COORDS.layer(NEW_COORDS.yoloLayers().get(0));
        assertTrue(head.newCoords());
        checkValue(NEW_COORDS);
    }

    private static void checkValue(NetworkSpec spec) {
        WeightStore studentWeights = WeightInitializer.forTesting(spec, 3);
        WeightStore teacherWeights = WeightInitializer.forTesting(spec, 4);
        int batch = 2;
        double temperature = 3;
        double weight = 0.5;
        Measured m = measure(spec, studentWeights, teacherWeights, weight, temperature, batch);
        double obj = 0;
        double cls = 0;
        List<Integer> heads = spec.yoloLayers();
        for (int h = 0; h < heads.size(); h++) {
            YoloLayer y = (YoloLayer) spec.layer(heads.get(h));
            int per = 5 + y.classes();
            float[] s = m.student().get(h);
            float[] t = m.teacher().get(h);
            for (int at = 0; at < s.length; at += per) { // one anchor of one cell: [box 4, obj, classes]
                if (y.newCoords()) {
                    assertTrue(s[at + 4] > 0 && s[at + 4] < 1, "a new_coords head outputs probabilities");
                }
                double tObj = y.newCoords() ? logit(t[at + 4]) : t[at + 4];
                obj += kl(tObj, y.newCoords() ? logit(s[at + 4]) : s[at + 4], temperature);
                for (int c = 0; c < y.classes(); c++) {
                    double tc = y.newCoords() ? logit(t[at + 5 + c]) : t[at + 5 + c];
                    double sc = y.newCoords() ? logit(s[at + 5 + c]) : s[at + 5 + c];
                    cls += sigmoid(tObj) * kl(tc, sc, temperature);
                }
            }
        }
        double scale = weight * temperature * temperature / batch;
        assertTrue(obj > 0.01 && cls > 0.01, "different networks disagree: " + obj + ", " + cls);
        assertEquals(scale * obj, m.obj(), 1e-4 * scale * obj + 1e-6);
        assertEquals(scale * cls, m.cls(), 1e-4 * scale * cls + 1e-6);
        assertEquals(m.obj() + m.cls(), m.loss(), 1e-5 * m.loss());
    }

    @Test
    void zeroForAStudentEqualToItsTeacher() {
        WeightStore same = WeightInitializer.forTesting(SPEC, 4);
        Measured m = measure(same, same, 1, 2, 2);
        for (int h = 0; h < m.student().size(); h++) {
            assertArrayEquals(m.teacher().get(h), m.student().get(h), 0f);
        }
        assertEquals(0, m.loss(), 1e-4);
    }

    @Test
    void trainingPullsTheStudentTowardAFrozenTeacherAndTheTeacherIsShared() throws Exception {
        WeightStore teacherWeights = WeightInitializer.forTesting(SPEC, 11);
        WeightStore studentWeights = WeightInitializer.forTesting(SPEC, 12);
        FrozenTeacher teacher = new FrozenTeacher(SPEC, teacherWeights);
        OutputDistillation output = new OutputDistillation(teacher, 1, 2);
        AttentionDistillation attention = new AttentionDistillation(teacher, List.of(new LayerPair(1, 1, 1)));
        TrainingOptions o = new TrainingOptions(6, 4, LearningRateSchedule.constant(0.02), 0.9, 0, 0.9f, 2, 1, 0, "d");
        List<Double> losses = new ArrayList<>();
        try (Trainer trainer = new Trainer(SPEC, studentWeights, List.of(output, attention), List.of(), o)) {
            assertSame(attention.teacher(), teacher.graph(), "one teacher graph for both terms");
            float[] probe = new float[64 * 64 * 3];
            Arrays.fill(probe, 0.3f);
            float[][] before = AttentionDistillationTest.heads(trainer, attention, probe);
            trainer.train(AttentionDistillationTest.source(train), null, false, List.of(new TrainingListener() {
                @Override
                public void onStep(StepMetrics step) {
                    losses.add(step.losses().get("output_distill"));
                }
            }));
            float[][] after = AttentionDistillationTest.heads(trainer, attention, probe);
            for (int h = 0; h < before.length; h++) {
                assertArrayEquals(before[h], after[h], 0f, "teacher outputs must be bit-identical");
            }
        }
        double first = (losses.get(0) + losses.get(1)) / 2;
        double last = (losses.get(losses.size() - 1) + losses.get(losses.size() - 2)) / 2;
        assertTrue(last < 0.7 * first, "output distillation loss should fall: " + first + " -> " + last);
    }

    @Test
    void badTemperatureOrWeightIsRefused() {
        FrozenTeacher t = new FrozenTeacher(SPEC, WeightInitializer.forTesting(SPEC, 1));
        assertThrows(IllegalArgumentException.class, () -> new OutputDistillation(t, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new OutputDistillation(t, -1, 2));
    }
}
