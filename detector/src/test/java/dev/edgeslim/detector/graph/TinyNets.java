package dev.edgeslim.detector.graph;

import dev.edgeslim.detector.cfg.CfgParser;
import dev.edgeslim.detector.model.NetworkSpec;

/** Small networks written as cfg text that exercise every layer type the graph builder supports. */
final class TinyNets {
    private TinyNets() {
    }

    /**
     * 16x16 input: a linear BN conv first (checked against Java), a stride-2 conv, a grouped conv, a route with
     * groups, a shortcut, max-pools on the SAME and on the explicit-padding path, upsample with scale, a route
     * concatenation, every activation, and two [yolo] heads with 1 class.
     */
    static NetworkSpec everyLayer() {
        return CfgParser.parse("""
                [net]
                width=16
                height=16
                channels=3

                # 0
                [convolutional]
                batch_normalize=1
                filters=8
                size=3
                stride=1
                pad=1
                activation=linear

                # 1: stride 2 (darknet pads top/left)
                [convolutional]
                batch_normalize=1
                filters=16
                size=3
                stride=2
                pad=1
                activation=leaky

                # 2: CSP split, second half
                [route]
                layers=-1
                groups=2
                group_id=1

                # 3: grouped convolution
                [convolutional]
                batch_normalize=1
                filters=8
                size=3
                stride=1
                pad=1
                groups=2
                activation=mish

                # 4
                [shortcut]
                from=-2
                activation=swish

                # 5: 8x8 -> 4x4, TF SAME path
                [maxpool]
                size=2
                stride=2

                # 6: 4x4 -> 2x2 with 3x3 window, explicit -inf padding path
                [maxpool]
                size=3
                stride=2

                # 7
                [convolutional]
                filters=8
                size=1
                stride=1
                pad=1
                activation=relu

                # 8
                [convolutional]
                filters=18
                size=1
                stride=1
                pad=1
                activation=linear

                # 9
                [yolo]
                mask=3,4,5
                anchors=2,3, 4,5, 6,7, 8,9, 10,11, 12,13
                classes=1
                num=6

                # 10
                [route]
                layers=-4

                # 11: 2x2 -> 8x8? no: 2x2 -> 4x4, then scale
                [upsample]
                stride=2
                scale=0.5

                # 12: concat with the 4x4 max-pool output
                [route]
                layers=-1,5

                # 13
                [convolutional]
                batch_normalize=1
                filters=8
                size=3
                stride=1
                pad=1
                activation=logistic

                # 14
                [convolutional]
                filters=18
                size=1
                stride=1
                pad=1
                activation=linear

                # 15
                [yolo]
                mask=0,1,2
                anchors=2,3, 4,5, 6,7, 8,9, 10,11, 12,13
                classes=1
                num=6
                """, "every-layer.cfg");
    }

    /**
     * Smooth activations only (mish, swish, logistic, linear) and no max-pool, so finite differences are valid:
     * stride-2 conv with BN, a grouped BN conv, route with groups, shortcut, upsample, concat, one head.
     */
    static NetworkSpec smooth() {
        return CfgParser.parse("""
                [net]
                width=8
                height=8
                channels=3

                # 0: 8x8 -> 4x4
                [convolutional]
                batch_normalize=1
                filters=8
                size=3
                stride=2
                pad=1
                activation=mish

                # 1
                [convolutional]
                batch_normalize=1
                filters=8
                size=3
                stride=1
                pad=1
                groups=2
                activation=swish

                # 2
                [route]
                layers=-1
                groups=2
                group_id=0

                # 3
                [convolutional]
                batch_normalize=1
                filters=4
                size=1
                stride=1
                pad=1
                activation=logistic

                # 4
                [shortcut]
                from=-2
                activation=linear

                # 5: 4x4 -> 8x8
                [upsample]
                stride=2

                # 6
                [convolutional]
                filters=12
                size=1
                stride=1
                pad=1
                activation=linear

                # 7
                [yolo]
                mask=0,1
                anchors=2,3, 4,5
                classes=1
                num=2
                """, "smooth.cfg");
    }

    /**
     * {@code size}x{@code size} input, smooth activations: a depthwise conv on the image's 3 channels, a stride-2
     * conv, a stride-1 depthwise conv (TF's SAME path), a stride-2 depthwise conv (explicit padding path), a grouped
     * (2 groups, not depthwise) 1x1 conv, one head.
     */
    static NetworkSpec depthwise(int size) {
        return CfgParser.parse("""
                [net]
                width=%d
                height=%d
                channels=3

                # 0: depthwise on the image
                [convolutional]
                batch_normalize=1
                groups=3
                filters=3
                size=3
                stride=1
                pad=1
                activation=logistic

                # 1
                [convolutional]
                batch_normalize=1
                filters=8
                size=3
                stride=2
                pad=1
                activation=mish

                # 2: depthwise, stride 1
                [convolutional]
                batch_normalize=1
                groups=8
                filters=8
                size=3
                stride=1
                pad=1
                activation=swish

                # 3: depthwise, stride 2
                [convolutional]
                batch_normalize=1
                groups=8
                filters=8
                size=3
                stride=2
                pad=1
                activation=mish

                # 4: grouped, not depthwise
                [convolutional]
                batch_normalize=1
                groups=2
                filters=8
                size=1
                stride=1
                activation=swish

                # 5
                [convolutional]
                filters=12
                size=1
                stride=1
                activation=linear

                # 6
                [yolo]
                mask=0,1
                anchors=2,3, 4,5
                classes=1
                num=2
                """.formatted(size, size), "depthwise.cfg");
    }
}
