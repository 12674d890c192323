package dev.edgeslim.android;

/**
 * The angles of {@code android.hardware.Camera}: how to turn the preview on screen and the frames for the model.
 * A sensor is mounted at {@code sensorOrientation} degrees (clockwise turn that makes its image upright in the
 * device's natural orientation, usually 90 on phones); the display may itself be rotated by
 * {@code displayDegrees}. A front camera's preview is shown mirrored, so the frame is mirrored too and its turn
 * goes the other way round for the display (the formula of {@code Camera.setDisplayOrientation}'s documentation).
 */
final class CameraRotation {
    private CameraRotation() {
    }

    /** For {@code Camera.setDisplayOrientation}. */
    static int displayOrientation(int sensorOrientation, int displayDegrees, boolean front) {
        if (front) {
            return (360 - (sensorOrientation + displayDegrees) % 360) % 360;
        }
        return (sensorOrientation - displayDegrees + 360) % 360;
    }

    /** Clockwise degrees that make a preview frame upright as the user sees it (then mirrored when front). */
    static int frameRotation(int sensorOrientation, int displayDegrees, boolean front) {
        if (front) {
            return (sensorOrientation + displayDegrees) % 360;
        }
        return (sensorOrientation - displayDegrees + 360) % 360;
    }
}
