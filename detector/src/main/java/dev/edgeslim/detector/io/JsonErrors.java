package dev.edgeslim.detector.io;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;

/**
 * Turns a JSON reading error into the short reason a {@link BadInputException} carries: Jackson's own message is
 * several lines (the reason, then a "Source: ... line, column" trailer); this keeps the reason's first line and adds
 * where it is ("malformed JSON at line 9, column 102: Unexpected character ...").
 */
public final class JsonErrors {
    private JsonErrors() {
    }

    public static String describe(Exception e) {
        if (e instanceof JsonProcessingException j) {
            String reason = firstLine(j.getOriginalMessage());
            JsonLocation at = j.getLocation();
            String where = at == null || at.getLineNr() < 1 ? "" : " at line " + at.getLineNr() + ", column "
                    + at.getColumnNr();
            return "malformed JSON" + where + ": " + reason;
        }
        return firstLine(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
    }

    private static String firstLine(String s) {
        if (s == null || s.isBlank()) {
            return "(no detail)";
        }
        String line = s.strip().lines().findFirst().orElse("");
        return line.length() > 300 ? line.substring(0, 297) + "..." : line;
    }
}
