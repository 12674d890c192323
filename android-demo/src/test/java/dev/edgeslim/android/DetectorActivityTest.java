package dev.edgeslim.android;

import android.content.Intent;
import android.graphics.Bitmap;
import android.graphics.BitmapFactory;
import android.graphics.Color;
import android.graphics.drawable.BitmapDrawable;
import android.os.Looper;
import android.view.ViewGroup;
import android.widget.Button;
import android.widget.LinearLayout;
import android.widget.ScrollView;

import dev.edgeslim.compressor.export.tflite.ExportedTflite;
import dev.edgeslim.detector.postprocess.DetectorOptions;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.robolectric.Robolectric;
import org.robolectric.RobolectricTestRunner;
import org.robolectric.RuntimeEnvironment;
import org.robolectric.android.controller.ActivityController;
import org.robolectric.annotation.Config;
import org.robolectric.annotation.GraphicsMode;
import org.robolectric.shadow.api.Shadow;
import org.robolectric.shadows.ShadowLooper;

import java.io.File;
import java.io.InputStream;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

/**
 * The Activity under Robolectric (Android 14 framework on the JVM, real bitmap decoding and drawing with native
 * graphics), with the assets of the APK (model, metadata, samples, build info) from the resource APK the build
 * makes with aapt. TFLite is the desktop build (DJL), loaded into Robolectric's class loader.
 */
@RunWith(RobolectricTestRunner.class)
@Config(sdk = 34)
@GraphicsMode(GraphicsMode.Mode.NATIVE)
public class DetectorActivityTest {
    private static final Pattern SUMMARY =
            Pattern.compile("^(\\S+) \\((\\d+)x(\\d+)\\): (\\d+) detections?, inference ([0-9.]+) ms"
                    + " \\(total ([0-9.]+) ms\\)$");

    @Before
    public void setUp() {
        // without aapt the build cannot make the resource APK: no assets, nothing to test here (the JVM tests of
        // AndroidDetector still run)
        assumeTrue("no Robolectric resource APK (install aapt: apt-get install -y aapt)",
                getClass().getResource("/com/android/tools/test_config.properties") != null);
        DesktopTflite.load();
    }

    @Test
    public void runsTheBundledModelOnTheFirstSampleAndShowsTheResult() throws Exception {
        ActivityController<DetectorActivity> controller = Robolectric.buildActivity(DetectorActivity.class).setup();
        DetectorActivity activity = controller.get();
        waitUntilIdle(activity);
        Properties info = buildInfo(activity);

        String header = activity.headerView().getText().toString();
        assertTrue(header, activity.isModelReady());
        assertTrue(header, header.startsWith("Model: " + info.getProperty("model.label") + " ("));
        assertTrue(header, header.contains("Input "));
        assertTrue(header, header.contains("XNNPACK"));
        assertEquals(header, Boolean.parseBoolean(info.getProperty("model.untrained")),
                header.contains("Untrained demo model"));

        String status = activity.statusView().getText().toString();
        System.out.println("header: " + header.replace("\n", " | ") + "\nstatus: " + status);
        Matcher m = SUMMARY.matcher(status);
        assertTrue("status: " + status, m.matches());
        assertEquals(sortedSamples(activity)[0], m.group(1));
        int count = Integer.parseInt(m.group(4));
        assertEquals(count, activity.lastDetectionCount());
        assertTrue(Double.parseDouble(m.group(5)) > 0);
        assertTrue(Double.parseDouble(m.group(6)) >= Double.parseDouble(m.group(5)));
        String[] lines = activity.detectionListView().getText().toString().split("\n");
        assertEquals(count == 0 ? 1 : Math.min(count, 30) + (count > 30 ? 1 : 0), lines.length);

        // the drawn image has the sample's size: a copy with the boxes, not the network input
        BitmapDrawable drawn = (BitmapDrawable) activity.imageView().getDrawable();
        assertNotNull(drawn);
        assertEquals(Integer.parseInt(m.group(2)), drawn.getBitmap().getWidth());
        assertEquals(Integer.parseInt(m.group(3)), drawn.getBitmap().getHeight());

        controller.pause().stop().destroy();
    }

    /**
     * A model from a file (how a model is swapped in without rebuilding) that finds boxes: the small lively test
     * network. Boxes are drawn, listed, and "Next sample" runs the next image.
     */
    @Test
    public void aModelFromAFileDrawsAndListsItsBoxes() throws Exception {
        File dir = RuntimeEnvironment.getApplication().getExternalFilesDir(null);
        File model = new File(dir, "lively.tflite");
        ExportedTflite exported = TestModels.fp32();
        exported.write(model.toPath());
        Intent intent = new Intent().putExtra(DetectorActivity.EXTRA_MODEL, model.getAbsolutePath());
        ActivityController<DetectorActivity> controller =
                Robolectric.buildActivity(DetectorActivity.class, intent).setup();
        DetectorActivity activity = controller.get();
        waitUntilIdle(activity);
        String header = activity.headerView().getText().toString();
        assertTrue(header, header.startsWith("Model: lively (fp32, ") && header.contains(" from " + model.getPath()));
        assertFalse(header, header.contains("Untrained"));
        String[] samples = sortedSamples(activity);
        for (int i = 0; i < Math.min(2, samples.length); i++) {
            if (i > 0) {
                nextButton(activity).performClick();
                waitUntilIdle(activity);
            }
            String status = activity.statusView().getText().toString();
            System.out.println("status: " + status);
            Matcher m = SUMMARY.matcher(status);
            assertTrue(status, m.matches());
            assertEquals(samples[i], m.group(1));
            int count = Integer.parseInt(m.group(4));
            assertTrue("the lively model finds boxes: " + status, count > 0);
            assertTrue(count <= DetectorOptions.defaults().maxDetections());
            String list = activity.detectionListView().getText().toString();
            for (String name : TestModels.CLASS_NAMES) {
                list = list.replace(name, "");
            }
            assertTrue("every line names a class", list.lines().limit(Math.min(count, 30)).allMatch(
                    l -> l.trim().matches("[0-9.]+ +\\(-?\\d+, -?\\d+\\)-\\(-?\\d+, -?\\d+\\)")));
            // boxes were drawn: the shown bitmap differs from the sample itself
            Bitmap shown = ((BitmapDrawable) activity.imageView().getDrawable()).getBitmap();
            Bitmap plain;
            try (InputStream in = activity.getAssets().open(DetectorActivity.SAMPLE_DIR + "/" + samples[i])) {
                plain = BitmapFactory.decodeStream(in);
            }
            assertEquals(plain.getWidth(), shown.getWidth());
            assertFalse("no box drawn", plain.sameAs(shown));
        }
        controller.pause().stop().destroy();
    }

    @Test
    public void aBrokenModelIsAMessageOnScreenNotACrash() throws Exception {
        Intent intent = new Intent().putExtra(DetectorActivity.EXTRA_MODEL, "broken/not-a-model.tflite");
        ActivityController<DetectorActivity> controller =
                Robolectric.buildActivity(DetectorActivity.class, intent).setup();
        DetectorActivity activity = controller.get();
        waitUntilIdle(activity);
        assertFalse(activity.isModelReady());
        assertEquals("No model loaded.", activity.headerView().getText().toString());
        String status = activity.statusView().getText().toString();
        assertTrue(status, status.startsWith("Cannot use the model: not-a-model is not a TensorFlow Lite model"));
        assertEquals(Color.rgb(198, 40, 40), activity.statusView().getCurrentTextColor());
        assertEquals(-1, activity.lastDetectionCount());
        // the sample buttons still answer, with the same explanation
        nextButton(activity).performClick();
        waitUntilIdle(activity);
        assertTrue(activity.statusView().getText().toString().startsWith("Cannot use the model: not-a-model is not"));
        controller.pause().stop().destroy();
    }

    @Test
    public void aMissingModelAssetIsAMessageToo() throws Exception {
        Intent intent = new Intent().putExtra(DetectorActivity.EXTRA_MODEL, "models/nothing-here.tflite");
        DetectorActivity activity = Robolectric.buildActivity(DetectorActivity.class, intent).setup().get();
        waitUntilIdle(activity);
        assertEquals("Cannot use the model: assets/models/nothing-here.tflite is missing from the APK",
                activity.statusView().getText().toString());
        assertFalse(activity.isModelReady());
    }

    private static String[] sortedSamples(DetectorActivity activity) throws java.io.IOException {
        String[] samples = activity.getAssets().list(DetectorActivity.SAMPLE_DIR);
        java.util.Arrays.sort(samples);
        return samples;
    }

    private static Button nextButton(DetectorActivity activity) {
        ViewGroup content = (ViewGroup) activity.findViewById(android.R.id.content);
        LinearLayout column = (LinearLayout) ((ScrollView) content.getChildAt(0)).getChildAt(0);
        LinearLayout buttons = (LinearLayout) column.getChildAt(1);
        Button next = (Button) buttons.getChildAt(0);
        assertEquals("Next sample", next.getText().toString());
        return next;
    }

    /** Runs the main looper until the worker thread has finished and its results are on screen. */
    private static void waitUntilIdle(DetectorActivity activity) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 120_000;
        while (true) {
            // Shadow.extract, not Shadows.shadowOf: its overloads name classes newer than the API 16 compile jar
            ((ShadowLooper) Shadow.extract(Looper.getMainLooper())).idle();
            if (activity.isIdle()) {
                return;
            }
            assertTrue("the activity did not finish its work in time", System.currentTimeMillis() < deadline);
            Thread.sleep(20);
        }
    }

    private static Properties buildInfo(DetectorActivity activity) throws Exception {
        Properties p = new Properties();
        try (InputStream in = activity.getAssets().open(ModelSource.BUILD_INFO)) {
            p.load(in);
        }
        return p;
    }
}
