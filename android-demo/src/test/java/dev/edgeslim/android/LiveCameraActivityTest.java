package dev.edgeslim.android;

import android.app.Application;
import android.content.Intent;
import android.content.pm.PackageManager;
import android.graphics.Bitmap;
import android.graphics.Canvas;
import android.hardware.Camera;
import android.os.Looper;
import android.view.SurfaceHolder;

import dev.edgeslim.compressor.export.tflite.ExportedTflite;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;
import org.junit.After;
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
import org.robolectric.shadows.ShadowActivity;
import org.robolectric.shadows.ShadowApplication;
import org.robolectric.shadows.ShadowCamera;
import org.robolectric.shadows.ShadowLooper;
import org.robolectric.shadows.ShadowSurfaceView;

import java.awt.image.BufferedImage;
import java.io.File;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_core.ROTATE_90_COUNTERCLOCKWISE;
import static org.bytedeco.opencv.global.opencv_core.rotate;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

/**
 * The live screen driven as a user drives it, under Robolectric (Android 14 on the JVM): the framework's shadow
 * camera (a back camera mounted at 90 degrees, as on phones, and a front one) delivers NV21 frames of a real
 * picture; the model is the lively test network (many boxes) from a file, next to the APK's bundled model.
 */
@RunWith(RobolectricTestRunner.class)
@Config(sdk = 34)
@GraphicsMode(GraphicsMode.Mode.NATIVE)
public class LiveCameraActivityTest {
    private static final Pattern STATS =
            Pattern.compile("^Inference ([0-9.]+) ms \u00b7 ([0-9.]+) FPS \u00b7 (\\d+) box(es)?$");

    private ActivityController<LiveCameraActivity> controller;
    /** Interpreters open before the test (other activities of this sandbox); the test adds at most one. */
    private int base;

    @Before
    public void setUp() {
        assumeTrue("no Robolectric resource APK (install aapt: apt-get install -y aapt)",
                getClass().getResource("/com/android/tools/test_config.properties") != null);
        DesktopTflite.load();
        base = OpenInterpreters.count();
        ShadowCamera.clearCameraInfo();
        Camera.CameraInfo back = new Camera.CameraInfo();
        back.facing = Camera.CameraInfo.CAMERA_FACING_BACK;
        back.orientation = 90;
        ShadowCamera.addCameraInfo(0, back);
        Camera.CameraInfo front = new Camera.CameraInfo();
        front.facing = Camera.CameraInfo.CAMERA_FACING_FRONT;
        front.orientation = 270;
        ShadowCamera.addCameraInfo(1, front);
    }

    @After
    public void tearDown() throws Exception {
        if (controller != null) {
            LiveCameraActivity activity = controller.get();
            controller.pause().stop().destroy();
            long deadline = System.currentTimeMillis() + 30_000;
            while (OpenInterpreters.count() > base && System.currentTimeMillis() < deadline) {
                Thread.sleep(10);
            }
            assertEquals("interpreters left open after the activity was destroyed", base, OpenInterpreters.count());
            assertNotNull(activity);
        }
    }

    @Test
    public void cameraFramesGetBoxesDrawnOverThePreviewAndTheFpsUpdates() throws Exception {
        LiveCameraActivity activity = start(true);
        Camera camera = activity.camera();
        ShadowCamera shadow = Shadow.extract(camera);
        assertTrue("preview started", shadow.isPreviewing());
        assertEquals("back camera mounted at 90 degrees, portrait screen", 90, shadow.getDisplayOrientation());
        assertEquals("frame buffers given to the camera", 3, shadow.getAddedCallbackBuffers().size());
        String info = activity.modelInfoView().getText().toString();
        assertTrue(info, info.startsWith("Model: lively (fp32, "));
        assertTrue(info, info.contains("\n3 classes: " + String.join(", ", TestModels.CLASS_NAMES)));

        Camera.Size size = camera.getParameters().getPreviewSize();
        byte[] frame = sensorFrame(size.width, size.height);
        assertEquals(0, activity.overlay().detections().size());
        double fps = 0;
        for (int i = 0; i < 4; i++) {
            shadow.invokePreviewCallback(frame.clone());
            waitUntilIdle(activity);
            String stats = activity.statsView().getText().toString();
            Matcher m = STATS.matcher(stats);
            assertTrue("stats: " + stats, m.matches());
            assertTrue(Double.parseDouble(m.group(1)) > 0);
            assertEquals(activity.overlay().detections().size(), Integer.parseInt(m.group(3)));
            fps = Double.parseDouble(m.group(2));
            System.out.println("frame " + i + ": " + stats);
        }
        assertTrue("FPS measured after a few frames", fps > 0);
        assertEquals(4, activity.frameProcessor().processedCount());
        int boxes = activity.overlay().detections().size();
        assertTrue("the lively model finds boxes", boxes > 0);
        // the boxes are in the upright (portrait) frame
        for (dev.edgeslim.detector.postprocess.Detection d : activity.overlay().detections()) {
            assertTrue(d.x2() <= size.height + 0.01f && d.y2() <= size.width + 0.01f);
        }
        // drawn: the overlay paints something over a transparent canvas
        Bitmap drawn = Bitmap.createBitmap(300, 400, Bitmap.Config.ARGB_8888);
        activity.overlay().layout(0, 0, 300, 400);
        activity.overlay().draw(new Canvas(drawn));
        assertTrue("boxes drawn", countOpaque(drawn) > 100);

        // a higher score threshold keeps fewer boxes on the next frame
        seekBar(activity, 0).setProgress(95);
        shadow.invokePreviewCallback(frame.clone());
        waitUntilIdle(activity);
        assertEquals(0.95f, activity.options().confThreshold(), 1e-6);
        assertTrue(activity.overlay().detections().size() < boxes);
        for (dev.edgeslim.detector.postprocess.Detection d : activity.overlay().detections()) {
            assertTrue(d.score() >= 0.95f);
        }
    }

    @Test
    public void refusingTheCameraPermissionShowsWhyAndTheStillImages() throws Exception {
        ShadowApplication app = Shadow.extract((Application) RuntimeEnvironment.getApplication());
        app.denyPermissions(LiveCameraActivity.CAMERA_PERMISSION);
        controller = Robolectric.buildActivity(LiveCameraActivity.class, modelIntent()).setup();
        LiveCameraActivity activity = controller.get();
        ShadowActivity shadowActivity = Shadow.extract(activity);
        ShadowActivity.PermissionsRequest request = shadowActivity.getLastRequestedPermission();
        assertNotNull("the permission was asked for", request);
        assertEquals(LiveCameraActivity.CAMERA_PERMISSION, request.requestedPermissions[0]);
        assertFalse("waiting for the answer", activity.isFinishing());
        assertNull("no camera without the permission", activity.camera());

        activity.onRequestPermissionsResult(request.requestCode, request.requestedPermissions,
                new int[] {PackageManager.PERMISSION_DENIED});
        assertTrue(activity.lastMessage(), activity.lastMessage().startsWith("Camera permission refused"));
        assertTrue(activity.isFinishing());
        Intent still = shadowActivity.getNextStartedActivity();
        assertEquals(DetectorActivity.class.getName(), still.getComponent().getClassName());
        waitUntilIdle(activity);

        // the still-image screen shows the reason and runs the samples
        ActivityController<DetectorActivity> stillController = Robolectric.buildActivity(DetectorActivity.class,
                still).setup();
        DetectorActivity stillActivity = stillController.get();
        long deadline = System.currentTimeMillis() + 120_000;
        while (!stillActivity.isIdle() || !stillActivity.isModelReady()) {
            ((ShadowLooper) Shadow.extract(Looper.getMainLooper())).idle();
            assertTrue(System.currentTimeMillis() < deadline);
            Thread.sleep(20);
        }
        assertTrue(stillActivity.noticeView().getText().toString().startsWith("Camera permission refused"));
        assertTrue(stillActivity.lastDetectionCount() > 0);
        stillController.pause().stop().destroy();
    }

    @Test
    public void switchingBackendThreadsAndModelReloadsWithoutLeakingInterpreters() throws Exception {
        LiveCameraActivity activity = start(true);
        assertEquals(base + 1, OpenInterpreters.count());
        Camera.Size size = activity.camera().getParameters().getPreviewSize();
        byte[] frame = sensorFrame(size.width, size.height);

        // GPU: the delegate's native library is not on this JVM, as on a phone without GPU support
        select(activity, activity.backendChoice(), Backend.GPU.ordinal());
        assertEquals(Backend.XNNPACK, activity.settings().backend());
        assertEquals(Backend.XNNPACK.ordinal(), activity.backendChoice().getSelectedItemPosition());
        String message = activity.statusView().getText().toString();
        assertTrue(message, message.startsWith("GPU cannot run lively on this device ("));
        assertTrue(message, message.endsWith("running it on the CPU (XNNPACK) instead."));
        assertEquals(base + 1, OpenInterpreters.count());

        select(activity, activity.backendChoice(), Backend.CPU.ordinal());
        assertEquals(Backend.CPU, activity.settings().backend());
        assertTrue(activity.modelInfoView().getText().toString(), activity.modelInfoView().getText().toString()
                .contains("CPU, "));
        assertEquals(base + 1, OpenInterpreters.count());

        select(activity, activity.threadChoice(), 0);
        assertEquals(1, activity.settings().threads());
        assertTrue(activity.modelInfoView().getText().toString().contains("CPU, 1 thread\n"));
        assertEquals(base + 1, OpenInterpreters.count());
        runFrame(activity, frame);

        // the APK's own model, second in the list
        assertTrue(activity.modelChoice().getCount() >= 2);
        select(activity, activity.modelChoice(), 1);
        String info = activity.modelInfoView().getText().toString();
        assertFalse(info, info.startsWith("Model: lively"));
        assertTrue(info, info.contains("input 320x320") || info.contains("input 416x416"));
        assertEquals(base + 1, OpenInterpreters.count());
        runFrame(activity, frame);

        // the front camera: mirrored, its own orientation
        clickButton(activity, "Switch camera");
        ShadowCamera front = Shadow.extract(activity.camera());
        assertEquals(1, ShadowCamera.getLastOpenedCameraId());
        assertEquals(90, front.getDisplayOrientation());
        assertTrue(front.isPreviewing());
        runFrame(activity, frame);
    }

    // ---- driving the screen ------------------------------------------------------------------------------

    private LiveCameraActivity start(boolean grant) throws Exception {
        ShadowApplication app = Shadow.extract((Application) RuntimeEnvironment.getApplication());
        if (grant) {
            app.grantPermissions(LiveCameraActivity.CAMERA_PERMISSION);
        }
        controller = Robolectric.buildActivity(LiveCameraActivity.class, modelIntent()).setup();
        LiveCameraActivity activity = controller.get();
        // the window's surface appears: the framework calls the holder's callbacks
        ShadowSurfaceView surface = Shadow.extract(activity.previewView());
        ShadowSurfaceView.FakeSurfaceHolder holder = surface.getFakeSurfaceHolder();
        for (SurfaceHolder.Callback cb : holder.getCallbacks()) {
            cb.surfaceCreated(holder);
        }
        waitUntilIdle(activity);
        return activity;
    }

    private static Intent modelIntent() throws Exception {
        File dir = RuntimeEnvironment.getApplication().getExternalFilesDir(null);
        File model = new File(dir, "lively.tflite");
        ExportedTflite exported = TestModels.fp32();
        exported.write(model.toPath());
        return new Intent().putExtra(LiveCameraActivity.EXTRA_MODEL, model.getAbsolutePath());
    }

    /** The first sample picture, resized to the preview's upright size and turned as a 90-degree sensor sees it. */
    private static byte[] sensorFrame(int width, int height) {
        BufferedImage img = TestModels.sampleImages().get(1); // 480x640, portrait
        try (Mat src = new Mat(img.getHeight(), img.getWidth(), CV_8UC3); Mat upright = new Mat();
             Mat sensor = new Mat()) {
            src.data().put(TestModels.rgb(img));
            resize(src, upright, new Size(height, width));
            rotate(upright, sensor, ROTATE_90_COUNTERCLOCKWISE);
            byte[] rgb = new byte[width * height * 3];
            sensor.data().get(rgb);
            return YuvFrames.ofRgb(rgb, width, height).nv21();
        }
    }

    private static void runFrame(LiveCameraActivity activity, byte[] frame) throws Exception {
        ShadowCamera shadow = Shadow.extract(activity.camera());
        long before = activity.frameProcessor().processedCount();
        shadow.invokePreviewCallback(frame.clone());
        waitUntilIdle(activity);
        assertEquals(before + 1, activity.frameProcessor().processedCount());
        assertTrue(activity.statsView().getText().toString(),
                STATS.matcher(activity.statsView().getText().toString()).matches());
    }

    private static void select(LiveCameraActivity activity, android.widget.Spinner spinner, int position)
            throws Exception {
        spinner.setSelection(position);
        waitUntilIdle(activity);
    }

    private static android.widget.SeekBar seekBar(LiveCameraActivity activity, int index) {
        java.util.List<android.widget.SeekBar> bars = new java.util.ArrayList<>();
        collect(activity.getWindow().getDecorView(), android.widget.SeekBar.class, bars);
        return bars.get(index);
    }

    private static void clickButton(LiveCameraActivity activity, String text) throws Exception {
        java.util.List<android.widget.Button> buttons = new java.util.ArrayList<>();
        collect(activity.getWindow().getDecorView(), android.widget.Button.class, buttons);
        for (android.widget.Button b : buttons) {
            if (text.contentEquals(b.getText())) {
                assertTrue(b.performClick());
                waitUntilIdle(activity);
                return;
            }
        }
        throw new AssertionError("no button " + text);
    }

    private static <V> void collect(android.view.View v, Class<V> type, java.util.List<V> out) {
        if (type.isInstance(v)) {
            out.add(type.cast(v));
        }
        if (v instanceof android.view.ViewGroup) {
            android.view.ViewGroup g = (android.view.ViewGroup) v;
            for (int i = 0; i < g.getChildCount(); i++) {
                collect(g.getChildAt(i), type, out);
            }
        }
    }

    private static int countOpaque(Bitmap b) {
        int n = 0;
        for (int y = 0; y < b.getHeight(); y++) {
            for (int x = 0; x < b.getWidth(); x++) {
                if ((b.getPixel(x, y) >>> 24) != 0) {
                    n++;
                }
            }
        }
        return n;
    }

    /** Runs the main looper until the worker has finished and its results are on screen. */
    private static void waitUntilIdle(LiveCameraActivity activity) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 120_000;
        ShadowLooper looper = Shadow.extract(Looper.getMainLooper());
        while (true) {
            looper.idle();
            if (activity.isIdle()) {
                looper.idle();
                if (activity.isIdle()) {
                    return;
                }
            }
            assertTrue("the activity did not finish its work in time", System.currentTimeMillis() < deadline);
            Thread.sleep(20);
        }
    }
}
