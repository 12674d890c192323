package dev.edgeslim.android;

import android.app.Activity;
import android.content.Intent;
import android.content.pm.PackageManager;
import android.graphics.Color;
import android.graphics.ImageFormat;
import android.hardware.Camera;
import android.os.Build;
import android.os.Bundle;
import android.os.Process;
import android.view.Gravity;
import android.view.Surface;
import android.view.SurfaceHolder;
import android.view.SurfaceView;
import android.view.View;
import android.view.ViewGroup;
import android.widget.AdapterView;
import android.widget.ArrayAdapter;
import android.widget.Button;
import android.widget.FrameLayout;
import android.widget.LinearLayout;
import android.widget.ScrollView;
import android.widget.SeekBar;
import android.widget.Spinner;
import android.widget.TextView;

import dev.edgeslim.detector.postprocess.Detection;
import dev.edgeslim.detector.postprocess.DetectorOptions;

import java.io.IOException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The live screen: the camera preview with the model's boxes drawn over it, as fast as the model allows (only the
 * newest frame is processed, see {@link LatestFrameProcessor}), and the controls: model, backend, CPU threads,
 * score threshold, NMS IoU, front/back camera, and a way to the still images ({@link DetectorActivity}). On screen:
 * the model's name, size and classes, the inference time and the FPS.
 *
 * <p>Camera: the framework's {@code android.hardware.Camera} (NV21 preview frames into three reused buffers), the
 * API every Android version has. The permission is asked at run time on Android 6+; refused (or no camera), the app
 * says so and shows the still images instead.
 *
 * <p>Threads: camera and controls on the UI thread; model loading and every frame on one worker thread (the
 * interpreter is single-threaded), so a reload never runs while a frame does. Intent extra {@value #EXTRA_MODEL}
 * adds a model file (absolute path, its .json beside it) before the bundled ones and starts with it.
 */
public class LiveCameraActivity extends Activity implements SurfaceHolder.Callback, Camera.PreviewCallback {
    static final String EXTRA_MODEL = DetectorActivity.EXTRA_MODEL;
    static final String CAMERA_PERMISSION = "android.permission.CAMERA";
    static final int REQUEST_CAMERA = 2;
    private static final int ERROR_COLOR = Color.rgb(198, 40, 40);
    private static final int BUFFERS = 3;

    private final ExecutorService worker = Executors.newSingleThreadExecutor();
    private LatestFrameProcessor<byte[]> frames;

    // worker thread only
    private AndroidDetector detector;
    private final FrameConverter converter = new FrameConverter();
    private final FpsMeter fpsMeter = new FpsMeter();

    // written on the UI thread, read by the worker
    private volatile RuntimeSettings settings = RuntimeSettings.defaults();
    private volatile DetectorOptions options = DetectorOptions.defaults();
    private volatile Camera camera;
    private volatile FrameFormat format;

    // UI thread
    private List<ModelSource> models = new ArrayList<ModelSource>();
    private int modelIndex;
    private int cameraIndex;
    private boolean surfaceReady;
    private boolean resumed;
    private int pending;
    private String lastMessage;
    private FrameLayout previewBox;
    private SurfaceView preview;
    private DetectionOverlay overlay;
    private TextView modelInfo;
    private TextView stats;
    private TextView status;
    private Spinner modelChoice;
    private Spinner backendChoice;
    private Spinner threadChoice;
    private TextView scoreLabel;
    private TextView iouLabel;
    private Button switchCamera;
    private boolean ignoreSelections;

    /** Size and orientation of the frames of the open camera; immutable, replaced when the camera changes. */
    private static final class FrameFormat {
        final int width;
        final int height;
        final int rotation;
        final boolean mirror;

        FrameFormat(int width, int height, int rotation, boolean mirror) {
            this.width = width;
            this.height = height;
            this.rotation = rotation;
            this.mirror = mirror;
        }

        int bytes() {
            return width * height + 2 * ((width + 1) / 2) * ((height + 1) / 2);
        }
    }

    @Override
    protected void onCreate(Bundle savedInstanceState) {
        super.onCreate(savedInstanceState);
        frames = new LatestFrameProcessor<byte[]>(worker, new LatestFrameProcessor.Handler<byte[]>() {
            @Override
            public void process(byte[] frame) {
                processFrame(frame);
            }

            @Override
            public void dropped(byte[] frame) {
                giveBack(frame);
            }
        });
        setContentView(buildLayout());
        String requested = getIntent() == null ? null : getIntent().getStringExtra(EXTRA_MODEL);
        try {
            if (requested != null) {
                models.add(ModelSource.find(getAssets(), requested));
            }
            models.addAll(ModelSource.bundled(getAssets()));
        } catch (ModelLoadException e) {
            showMessage("Cannot use the model: " + e.getMessage(), true);
        }
        fillChoices();
        if (!models.isEmpty()) {
            reload();
        }
        if (!hasCameraPermission()) {
            requestCameraPermission();
        }
    }

    // ---- layout -------------------------------------------------------------------------------------------

    private View buildLayout() {
        int pad = dp(8);
        LinearLayout column = new LinearLayout(this);
        column.setOrientation(LinearLayout.VERTICAL);
        column.setPadding(pad, pad, pad, pad);

        previewBox = new FrameLayout(this);
        previewBox.setBackgroundColor(Color.BLACK);
        preview = new SurfaceView(this);
        preview.getHolder().addCallback(this);
        previewBox.addView(preview, new FrameLayout.LayoutParams(ViewGroup.LayoutParams.MATCH_PARENT,
                ViewGroup.LayoutParams.MATCH_PARENT));
        overlay = new DetectionOverlay(this);
        previewBox.addView(overlay, new FrameLayout.LayoutParams(ViewGroup.LayoutParams.MATCH_PARENT,
                ViewGroup.LayoutParams.MATCH_PARENT));
        stats = new TextView(this);
        stats.setTextColor(Color.WHITE);
        stats.setShadowLayer(3f, 0f, 0f, Color.BLACK);
        stats.setTextSize(15f);
        stats.setPadding(pad, pad, pad, pad);
        previewBox.addView(stats, new FrameLayout.LayoutParams(ViewGroup.LayoutParams.WRAP_CONTENT,
                ViewGroup.LayoutParams.WRAP_CONTENT, Gravity.TOP | Gravity.LEFT));
        column.addView(previewBox, new LinearLayout.LayoutParams(ViewGroup.LayoutParams.MATCH_PARENT, dp(320)));

        status = new TextView(this);
        status.setTextSize(14f);
        column.addView(status);
        modelInfo = new TextView(this);
        modelInfo.setTextSize(13f);
        column.addView(modelInfo);

        modelChoice = new Spinner(this);
        column.addView(labelled("Model", modelChoice));
        backendChoice = new Spinner(this);
        column.addView(labelled("Backend", backendChoice));
        threadChoice = new Spinner(this);
        column.addView(labelled("Threads", threadChoice));

        scoreLabel = new TextView(this);
        SeekBar score = slider(Math.round(options.confThreshold() * 100), new Slider() {
            @Override
            public void changed(int percent) {
                setScoreThreshold(percent / 100f);
            }
        });
        column.addView(labelled(scoreLabel, score));
        iouLabel = new TextView(this);
        SeekBar iou = slider(Math.round(options.iouThreshold() * 100), new Slider() {
            @Override
            public void changed(int percent) {
                setNmsIou(percent / 100f);
            }
        });
        column.addView(labelled(iouLabel, iou));
        updateOptionLabels();

        LinearLayout buttons = new LinearLayout(this);
        switchCamera = new Button(this);
        switchCamera.setText("Switch camera");
        switchCamera.setOnClickListener(new View.OnClickListener() {
            @Override
            public void onClick(View v) {
                switchCamera();
            }
        });
        buttons.addView(switchCamera);
        Button still = new Button(this);
        still.setText("Still images");
        still.setOnClickListener(new View.OnClickListener() {
            @Override
            public void onClick(View v) {
                openStillImages(null);
            }
        });
        buttons.addView(still);
        column.addView(buttons);

        ScrollView scroll = new ScrollView(this);
        scroll.addView(column);
        return scroll;
    }

    private View labelled(String label, View control) {
        TextView text = new TextView(this);
        text.setText(label);
        return labelled(text, control);
    }

    private View labelled(TextView label, View control) {
        LinearLayout row = new LinearLayout(this);
        row.setOrientation(LinearLayout.HORIZONTAL);
        row.setGravity(Gravity.CENTER_VERTICAL);
        row.addView(label, new LinearLayout.LayoutParams(dp(120), ViewGroup.LayoutParams.WRAP_CONTENT));
        row.addView(control, new LinearLayout.LayoutParams(0, ViewGroup.LayoutParams.WRAP_CONTENT, 1f));
        return row;
    }

    private interface Slider {
        void changed(int percent);
    }

    private SeekBar slider(int percent, final Slider listener) {
        SeekBar bar = new SeekBar(this);
        bar.setMax(100);
        bar.setProgress(percent);
        bar.setOnSeekBarChangeListener(new SeekBar.OnSeekBarChangeListener() {
            @Override
            public void onProgressChanged(SeekBar seekBar, int progress, boolean fromUser) {
                listener.changed(progress);
            }

            @Override
            public void onStartTrackingTouch(SeekBar seekBar) {
            }

            @Override
            public void onStopTrackingTouch(SeekBar seekBar) {
            }
        });
        return bar;
    }

    private void fillChoices() {
        ignoreSelections = true;
        List<String> names = new ArrayList<String>();
        for (ModelSource m : models) {
            names.add(m.label + (m.untrained ? " (untrained)" : ""));
        }
        modelChoice.setAdapter(adapter(names));
        List<String> backends = new ArrayList<String>();
        for (Backend b : Backend.values()) {
            backends.add(b.label());
        }
        backendChoice.setAdapter(adapter(backends));
        backendChoice.setSelection(settings.backend().ordinal());
        List<String> threads = new ArrayList<String>();
        for (int i = 1; i <= RuntimeSettings.MAX_THREADS; i++) {
            threads.add(String.valueOf(i));
        }
        threadChoice.setAdapter(adapter(threads));
        threadChoice.setSelection(settings.threads() - 1);
        AdapterView.OnItemSelectedListener listener = new AdapterView.OnItemSelectedListener() {
            @Override
            public void onItemSelected(AdapterView<?> parent, View view, int position, long id) {
                choiceMade(parent, position);
            }

            @Override
            public void onNothingSelected(AdapterView<?> parent) {
            }
        };
        modelChoice.setOnItemSelectedListener(listener);
        backendChoice.setOnItemSelectedListener(listener);
        threadChoice.setOnItemSelectedListener(listener);
        ignoreSelections = false;
    }

    private ArrayAdapter<String> adapter(List<String> items) {
        ArrayAdapter<String> a = new ArrayAdapter<String>(this, android.R.layout.simple_spinner_item, items);
        a.setDropDownViewResource(android.R.layout.simple_spinner_dropdown_item);
        return a;
    }

    private int dp(int v) {
        return Math.round(v * getResources().getDisplayMetrics().density);
    }

    // ---- controls (UI thread) -----------------------------------------------------------------------------

    private void choiceMade(AdapterView<?> which, int position) {
        if (ignoreSelections) {
            return;
        }
        if (which == modelChoice && position != modelIndex) {
            modelIndex = position;
            reload();
        } else if (which == backendChoice && position != settings.backend().ordinal()) {
            settings = settings.withBackend(Backend.values()[position]);
            reload();
        } else if (which == threadChoice && position + 1 != settings.threads()) {
            settings = settings.withThreads(position + 1);
            reload();
        }
    }

    private void setScoreThreshold(float v) {
        options = options.withConfThreshold(Math.max(0.01f, v));
        optionsChanged();
    }

    private void setNmsIou(float v) {
        options = options.withIouThreshold(Math.max(0.01f, v));
        optionsChanged();
    }

    private void optionsChanged() {
        updateOptionLabels();
        final DetectorOptions now = options;
        submit(new Runnable() {
            @Override
            public void run() {
                if (detector != null) {
                    detector.setOptions(now);
                }
            }
        });
    }

    private void updateOptionLabels() {
        scoreLabel.setText(String.format(Locale.ROOT, "Score \u2265 %.2f", options.confThreshold()));
        iouLabel.setText(String.format(Locale.ROOT, "NMS IoU %.2f", options.iouThreshold()));
    }

    /** Loads the chosen model with the chosen backend and threads, closing the previous interpreter first. */
    private void reload() {
        if (models.isEmpty()) {
            return; // the reason is already on screen
        }
        final ModelSource source = models.get(modelIndex);
        final RuntimeSettings wanted = settings;
        final DetectorOptions opts = options;
        showMessage("Loading " + source.label + " (" + wanted.describe() + ")\u2026", false);
        submit(new Runnable() {
            @Override
            public void run() {
                closeDetector();
                try {
                    AndroidDetector loaded = AndroidDetector.open(source.load(getAssets()),
                            source.metadata(getAssets()), source.label, wanted, opts);
                    detector = loaded;
                    fpsMeter.reset();
                    modelLoaded(loaded, source);
                } catch (ModelLoadException e) {
                    postMessage("Cannot use the model: " + e.getMessage(), true);
                }
            }
        });
    }

    private void modelLoaded(final AndroidDetector loaded, final ModelSource source) {
        final String info = modelText(loaded, source);
        final RuntimeSettings actual = loaded.settings();
        final String fallback = loaded.fallbackMessage();
        runOnUiThread(new Runnable() {
            @Override
            public void run() {
                modelInfo.setText(info);
                if (!actual.equals(settings)) {
                    // the backend asked for cannot run here: show the one in use
                    settings = actual;
                    ignoreSelections = true;
                    backendChoice.setSelection(actual.backend().ordinal());
                    ignoreSelections = false;
                }
                if (fallback != null) {
                    showMessage(fallback + ".", true);
                } else {
                    showMessage(camera != null ? "Point the camera at something." : "Model ready.", false);
                }
            }
        });
    }

    private static String modelText(AndroidDetector d, ModelSource source) {
        ModelMetadata m = d.metadata();
        StringBuilder sb = new StringBuilder();
        sb.append("Model: ").append(d.modelName()).append(" (").append(m.precision()).append(", ")
                .append(AndroidDetector.formatBytes(d.modelBytes())).append("), input ").append(m.inputWidth())
                .append('x').append(m.inputHeight()).append(", ").append(d.settings().describe());
        if (source.untrained) {
            sb.append("\nUntrained demo model: random weights, the boxes are meaningless.");
        }
        sb.append('\n').append(m.classes()).append(" classes: ");
        List<String> names = m.classNames();
        int shown = names == null ? 0 : Math.min(names.size(), 12);
        for (int i = 0; i < shown; i++) {
            sb.append(i > 0 ? ", " : "").append(names.get(i));
        }
        if (names == null) {
            sb.append("(no names in the metadata: numbered)");
        } else if (names.size() > shown) {
            sb.append(", \u2026");
        }
        return sb.toString();
    }

    private void switchCamera() {
        int count = Camera.getNumberOfCameras();
        if (count < 2) {
            showMessage("This device has only one camera.", false);
            return;
        }
        cameraIndex = (cameraIndex + 1) % count;
        closeCamera();
        openCamera();
    }

    /** Still-image mode; {@code notice} (e.g. why the camera is not available) is shown there. */
    private void openStillImages(String notice) {
        Intent intent = new Intent(this, DetectorActivity.class);
        if (notice != null) {
            intent.putExtra(DetectorActivity.EXTRA_NOTICE, notice);
        }
        String requested = getIntent() == null ? null : getIntent().getStringExtra(EXTRA_MODEL);
        if (requested != null) {
            intent.putExtra(DetectorActivity.EXTRA_MODEL, requested);
        }
        startActivity(intent);
    }

    // ---- permission ---------------------------------------------------------------------------------------

    private boolean hasCameraPermission() {
        return checkPermission(CAMERA_PERMISSION, Process.myPid(), Process.myUid())
                == PackageManager.PERMISSION_GRANTED;
    }

    /** Activity.requestPermissions is Android 6 (API 23); the app compiles against API 16, hence reflection. */
    private void requestCameraPermission() {
        if (Build.VERSION.SDK_INT < 23) {
            cameraUnavailable("The camera permission is missing from this installation.");
            return;
        }
        try {
            Method request = Activity.class.getMethod("requestPermissions", String[].class, int.class);
            request.invoke(this, new String[] {CAMERA_PERMISSION}, REQUEST_CAMERA);
        } catch (Exception e) {
            cameraUnavailable("Cannot ask for the camera permission (" + e + ").");
        }
    }

    /** Called by Android 6+ with the user's answer (no @Override: the API 16 compile SDK does not have it). */
    public void onRequestPermissionsResult(int requestCode, String[] permissions, int[] grantResults) {
        if (requestCode != REQUEST_CAMERA) {
            return;
        }
        if (grantResults.length > 0 && grantResults[0] == PackageManager.PERMISSION_GRANTED) {
            if (resumed) {
                openCamera();
            }
        } else {
            cameraUnavailable("Camera permission refused: showing the still images instead. To see detections"
                    + " live, allow the camera for EdgeSlim in the system settings (Apps \u203a EdgeSlim \u203a"
                    + " Permissions).");
        }
    }

    private void cameraUnavailable(String message) {
        showMessage(message, true);
        openStillImages(message);
        finish();
    }

    // ---- camera (UI thread) -------------------------------------------------------------------------------

    @Override
    protected void onResume() {
        super.onResume();
        resumed = true;
        if (hasCameraPermission()) {
            openCamera();
        }
    }

    @Override
    protected void onPause() {
        resumed = false;
        closeCamera();
        super.onPause();
    }

    private void openCamera() {
        if (camera != null) {
            return;
        }
        int count = Camera.getNumberOfCameras();
        if (count == 0) {
            cameraUnavailable("This device has no camera: showing the still images instead.");
            return;
        }
        cameraIndex = Math.min(cameraIndex, count - 1);
        switchCamera.setEnabled(count > 1);
        Camera.CameraInfo info = new Camera.CameraInfo();
        Camera opened;
        try {
            Camera.getCameraInfo(cameraIndex, info);
            opened = Camera.open(cameraIndex);
        } catch (RuntimeException e) {
            showMessage("Cannot open the camera (" + e.getMessage() + "); another app may be using it.", true);
            return;
        }
        boolean front = info.facing == Camera.CameraInfo.CAMERA_FACING_FRONT;
        int display = displayDegrees();
        opened.setDisplayOrientation(CameraRotation.displayOrientation(info.orientation, display, front));
        Camera.Parameters params = opened.getParameters();
        Camera.Size size = choosePreviewSize(params);
        try {
            if (size != null) {
                params.setPreviewSize(size.width, size.height);
            }
            params.setPreviewFormat(ImageFormat.NV21);
            opened.setParameters(params);
        } catch (RuntimeException e) {
            // a device that refuses the size keeps its default; the frames say which one it is below
        }
        Camera.Size actual = opened.getParameters().getPreviewSize();
        int width = actual != null ? actual.width : 640;
        int height = actual != null ? actual.height : 480;
        FrameFormat f = new FrameFormat(width, height, CameraRotation.frameRotation(info.orientation, display, front),
                front);
        format = f;
        camera = opened;
        fitPreview(f);
        for (int i = 0; i < BUFFERS; i++) {
            opened.addCallbackBuffer(new byte[f.bytes()]);
        }
        opened.setPreviewCallbackWithBuffer(this);
        if (surfaceReady) {
            startPreview();
        }
    }

    /** 640x480 or the nearest: enough pixels for a 320-608 network input, cheap to convert. */
    private static Camera.Size choosePreviewSize(Camera.Parameters params) {
        List<Camera.Size> sizes = params.getSupportedPreviewSizes();
        if (sizes == null || sizes.isEmpty()) {
            return null;
        }
        Camera.Size best = null;
        long bestScore = Long.MAX_VALUE;
        for (Camera.Size s : sizes) {
            long score = Math.abs((long) s.width * s.height - 640L * 480L);
            if (score < bestScore) {
                best = s;
                bestScore = score;
            }
        }
        return best;
    }

    /** The preview area takes the upright frame's aspect ratio, so boxes and picture scale alike. */
    private void fitPreview(FrameFormat f) {
        boolean swap = f.rotation == 90 || f.rotation == 270;
        int w = swap ? f.height : f.width;
        int h = swap ? f.width : f.height;
        int screen = getResources().getDisplayMetrics().widthPixels - dp(16);
        int maxHeight = getResources().getDisplayMetrics().heightPixels * 3 / 5;
        int height = Math.min(Math.round(screen * h / (float) w), maxHeight);
        int width = Math.round(height * w / (float) h);
        previewBox.setLayoutParams(new LinearLayout.LayoutParams(width, height));
    }

    private int displayDegrees() {
        switch (getWindowManager().getDefaultDisplay().getRotation()) {
            case Surface.ROTATION_90:
                return 90;
            case Surface.ROTATION_180:
                return 180;
            case Surface.ROTATION_270:
                return 270;
            default:
                return 0;
        }
    }

    private void startPreview() {
        Camera c = camera;
        if (c == null) {
            return;
        }
        try {
            c.setPreviewDisplay(preview.getHolder());
            c.startPreview();
        } catch (IOException | RuntimeException e) {
            showMessage("Cannot start the camera preview (" + e.getMessage() + ").", true);
        }
    }

    private void closeCamera() {
        Camera c = camera;
        if (c == null) {
            return;
        }
        camera = null;
        c.setPreviewCallbackWithBuffer(null);
        c.stopPreview();
        c.release();
    }

    @Override
    public void surfaceCreated(SurfaceHolder holder) {
        surfaceReady = true;
        startPreview();
    }

    @Override
    public void surfaceChanged(SurfaceHolder holder, int format, int width, int height) {
    }

    @Override
    public void surfaceDestroyed(SurfaceHolder holder) {
        surfaceReady = false;
        Camera c = camera;
        if (c != null) {
            c.stopPreview();
        }
    }

    /** Camera thread (the UI thread here): hand the frame over and return at once. */
    @Override
    public void onPreviewFrame(byte[] data, Camera from) {
        if (data != null) {
            frames.submit(data);
        }
    }

    // ---- frames (worker thread) ---------------------------------------------------------------------------

    private void processFrame(byte[] frame) {
        try {
            FrameFormat f = format;
            AndroidDetector d = detector;
            if (d == null || f == null || frame.length < f.bytes()) {
                return; // no model yet, or a frame of the camera before a switch
            }
            int[] argb = converter.convertNv21(frame, f.width, f.height, f.rotation, f.mirror);
            final int width = converter.width();
            final int height = converter.height();
            DetectionResult result = d.detectFrame(argb, width, height);
            fpsMeter.tick(System.nanoTime());
            final List<Detection> boxes = result.detections();
            final String text = String.format(Locale.ROOT, "Inference %.1f ms \u00b7 %.1f FPS \u00b7 %d box%s",
                    result.inferenceMillis(), fpsMeter.fps(), boxes.size(), boxes.size() == 1 ? "" : "es");
            runOnUiThread(new Runnable() {
                @Override
                public void run() {
                    overlay.show(boxes, width, height);
                    stats.setText(text);
                }
            });
        } catch (RuntimeException e) {
            postMessage("Cannot run the model on this frame: " + e.getMessage(), true);
        } finally {
            giveBack(frame);
        }
    }

    /** The buffer goes back to the camera it came from for the next frame (a closed camera drops it). */
    private void giveBack(byte[] frame) {
        Camera c = camera;
        FrameFormat f = format;
        if (c != null && f != null && frame.length == f.bytes()) {
            try {
                c.addCallbackBuffer(frame);
            } catch (RuntimeException e) {
                // the camera was released meanwhile (switch, pause): the buffer is no longer needed
            }
        }
    }

    private void closeDetector() {
        if (detector != null) {
            detector.close();
            detector = null;
        }
    }

    private void submit(final Runnable task) {
        pending++;
        worker.execute(new Runnable() {
            @Override
            public void run() {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    postMessage("Unexpected error: " + e, true);
                } finally {
                    runOnUiThread(new Runnable() {
                        @Override
                        public void run() {
                            pending--;
                        }
                    });
                }
            }
        });
    }

    private void postMessage(final String message, final boolean error) {
        runOnUiThread(new Runnable() {
            @Override
            public void run() {
                showMessage(message, error);
            }
        });
    }

    private void showMessage(String message, boolean error) {
        lastMessage = message;
        status.setTextColor(error ? ERROR_COLOR : modelInfo.getCurrentTextColor());
        status.setText(message);
    }

    @Override
    protected void onDestroy() {
        frames.stop();
        worker.execute(new Runnable() {
            @Override
            public void run() {
                closeDetector();
            }
        });
        worker.shutdown();
        super.onDestroy();
    }

    // ---- read by the Robolectric tests --------------------------------------------------------------------

    /** No model load or option change queued or running, and no frame in flight. */
    boolean isIdle() {
        return pending == 0 && framesIdle();
    }

    private boolean framesIdle() {
        try {
            return frames.awaitIdle(0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    Camera camera() {
        return camera;
    }

    LatestFrameProcessor<byte[]> frameProcessor() {
        return frames;
    }

    DetectionOverlay overlay() {
        return overlay;
    }

    TextView statsView() {
        return stats;
    }

    TextView statusView() {
        return status;
    }

    TextView modelInfoView() {
        return modelInfo;
    }

    Spinner modelChoice() {
        return modelChoice;
    }

    Spinner backendChoice() {
        return backendChoice;
    }

    Spinner threadChoice() {
        return threadChoice;
    }

    RuntimeSettings settings() {
        return settings;
    }

    DetectorOptions options() {
        return options;
    }

    SurfaceView previewView() {
        return preview;
    }

    String lastMessage() {
        return lastMessage;
    }
}
