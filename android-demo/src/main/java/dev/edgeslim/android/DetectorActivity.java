package dev.edgeslim.android;

import android.app.Activity;
import android.content.Intent;
import android.graphics.Bitmap;
import android.graphics.Color;
import android.net.Uri;
import android.os.Bundle;
import android.view.View;
import android.view.ViewGroup;
import android.widget.Button;
import android.widget.CheckBox;
import android.widget.CompoundButton;
import android.widget.ImageView;
import android.widget.LinearLayout;
import android.widget.ScrollView;
import android.widget.TextView;

import dev.edgeslim.detector.postprocess.Detection;
import dev.edgeslim.detector.postprocess.DetectorOptions;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The still-image screen (the live camera is {@link LiveCameraActivity}): loads the model bundled in the APK,
 * runs it on the bundled sample images ("Next sample") or on an image the user picks ("Pick image"), and shows
 * the image with its boxes, the detections, the inference time and which model this is. Intent extra
 * {@value #EXTRA_NOTICE} puts a message on top (why the camera is not available). An NNAPI checkbox reloads the model with Android's accelerator API.
 *
 * <p>Thin on purpose: detection is {@link AndroidDetector} (plain Java, tested on the JVM). Model loading and
 * inference run on one worker thread (the interpreter is single-threaded); results come back to the UI thread.
 * Every failure, a corrupt model included, ends as a message on screen, never as a crash.
 *
 * <p>Intent extra {@value #EXTRA_MODEL}: another model to load instead of the bundled one, an asset path or an
 * absolute file path (its {@code .json} beside it), e.g. a model pushed to the app's own external folder:
 * <pre>
 *   adb push m.tflite m.tflite.json /sdcard/Android/data/dev.edgeslim.android/files/
 *   adb shell am start -S -n dev.edgeslim.android/.DetectorActivity \
 *       --es model /sdcard/Android/data/dev.edgeslim.android/files/m.tflite
 * </pre>
 */
public class DetectorActivity extends Activity {
    static final String EXTRA_MODEL = "model";
    /** A message to show above everything, e.g. why the live camera is not available. */
    static final String EXTRA_NOTICE = "notice";
    static final String SAMPLE_DIR = "samples";
    private static final int REQUEST_PICK = 1;
    private static final int ERROR_COLOR = Color.rgb(198, 40, 40);

    private final ExecutorService worker = Executors.newSingleThreadExecutor();
    // touched only on the worker thread
    private AndroidDetector detector;
    private ModelSource source;
    private RuntimeSettings settings = RuntimeSettings.defaults();
    private Bitmap currentImage;
    private String currentName;
    private String modelError;

    // UI thread state
    private TextView header;
    private TextView notice;
    private TextView status;
    private ImageView imageView;
    private TextView detectionList;
    private Button nextButton;
    private CheckBox nnapiBox;
    private String[] samples = new String[0];
    private int nextSample;
    private int pending;
    private int lastDetectionCount = -1;
    private boolean modelReady;

    @Override
    protected void onCreate(Bundle savedInstanceState) {
        super.onCreate(savedInstanceState);
        setContentView(buildLayout());
        samples = listSamples();
        nextButton.setEnabled(samples.length > 0);
        final String requested = getIntent() == null ? null : getIntent().getStringExtra(EXTRA_MODEL);
        status.setText("Loading the model\u2026");
        submit(new Task() {
            @Override
            public void run() throws Exception {
                loadModel(requested);
            }
        });
        if (samples.length > 0) {
            runNextSample();
        }
    }

    private View buildLayout() {
        int pad = dp(12);
        LinearLayout column = new LinearLayout(this);
        column.setOrientation(LinearLayout.VERTICAL);
        column.setPadding(pad, pad, pad, pad);

        String noticeText = getIntent() == null ? null : getIntent().getStringExtra(EXTRA_NOTICE);
        if (noticeText != null) {
            notice = new TextView(this);
            notice.setTextColor(ERROR_COLOR);
            notice.setTextSize(15f);
            notice.setText(noticeText);
            column.addView(notice);
        }
        header = new TextView(this);
        header.setTextSize(15f);
        column.addView(header);

        LinearLayout buttons = new LinearLayout(this);
        buttons.setOrientation(LinearLayout.HORIZONTAL);
        nextButton = new Button(this);
        nextButton.setText("Next sample");
        nextButton.setOnClickListener(new View.OnClickListener() {
            @Override
            public void onClick(View v) {
                runNextSample();
            }
        });
        buttons.addView(nextButton);
        Button pick = new Button(this);
        pick.setText("Pick image");
        pick.setOnClickListener(new View.OnClickListener() {
            @Override
            public void onClick(View v) {
                pickImage();
            }
        });
        buttons.addView(pick);
        nnapiBox = new CheckBox(this);
        nnapiBox.setText("NNAPI");
        nnapiBox.setOnCheckedChangeListener(new CompoundButton.OnCheckedChangeListener() {
            @Override
            public void onCheckedChanged(CompoundButton button, boolean checked) {
                switchNnapi(checked);
            }
        });
        buttons.addView(nnapiBox);
        column.addView(buttons);

        status = new TextView(this);
        status.setTextSize(16f);
        status.setPadding(0, pad / 2, 0, pad / 2);
        column.addView(status);

        imageView = new ImageView(this);
        imageView.setAdjustViewBounds(true);
        imageView.setScaleType(ImageView.ScaleType.FIT_CENTER);
        column.addView(imageView, new LinearLayout.LayoutParams(ViewGroup.LayoutParams.MATCH_PARENT,
                ViewGroup.LayoutParams.WRAP_CONTENT));

        detectionList = new TextView(this);
        detectionList.setTypeface(android.graphics.Typeface.MONOSPACE);
        detectionList.setPadding(0, pad / 2, 0, 0);
        column.addView(detectionList);

        ScrollView scroll = new ScrollView(this);
        scroll.addView(column);
        return scroll;
    }

    private int dp(int v) {
        return Math.round(v * getResources().getDisplayMetrics().density);
    }

    private String[] listSamples() {
        try {
            String[] names = getAssets().list(SAMPLE_DIR);
            if (names == null) {
                return new String[0];
            }
            List<String> images = new ArrayList<String>();
            for (String n : names) {
                String lower = n.toLowerCase(Locale.ROOT);
                if (lower.endsWith(".jpg") || lower.endsWith(".jpeg") || lower.endsWith(".png")) {
                    images.add(n);
                }
            }
            String[] out = images.toArray(new String[0]);
            Arrays.sort(out);
            return out;
        } catch (IOException e) {
            return new String[0];
        }
    }

    // ---- worker-thread work -------------------------------------------------------------------------------

    private void loadModel(String requested) throws ModelLoadException {
        closeDetector();
        if (source == null) {
            source = ModelSource.find(getAssets(), requested);
        }
        java.nio.ByteBuffer bytes = source.load(getAssets());
        String metadata = source.metadata(getAssets());
        final AndroidDetector loaded = AndroidDetector.open(bytes, metadata, source.label, settings,
                DetectorOptions.defaults());
        detector = loaded;
        modelError = null;
        final String text = headerText(loaded, source);
        runOnUiThread(new Runnable() {
            @Override
            public void run() {
                modelReady = true;
                header.setText(text);
                status.setTextColor(header.getCurrentTextColor());
                status.setText("Model loaded.");
            }
        });
    }

    private static String headerText(AndroidDetector d, ModelSource model) {
        StringBuilder sb = new StringBuilder();
        sb.append("Model: ").append(d.modelName()).append(" (").append(d.metadata().precision()).append(", ")
                .append(AndroidDetector.formatBytes(d.modelBytes())).append(") from ").append(model.where());
        if (model.untrained) {
            sb.append("\nUntrained demo model: random weights, the boxes are meaningless.");
        }
        sb.append(String.format(Locale.ROOT, "\nInput %dx%d, %d classes \u00b7 %s \u00b7 first run %.0f ms",
                d.metadata().inputWidth(), d.metadata().inputHeight(), d.metadata().classes(),
                d.settings().describe(), d.warmupMillis()));
        return sb.toString();
    }

    private void detect(Bitmap image, String name) {
        if (detector == null) {
            showError(modelError != null ? "Cannot use the model: " + modelError
                    : "No model loaded, cannot run " + name + ".");
            return;
        }
        currentImage = image;
        currentName = name;
        DetectionResult result = detector.detect(ImageDecoder.pixels(image), image.getWidth(), image.getHeight());
        final Bitmap drawn = DetectionPainter.draw(image, result.detections());
        final String summary = String.format(Locale.ROOT, "%s (%dx%d): %s", name, image.getWidth(),
                image.getHeight(), result.summary());
        final String list = listText(result.detections());
        final int count = result.detections().size();
        runOnUiThread(new Runnable() {
            @Override
            public void run() {
                lastDetectionCount = count;
                imageView.setImageBitmap(drawn);
                status.setTextColor(header.getCurrentTextColor());
                status.setText(summary);
                detectionList.setText(list);
            }
        });
    }

    private static String listText(List<Detection> detections) {
        StringBuilder sb = new StringBuilder();
        int shown = Math.min(detections.size(), 30);
        for (int i = 0; i < shown; i++) {
            Detection d = detections.get(i);
            sb.append(String.format(Locale.ROOT, "%-16s %.2f  (%.0f, %.0f)-(%.0f, %.0f)%n", d.label(), d.score(),
                    d.x1(), d.y1(), d.x2(), d.y2()));
        }
        if (detections.size() > shown) {
            sb.append("\u2026 and ").append(detections.size() - shown).append(" more");
        }
        return sb.toString();
    }

    private void closeDetector() {
        if (detector != null) {
            detector.close();
            detector = null;
        }
    }

    // ---- UI-thread actions --------------------------------------------------------------------------------

    private void runNextSample() {
        if (samples.length == 0) {
            return;
        }
        final String name = samples[nextSample];
        nextSample = (nextSample + 1) % samples.length;
        submit(new Task() {
            @Override
            public void run() throws Exception {
                Bitmap image = ImageDecoder.decode(new ImageDecoder.Source() {
                    @Override
                    public InputStream open() throws IOException {
                        return getAssets().open(SAMPLE_DIR + "/" + name);
                    }
                }, name);
                detect(image, name);
            }
        });
    }

    private void pickImage() {
        Intent intent = new Intent(Intent.ACTION_GET_CONTENT);
        intent.setType("image/*");
        intent.addCategory(Intent.CATEGORY_OPENABLE);
        try {
            startActivityForResult(Intent.createChooser(intent, "Pick an image"), REQUEST_PICK);
        } catch (RuntimeException e) {
            showError("No app on this device can pick an image (" + e.getMessage() + ").");
        }
    }

    @Override
    protected void onActivityResult(int requestCode, int resultCode, Intent data) {
        super.onActivityResult(requestCode, resultCode, data);
        if (requestCode != REQUEST_PICK || resultCode != RESULT_OK || data == null || data.getData() == null) {
            return;
        }
        final Uri uri = data.getData();
        final String name = uri.getLastPathSegment() != null ? uri.getLastPathSegment() : uri.toString();
        submit(new Task() {
            @Override
            public void run() throws Exception {
                Bitmap image = ImageDecoder.decode(new ImageDecoder.Source() {
                    @Override
                    public InputStream open() throws IOException {
                        InputStream in = getContentResolver().openInputStream(uri);
                        if (in == null) {
                            throw new IOException("cannot open " + uri);
                        }
                        return in;
                    }
                }, name);
                detect(image, name);
            }
        });
    }

    private void switchNnapi(final boolean on) {
        status.setText(on ? "Reloading the model with NNAPI\u2026" : "Reloading the model on the CPU\u2026");
        submit(new Task() {
            @Override
            public void run() throws Exception {
                settings = settings.withBackend(on ? Backend.NNAPI : Backend.XNNPACK);
                loadModel(null);
                if (detector.fallbackMessage() != null) {
                    // NNAPI refused this model on this device: the detector runs on the CPU, say so
                    settings = detector.settings();
                    showError(detector.fallbackMessage() + ".");
                    uncheckNnapi();
                }
                if (currentImage != null) {
                    detect(currentImage, currentName);
                }
            }
        });
    }

    private void uncheckNnapi() {
        runOnUiThread(new Runnable() {
            @Override
            public void run() {
                nnapiBox.setOnCheckedChangeListener(null);
                nnapiBox.setChecked(false);
                nnapiBox.setOnCheckedChangeListener(new CompoundButton.OnCheckedChangeListener() {
                    @Override
                    public void onCheckedChanged(CompoundButton button, boolean checked) {
                        switchNnapi(checked);
                    }
                });
            }
        });
    }

    private void showError(final String message) {
        runOnUiThread(new Runnable() {
            @Override
            public void run() {
                status.setTextColor(ERROR_COLOR);
                status.setText(message);
            }
        });
    }

    private void showModelError(final String message) {
        runOnUiThread(new Runnable() {
            @Override
            public void run() {
                modelReady = false;
                header.setText("No model loaded.");
                status.setTextColor(ERROR_COLOR);
                status.setText("Cannot use the model: " + message);
            }
        });
    }

    /** Work for the worker thread; anything it throws becomes a message on screen. */
    private interface Task {
        void run() throws Exception;
    }

    private void submit(final Task task) {
        pending++;
        worker.execute(new Runnable() {
            @Override
            public void run() {
                try {
                    task.run();
                } catch (ModelLoadException e) {
                    modelError = e.getMessage();
                    showModelError(e.getMessage());
                } catch (IOException e) {
                    showError(e.getMessage());
                } catch (OutOfMemoryError e) {
                    showError("Out of memory: the image or model is too large for this device.");
                } catch (Throwable e) {
                    showError("Unexpected error: " + e);
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

    @Override
    protected void onDestroy() {
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

    /** True when no worker task is queued or running. */
    boolean isIdle() {
        return pending == 0;
    }

    boolean isModelReady() {
        return modelReady;
    }

    int lastDetectionCount() {
        return lastDetectionCount;
    }

    TextView headerView() {
        return header;
    }

    /** The notice from the intent, or null. */
    TextView noticeView() {
        return notice;
    }

    TextView statusView() {
        return status;
    }

    TextView detectionListView() {
        return detectionList;
    }

    ImageView imageView() {
        return imageView;
    }
}
