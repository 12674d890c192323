package dev.edgeslim.detector.cfg;

import java.util.LinkedHashMap;
import java.util.Map;

/** One [section] of a darknet cfg as text: its name, line, and options in file order with their lines. */
record CfgSection(String name, int line, Map<String, String> values, Map<String, Integer> lines) {
    CfgSection(String name, int line) {
        this(name, line, new LinkedHashMap<>(), new LinkedHashMap<>());
    }
}
