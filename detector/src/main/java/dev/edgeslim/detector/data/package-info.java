/**
 * Datasets and the training input pipeline.
 *
 * <ul>
 *   <li>Reading PASCAL VOC: {@link dev.edgeslim.detector.data.VocDataset} (VOCdevkit + split spec, hardened XML
 *       parsing in {@link dev.edgeslim.detector.data.VocAnnotationParser}, path checks in {@code SafePaths}, images
 *       read and checked by {@link dev.edgeslim.detector.image.ImageLoader}, limits in
 *       {@link dev.edgeslim.detector.data.DataLimits}); records {@link dev.edgeslim.detector.data.VocSample},
 *       {@link dev.edgeslim.detector.data.VocAnnotation}, {@link dev.edgeslim.detector.data.VocObject}.</li>
 *   <li>The embedded default dataset: {@link dev.edgeslim.detector.data.SyntheticVoc} writes a synthetic VOCdevkit
 *       (20 VOC classes with learnable looks), deterministic for a seed.</li>
 *   <li>Training input: {@link dev.edgeslim.detector.data.Augmenter} (letterbox, zoom/shift/crop, HSV, flip,
 *       mosaic; geometry shared with inference through {@link dev.edgeslim.detector.postprocess.InputTransform}) and
 *       {@link dev.edgeslim.detector.data.BatchLoader} (seeded epochs, prefetching, exact resume) producing
 *       {@link dev.edgeslim.detector.data.Batch}es of NHWC RGB floats and normalised
 *       {@link dev.edgeslim.detector.data.TargetBox}es.</li>
 * </ul>
 * OpenCV is used only here (image encoding and augmentation; decoding goes through ImageLoader); everything else in
 * the package is plain Java.
 */
package dev.edgeslim.detector.data;
