package dev.edgeslim.compressor.graph;

import dev.edgeslim.detector.ReferenceFiles;
import dev.edgeslim.compressor.prune.PruneFixtures;
import dev.edgeslim.detector.cfg.CfgParser;
import dev.edgeslim.detector.model.ConvLayer;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.model.RouteLayer;
import dev.edgeslim.detector.model.Shape;
import dev.edgeslim.detector.model.ShortcutLayer;
import dev.edgeslim.detector.model.YoloLayer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChannelGraphTest {
    static List<Path> cfgs() {
        return ReferenceFiles.allCfgs();
    }

    @ParameterizedTest
    @MethodSource("cfgs")
    void everyUpstreamCfgBuildsAConsistentGraph(Path cfg) {
        NetworkSpec spec = CfgParser.parse(cfg);
        ChannelGraph g = ChannelGraph.of(spec);
        assertStructure(g);
        assertTrue(cfgs().size() >= 5, "the upstream cfgs");
    }

    @Test
    void syntheticNetworkCouplesConcatWithResidualAtOffsets() {
        NetworkSpec spec = PruneFixtures.synthetic();
        ChannelGraph g = ChannelGraph.of(spec);
        assertStructure(g);
        // shortcut 4 adds conv 3 to concat(b=conv 1, a=conv 0): one set of 16, b at offset 0, a at offset 8
        CoupledSet set = g.setOfConv(3);
        assertEquals(16, set.size());
        assertEquals(List.of(new Member(0, 8, 8), new Member(1, 0, 8), new Member(3, 0, 16)), set.members());
        assertTrue(set.prunable(), set.unprunableReasons().toString());
        assertFalse(set.regular());
        // the grouped route 6 splits conv 5 into halves -> a balance constraint with slices [0..8), [8..16)
        CoupledSet split = g.setOfConv(5);
        assertEquals(1, split.balances().size());
        assertEquals(List.of(range(0, 8), range(8, 16)), split.balances().get(0).slices());
        // conv 10 has no BN; the head conv feeds [yolo]
        assertFalse(g.setOfConv(10).prunable());
        assertTrue(g.setOfConv(10).unprunableReasons().get(0).contains("no batch normalisation"));
        assertFalse(g.setOfConv(15).prunable());
        assertTrue(g.setOfConv(15).unprunableReasons().stream().anyMatch(r -> r.contains("[yolo]")));
        assertTrue(g.describe().contains("balance: layer 6 splits layer 5 into 2 equal slices"));
    }

    @Test
    void groupedConvolutionAndImageCouplingAreRefused() {
        NetworkSpec spec = CfgParser.parse("""
                [net]
                width=16
                height=16
                channels=4
                [convolutional]
                batch_normalize=1
                filters=8
                size=3
                stride=1
                pad=1
                activation=leaky
                [convolutional]
                batch_normalize=1
                filters=8
                size=3
                stride=1
                pad=1
                groups=2
                activation=leaky
                [convolutional]
                batch_normalize=1
                filters=8
                size=1
                stride=1
                activation=leaky
                [convolutional]
                batch_normalize=1
                filters=4
                size=1
                stride=1
                activation=leaky
                [route]
                layers=-1
                """, "grouped.cfg");
        ChannelGraph g = ChannelGraph.of(spec);
        assertStructure(g);
        assertFalse(g.setOfConv(0).prunable(), "input of a grouped convolution");
        assertFalse(g.setOfConv(1).prunable(), "output of a grouped convolution");
        assertTrue(g.setOfConv(2).prunable());
        assertFalse(g.setOfConv(3).prunable(), "route 4 is an unconsumed network output");
        assertFalse(g.set(g.channel(NetworkSpec.IMAGE, 0).set()).prunable());
    }

    @Test
    void yolov4ResidualChainsFormOneSetPerCspStageAndHeadsAreFixed() {
        NetworkSpec spec = CfgParser.parse(ReferenceFiles.cfg("yolov4.cfg"));
        ChannelGraph g = ChannelGraph.of(spec);
        List<CoupledSet> multi = g.sets().stream().filter(s -> s.members().size() > 1).toList();
        // CSPDarknet53: 1, 2, 8, 8, 4 residual blocks -> chains of 2, 3, 9, 9, 5 convolutions
        assertEquals(List.of(2, 3, 9, 9, 5), multi.stream().map(s -> s.members().size()).toList());
        assertEquals(List.of(64, 64, 128, 256, 512), multi.stream().map(CoupledSet::size).toList());
        for (CoupledSet s : multi) {
            assertTrue(s.prunable() && s.regular());
            for (int l : s.convLayers()) {
                assertEquals(s.id(), g.setOfConv(l).id());
            }
        }
        // every shortcut's inputs belong to one of these chains
        for (int l = 0; l < spec.size(); l++) {
            if (spec.layer(l) instanceof ShortcutLayer) {
                int set = g.channel(l, 0).set();
                assertTrue(multi.stream().anyMatch(s -> s.id() == set), "shortcut " + l);
            }
        }
        // the three 1x1 output convolutions are fixed, the 3x3 convolutions before them are prunable
        for (int y : spec.yoloLayers()) {
            int head = y - 1;
            assertFalse(g.setOfConv(head).prunable());
            assertTrue(g.setOfConv(head - 1).prunable());
        }
        assertEquals(88 - 4, g.sets().stream().filter(CoupledSet::prunable).count(), "all but image and 3 heads");
        assertTrue(g.sets().stream().allMatch(s -> s.balances().isEmpty()));
    }

    @Test
    void yolov4TinyGroupedRoutesGiveSliceBalanceConstraints() {
        NetworkSpec spec = CfgParser.parse(ReferenceFiles.cfg("yolov4-tiny.cfg"));
        ChannelGraph g = ChannelGraph.of(spec);
        List<Integer> groupedRoutes = new ArrayList<>();
        for (int l = 0; l < spec.size(); l++) {
            if (spec.layer(l) instanceof RouteLayer r && r.groups() > 1) {
                groupedRoutes.add(l);
                CoupledSet split = g.setOfConv(r.layers().get(0));
                assertEquals(1, split.balances().size());
                SliceBalance b = split.balances().get(0);
                assertEquals(l, b.consumer());
                assertEquals(2, b.groups());
                int half = split.size() / 2;
                assertEquals(List.of(range(0, half), range(half, 2 * half)), b.slices());
                boolean[] keep = new boolean[split.size()];
                keep[0] = true;
                assertFalse(b.isBalanced(keep));
                keep[half + 3] = true;
                assertTrue(b.isBalanced(keep));
            }
        }
        assertEquals(3, groupedRoutes.size());
        assertEquals(3, g.sets().stream().mapToInt(s -> s.balances().size()).sum());
    }

    /** Structural invariants that hold for any network. */
    static void assertStructure(ChannelGraph g) {
        NetworkSpec spec = g.spec();
        Set<Integer> convsSeen = new HashSet<>();
        for (CoupledSet s : g.sets()) {
            assertEquals(s.id(), g.sets().indexOf(s));
            boolean[] covered = new boolean[s.size()];
            for (Member m : s.members()) {
                if (m.layer() >= 0) {
                    assertTrue(convsSeen.add(m.layer()), "conv " + m.layer() + " in two sets");
                    assertEquals(spec.conv(m.layer()).filters(), m.channels());
                    for (int c = 0; c < m.channels(); c++) {
                        assertEquals(new CoupledChannel(s.id(), m.offset() + c), g.channel(m.layer(), c));
                        covered[m.offset() + c] = true;
                    }
                    if (!spec.conv(m.layer()).batchNormalize()) {
                        assertFalse(s.prunable());
                    }
                }
            }
            for (boolean b : covered) {
                assertTrue(b || s.members().stream().anyMatch(m -> m.layer() < 0), "set " + s.id() + " has an uncovered index");
            }
        }
        assertEquals(new HashSet<>(spec.convLayers()), convsSeen);
        for (int l = 0; l < spec.size(); l++) {
            assertEquals(spec.shapeOf(l).channels(), g.outputChannels(l).size(), "layer " + l);
            List<Integer> ins = spec.inputsOf(l);
            if (spec.layer(l) instanceof RouteLayer r) {
                List<Shape> shapes = spec.inputShapesOf(l);
                List<Integer> offsets = r.outputOffsets(shapes);
                for (int k = 0; k < ins.size(); k++) {
                    int per = shapes.get(k).channels() / r.groups();
                    for (int c = 0; c < per; c++) {
                        assertEquals(g.channel(ins.get(k), r.sliceStart(shapes.get(k)) + c), g.channel(l, offsets.get(k) + c));
                    }
                }
            } else if (spec.layer(l) instanceof ShortcutLayer) {
                for (int in : ins) {
                    assertEquals(g.outputChannels(l), g.outputChannels(in), "shortcut " + l + " input " + in);
                }
            } else if (!(spec.layer(l) instanceof ConvLayer)) {
                assertEquals(g.outputChannels(ins.get(0)), g.outputChannels(l));
            }
            if (spec.layer(l) instanceof YoloLayer) {
                for (CoupledChannel cc : g.outputChannels(l)) {
                    assertFalse(g.set(cc.set()).prunable());
                }
            }
        }
    }

    private static List<Integer> range(int from, int to) {
        List<Integer> r = new ArrayList<>();
        for (int i = from; i < to; i++) {
            r.add(i);
        }
        return r;
    }
}
