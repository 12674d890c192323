package dev.edgeslim.detector.data;

import java.nio.file.Path;
import java.util.List;

/**
 * One image of a {@link VocDataset}: the year folder it comes from (e.g. "VOC2007"), its annotation file and the
 * parsed annotation. {@link #key()} is unique across years ("VOC2007/000005").
 */
public record VocSample(String yearFolder, Path annotationFile, VocAnnotation annotation) {

    public String imageId() {
        return annotation.imageId();
    }

    public Path imagePath() {
        return annotation.imagePath();
    }

    public List<VocObject> objects() {
        return annotation.objects();
    }

    public String key() {
        return yearFolder.isEmpty() ? imageId() : yearFolder + "/" + imageId();
    }
}
