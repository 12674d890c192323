package dev.edgeslim.detector.eval;

import dev.edgeslim.detector.io.AtomicFiles;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Writes detections in the PASCAL VOC devkit's results format so that the devkit (or any tool that reads it)
 * can score them: one file per class, {@code comp4_det_<split>_<class>.txt}, one line per detection
 * {@code <imageId> <score> <x1> <y1> <x2> <y2>} with 1-based inclusive pixel coordinates (the
 * {@link ScoredDetection} convention, written unchanged, to 1/10000 pixel so that scoring the files gives the same
 * numbers as scoring the detections). "comp4" is the VOC competition for methods trained on any data. A file is
 * written for every class, empty when it has no detections, because the devkit expects all.
 */
public final class VocResultsWriter {
    private VocResultsWriter() {
    }

    /** The devkit's file name for {@code className} in {@code split} (e.g. {@code comp4_det_test_car.txt}). */
    public static String fileName(String split, String className) {
        return "comp4_det_" + split + "_" + className + ".txt";
    }

    /** Writes one file per class into {@code dir}; returns them in class order. */
    public static List<Path> write(Path dir, String split, List<String> classNames,
                                   Collection<ScoredDetection> detections) throws IOException {
        checkName("split", split);
        for (String name : classNames) {
            checkName("class name", name);
        }
        List<List<ScoredDetection>> byClass = new ArrayList<>();
        for (int c = 0; c < classNames.size(); c++) {
            byClass.add(new ArrayList<>());
        }
        for (ScoredDetection d : detections) {
            if (d.classId() >= classNames.size()) {
                throw new IllegalArgumentException("class id " + d.classId() + " is out of range: there are "
                        + classNames.size() + " classes");
            }
            if (d.imageId().isEmpty() || d.imageId().chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("image id '" + d.imageId()
                        + "' cannot be written: it must be non-empty without whitespace");
            }
            byClass.get(d.classId()).add(d);
        }
        List<Path> files = new ArrayList<>();
        for (int c = 0; c < classNames.size(); c++) {
            List<ScoredDetection> list = byClass.get(c);
            list.sort(Comparator.comparingDouble(ScoredDetection::score).reversed());
            StringBuilder sb = new StringBuilder();
            for (ScoredDetection d : list) {
                // scores keep 6 decimals (the devkit's own writers keep 3, which creates ties)
                sb.append(String.format(Locale.ROOT, "%s %.6f %.4f %.4f %.4f %.4f\n", d.imageId(), d.score(),
                        d.x1(), d.y1(), d.x2(), d.y2()));
            }
            Path file = dir.resolve(fileName(split, classNames.get(c)));
            AtomicFiles.writeString(file, sb.toString());
            files.add(file);
        }
        return files;
    }

    /**
     * Writes detections whose image ids are dataset keys ({@code VOC2007/000700}) as the devkit and the evaluation
     * server read them, with the plain id ({@code 000700}): one file set per year folder of {@code years}, into
     * {@code dir} itself when there is one year, else into {@code dir/<year>/}. Returns every file written.
     */
    public static List<Path> writePerYear(Path dir, String split, List<String> classNames, List<String> years,
                                          Collection<ScoredDetection> detections) throws IOException {
        java.util.Map<String, List<ScoredDetection>> byYear = new java.util.LinkedHashMap<>();
        for (String year : years) {
            byYear.put(year, new ArrayList<>());
        }
        for (ScoredDetection d : detections) {
            int slash = d.imageId().lastIndexOf('/');
            String year = slash < 0 ? "" : d.imageId().substring(0, slash);
            List<ScoredDetection> list = byYear.get(year);
            if (list == null) {
                throw new IllegalArgumentException("image '" + d.imageId() + "' is in none of the years " + years);
            }
            list.add(new ScoredDetection(d.imageId().substring(slash + 1), d.classId(), d.score(), d.x1(), d.y1(),
                    d.x2(), d.y2()));
        }
        List<Path> files = new ArrayList<>();
        for (var e : byYear.entrySet()) {
            Path target = byYear.size() == 1 ? dir : dir.resolve(e.getKey());
            if (byYear.size() > 1) {
                checkName("year folder", e.getKey());
            }
            files.addAll(write(target, split, classNames, e.getValue()));
        }
        return files;
    }

    /** Refuses (IllegalArgumentException) a class name that cannot be part of a results file name. */
    public static void checkClassNames(List<String> classNames) {
        for (String name : classNames) {
            checkName("class name", name);
        }
    }

    private static void checkName(String what, String name) {
        if (name.isEmpty() || !name.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException(what + " '" + name + "' is not usable in a file name "
                    + "(letters, digits, '.', '_', '-' only)");
        }
    }
}
