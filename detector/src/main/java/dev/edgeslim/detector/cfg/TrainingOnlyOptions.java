package dev.edgeslim.detector.cfg;

import java.util.Set;

/**
 * The one list of darknet cfg options that do not change what a network computes from its weights: training,
 * augmentation, EMA, loss-tuning, data-loader and display options. EdgeSlim accepts them, warns once that it does
 * not use them, and writes them back unchanged. Decided from darknet's (AlexeyAB) src/parser.c: an option belongs
 * here only when darknet reads it for training or bookkeeping and its forward pass (forward_*_layer) ignores it.
 * Anything else EdgeSlim does not model stays an error, so a cfg is never run with a silently different function.
 */
public final class TrainingOnlyOptions {
    /** parse_net_options: optimiser, schedule, EMA, augmentation, data loading, contrastive/adversarial training. */
    static final Set<String> NET = Set.of("angle", "saturation", "exposure", "hue", "mosaic", "cutmix",
            "mixup", "letter_box", "flip", "blur", "gaussian_noise", "aspect", "min_crop", "max_crop",
            "max_chart_loss", "adam", "B1", "B2", "eps", "power", "gamma", "step", "scale", "random",
            "resize_step", "mosaic_bound", "dynamic_minibatch", "optimized_memory", "workspace_size_limit_MB",
            "label_smooth_eps", "track", "time_steps", "augment_speed", "sequential_subdivisions",
            "try_fix_nan", "inputs", "max_input_size", "loss_scale", "burnin_update", "ema_alpha",
            "learning_rate_min", "sgdr_cycle", "sgdr_mult", "seq_scales", "weights_reject_freq",
            "equidistant_point", "badlabels_rejection_percentage", "num_sigmas_reject_badlabels",
            "use_cuda_graph", "contrastive", "contrastive_jit_flip", "contrastive_color", "unsupervised",
            "attention", "adversarial_lr", "show_receptive_field");

    /**
     * parse_network_cfg reads these for every layer: freezing, per-layer learning-rate scale, gradient clipping,
     * which weights to load. None enters the forward pass.
     */
    static final Set<String> EVERY_LAYER = Set.of("clip", "onlyforward", "dont_update", "burnin_update",
            "stopbackward", "train_only_bn", "dontload", "dontloadscales", "learning_rate");

    /** parse_yolo: loss weights and kinds, label smoothing, NMS choice at training time, tracking, jitter. */
    static final Set<String> YOLO = Set.of("jitter", "random", "resize", "iou_normalizer", "cls_normalizer",
            "obj_normalizer", "delta_normalizer", "iou_loss", "iou_thresh_kind", "nms_kind", "beta_nms",
            "max_delta", "counters_per_class", "label_smooth_eps", "focal_loss", "objectness_smooth", "max",
            "map", "show_details", "track_history_size", "sim_thresh", "dets_for_track", "dets_for_show",
            "track_ciou_norm", "embedding_layer");

    private TrainingOnlyOptions() {
    }

    /** Whether {@code key} in section {@code [section]} (lower case, "net" for [net]/[network]) is training-only. */
    public static boolean contains(String section, String key) {
        return switch (section) {
            case "net", "network" -> NET.contains(key);
            case "yolo" -> YOLO.contains(key) || EVERY_LAYER.contains(key);
            default -> EVERY_LAYER.contains(key);
        };
    }
}
