package dev.edgeslim.detector.io;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LimitPropertyTest {
    private static final String NAME = "testOnlyLimit";

    @AfterEach
    void clear() {
        System.clearProperty("edgeslim.limit." + NAME);
    }

    @Test
    void propertyRaisesTheDefaultAndNonsenseIsIgnored() {
        assertEquals(42, LimitProperty.get(NAME, 42));
        System.setProperty("edgeslim.limit." + NAME, " 5000000000 ");
        assertEquals(5_000_000_000L, LimitProperty.get(NAME, 42));
        for (String bad : new String[] {"lots", "", "0", "-1", "1e9"}) {
            System.setProperty("edgeslim.limit." + NAME, bad);
            assertEquals(42, LimitProperty.get(NAME, 42), bad);
        }
    }
}
