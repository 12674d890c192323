package dev.edgeslim.android;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The camera angles against the cases {@code Camera.setDisplayOrientation}'s documentation works through, and the
 * frame rotation against the display: for a back camera they are the same turn; for a front camera the display
 * mirrors first, so mirror-then-turn-by-display equals turn-by-frame-rotation-then-mirror.
 */
class CameraRotationTest {
    @Test
    void typicalPhones() {
        // back sensor at 90, front at 270, portrait screen
        assertEquals(90, CameraRotation.displayOrientation(90, 0, false));
        assertEquals(90, CameraRotation.frameRotation(90, 0, false));
        assertEquals(90, CameraRotation.displayOrientation(270, 0, true));
        assertEquals(270, CameraRotation.frameRotation(270, 0, true));
        // landscape (display turned 90): the back camera's frames are already upright
        assertEquals(0, CameraRotation.frameRotation(90, 90, false));
        assertEquals(0, CameraRotation.frameRotation(270, 90, true));
    }

    @Test
    void frontCameraDisplayAndFrameDescribeTheSamePicture() {
        for (int sensor = 0; sensor < 360; sensor += 90) {
            for (int display = 0; display < 360; display += 90) {
                int shown = CameraRotation.displayOrientation(sensor, display, true);
                int frame = CameraRotation.frameRotation(sensor, display, true);
                // mirror then turn clockwise by 'shown' == turn by 'frame' then mirror  <=>  shown == -frame mod 360
                assertEquals(0, (shown + frame) % 360, "sensor " + sensor + ", display " + display);
                assertEquals(CameraRotation.displayOrientation(sensor, display, false),
                        CameraRotation.frameRotation(sensor, display, false));
            }
        }
    }
}
