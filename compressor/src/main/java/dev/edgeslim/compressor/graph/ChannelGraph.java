package dev.edgeslim.compressor.graph;

import dev.edgeslim.detector.model.ConvLayer;
import dev.edgeslim.detector.model.Layer;
import dev.edgeslim.detector.model.MaxPoolLayer;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.model.RouteLayer;
import dev.edgeslim.detector.model.ShortcutLayer;
import dev.edgeslim.detector.model.UpsampleLayer;
import dev.edgeslim.detector.model.YoloLayer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which output channels of a network must be pruned together, derived from a {@link NetworkSpec} alone.
 *
 * <p>One mechanism for every layer type: each convolution's output channels (and the image's channels) are
 * "source channels"; every other layer's output channel is expressed as one of those sources:
 * <ul>
 *   <li>[route] concatenates its inputs' channel lists (with {@code groups}/{@code group_id}, only that slice of
 *       each input — and the split is recorded as a {@link SliceBalance} constraint on the split space);</li>
 *   <li>[maxpool], [upsample] and [yolo] pass channels through;</li>
 *   <li>[shortcut] (residual add) takes the channel list of its first input and <em>couples</em> channel k of
 *       every input with it: the sources become one coupled channel (union-find);</li>
 *   <li>a depthwise [convolutional] ({@code groups} = input channels = filters) couples its output channel k
 *       with its input channel k the same way: filter k reads only channel k, so they live or go together.</li>
 * </ul>
 * Coupled channels whose sources belong to the same convolutions form a {@link CoupledSet}; its index
 * order is the channel order of its widest member. A set is unprunable when any member has no batch norm (no γ
 * to rank channels by), any of its channels reaches a [yolo] input or an unconsumed (network) output, it is
 * coupled with the input image, it touches a grouped convolution that is not depthwise (removing whole groups
 * is not implemented; such a set is kept and the report says why), a grouped route splits it together with other
 * sets, or the coupling is irregular (a member's channels do not map onto a contiguous run of the set). None
 * of the exotic cases happen in the upstream YOLO cfgs; they are refused rather than handled half-way.
 */
public final class ChannelGraph {
    private final NetworkSpec spec;
    private final List<CoupledSet> sets;
    private final int[][] setOf;
    private final int[][] indexOf;
    private final int[] imageSet;
    private final int[] imageIndex;
    private final int[] convSet;

    private ChannelGraph(NetworkSpec spec) {
        this.spec = spec;
        int n = spec.size();
        int imageChannels = spec.inputShape().channels();
        // Elements: image channels first, then every convolution's output channels.
        int[] base = new int[n];
        Arrays.fill(base, -1);
        int total = imageChannels;
        for (int l : spec.convLayers()) {
            base[l] = total;
            total += spec.conv(l).filters();
        }
        int[] nodeOfElement = new int[total];       // n stands for the image
        Arrays.fill(nodeOfElement, 0, imageChannels, n);
        for (int l : spec.convLayers()) {
            Arrays.fill(nodeOfElement, base[l], base[l] + spec.conv(l).filters(), l);
        }
        UnionFind coupled = new UnionFind(total);
        int[] imageElements = range(0, imageChannels);
        int[][] elements = new int[n][];
        List<int[]> reasons = new ArrayList<>();     // (element, reason index)
        List<String> reasonTexts = new ArrayList<>();
        List<Split> splits = new ArrayList<>();
        for (int e : imageElements) {
            reasons.add(new int[]{e, reason(reasonTexts, "coupled with the input image")});
        }
        for (int l = 0; l < n; l++) {
            Layer layer = spec.layer(l);
            List<Integer> ins = spec.inputsOf(l);
            int[] first = ins.get(0) == NetworkSpec.IMAGE ? imageElements : elements[ins.get(0)];
            if (layer instanceof ConvLayer c) {
                elements[l] = range(base[l], c.filters());
                if (c.depthwise(first.length)) {
                    // output channel k only sees input channel k: removing one removes the other
                    for (int k = 0; k < first.length; k++) {
                        coupled.union(first[k], elements[l][k]);
                    }
                } else if (c.groups() > 1) {
                    int r = reason(reasonTexts, "grouped convolution " + l + " (groups=" + c.groups()
                            + ", not depthwise) keeps its input and output channels whole");
                    for (int e : first) {
                        reasons.add(new int[]{e, r});
                    }
                    for (int e : elements[l]) {
                        reasons.add(new int[]{e, r});
                    }
                }
                if (!c.batchNormalize()) {
                    int r = reason(reasonTexts, "conv " + l + " has no batch normalisation (no γ)");
                    for (int e : elements[l]) {
                        reasons.add(new int[]{e, r});
                    }
                }
            } else if (layer instanceof RouteLayer route) {
                int g = route.groups();
                List<Integer> out = new ArrayList<>();
                for (int in : ins) {
                    int[] src = in == NetworkSpec.IMAGE ? imageElements : elements[in];
                    int per = src.length / g;
                    for (int c = route.groupId() * per; c < (route.groupId() + 1) * per; c++) {
                        out.add(src[c]);
                    }
                    if (g > 1) {
                        int[][] slices = new int[g][];
                        for (int s = 0; s < g; s++) {
                            slices[s] = Arrays.copyOfRange(src, s * per, (s + 1) * per);
                        }
                        splits.add(new Split(l, in, slices));
                    }
                }
                elements[l] = out.stream().mapToInt(Integer::intValue).toArray();
            } else if (layer instanceof ShortcutLayer) {
                elements[l] = first;
                for (int k = 1; k < ins.size(); k++) {
                    int in = ins.get(k);
                    int[] other = in == NetworkSpec.IMAGE ? imageElements : elements[in];
                    for (int c = 0; c < first.length; c++) {
                        coupled.union(first[c], other[c]);
                    }
                }
            } else if (layer instanceof MaxPoolLayer || layer instanceof UpsampleLayer
                    || layer instanceof dev.edgeslim.detector.model.DropoutLayer) {
                elements[l] = first;
            } else if (layer instanceof YoloLayer) {
                elements[l] = first;
                int r = reason(reasonTexts, "feeds [yolo] layer " + l);
                for (int e : first) {
                    reasons.add(new int[]{e, r});
                }
            } else {
                throw new IllegalStateException("unhandled layer type " + layer.section());
            }
            if (spec.consumersOf(l).isEmpty() && !(layer instanceof YoloLayer)) {
                int r = reason(reasonTexts, "layer " + l + " is a network output (nothing reads it)");
                for (int e : elements[l]) {
                    reasons.add(new int[]{e, r});
                }
            }
        }

        // Convolutions (and the image) sharing any coupled channel form one set.
        int[] root = new int[total];
        for (int e = 0; e < total; e++) {
            root[e] = coupled.find(e);
        }
        UnionFind nodes = new UnionFind(n + 1);
        int[] owner = new int[total];
        Arrays.fill(owner, -1);
        for (int e = 0; e < total; e++) {
            int r = root[e];
            if (owner[r] < 0) {
                owner[r] = nodeOfElement[e];
            } else {
                nodes.union(owner[r], nodeOfElement[e]);
            }
        }
        // Members per component, in layer order with the image first; components ordered by first member.
        List<Integer> order = new ArrayList<>();
        if (imageChannels > 0) {
            order.add(n);
        }
        order.addAll(spec.convLayers());
        int[] componentSet = new int[n + 1];
        Arrays.fill(componentSet, -1);
        List<List<Integer>> componentMembers = new ArrayList<>();
        for (int node : order) {
            int comp = nodes.find(node);
            if (componentSet[comp] < 0) {
                componentSet[comp] = componentMembers.size();
                componentMembers.add(new ArrayList<>());
            }
            componentMembers.get(componentSet[comp]).add(node);
        }
        int[] classIndex = new int[total];
        Arrays.fill(classIndex, -1);
        int[] classSet = new int[total];
        List<Integer> sizes = new ArrayList<>();
        List<List<Member>> members = new ArrayList<>();
        List<Set<String>> setReasons = new ArrayList<>();
        for (int s = 0; s < componentMembers.size(); s++) {
            List<Integer> comp = componentMembers.get(s);
            int anchor = comp.get(0);
            for (int node : comp) {
                if (elementsOfNode(node, n, imageElements, elements).length
                        > elementsOfNode(anchor, n, imageElements, elements).length) {
                    anchor = node;
                }
            }
            boolean irregular = false;
            int next = 0;
            for (int e : elementsOfNode(anchor, n, imageElements, elements)) {
                if (classIndex[root[e]] >= 0) {
                    irregular = true;
                } else {
                    classIndex[root[e]] = next++;
                    classSet[root[e]] = s;
                }
            }
            List<Member> ms = new ArrayList<>();
            for (int node : comp) {
                int[] es = elementsOfNode(node, n, imageElements, elements);
                for (int e : es) {
                    if (classIndex[root[e]] < 0) {
                        classIndex[root[e]] = next++;
                        classSet[root[e]] = s;
                        irregular = true;
                    }
                }
                int offset = classIndex[root[es[0]]];
                for (int c = 0; c < es.length; c++) {
                    if (classIndex[root[es[c]]] != offset + c) {
                        irregular = true;
                    }
                }
                ms.add(new Member(node == n ? NetworkSpec.IMAGE : node, offset, es.length));
            }
            sizes.add(next);
            members.add(ms);
            Set<String> rs = new LinkedHashSet<>();
            if (irregular) {
                rs.add("irregular coupling: a member's channels do not map onto a contiguous run of the set");
            }
            setReasons.add(rs);
        }
        for (int[] r : reasons) {
            setReasons.get(classSet[root[r[0]]]).add(reasonTexts.get(r[1]));
        }
        List<List<SliceBalance>> balances = new ArrayList<>();
        for (int s = 0; s < sizes.size(); s++) {
            balances.add(new ArrayList<>());
        }
        for (Split split : splits) {
            Set<Integer> touched = new TreeSet<>();
            Set<Integer> seen = new java.util.HashSet<>();
            boolean repeated = false;
            List<List<Integer>> slices = new ArrayList<>();
            for (int[] slice : split.slices) {
                List<Integer> idx = new ArrayList<>();
                for (int e : slice) {
                    touched.add(classSet[root[e]]);
                    idx.add(classIndex[root[e]]);
                    repeated |= !seen.add(root[e]);
                }
                slices.add(idx);
            }
            if (touched.size() == 1 && !repeated) {
                balances.get(touched.iterator().next()).add(new SliceBalance(split.consumer, split.source, slices));
            } else {
                String why = "layer " + split.consumer + " splits layer " + split.source
                        + (repeated ? " whose channels repeat" : " across several coupled sets");
                for (int s : touched) {
                    setReasons.get(s).add(why);
                }
            }
        }
        List<CoupledSet> built = new ArrayList<>();
        for (int s = 0; s < sizes.size(); s++) {
            built.add(new CoupledSet(s, sizes.get(s), members.get(s), new ArrayList<>(setReasons.get(s)),
                    balances.get(s)));
        }
        this.sets = Collections.unmodifiableList(built);
        this.setOf = new int[n][];
        this.indexOf = new int[n][];
        for (int l = 0; l < n; l++) {
            setOf[l] = new int[elements[l].length];
            indexOf[l] = new int[elements[l].length];
            for (int c = 0; c < elements[l].length; c++) {
                setOf[l][c] = classSet[root[elements[l][c]]];
                indexOf[l][c] = classIndex[root[elements[l][c]]];
            }
        }
        this.imageSet = new int[imageChannels];
        this.imageIndex = new int[imageChannels];
        for (int c = 0; c < imageChannels; c++) {
            imageSet[c] = classSet[root[c]];
            imageIndex[c] = classIndex[root[c]];
        }
        this.convSet = new int[n];
        Arrays.fill(convSet, -1);
        for (int l : spec.convLayers()) {
            convSet[l] = componentSet[nodes.find(l)];
        }
    }

    /** Builds the channel graph of {@code spec}. */
    public static ChannelGraph of(NetworkSpec spec) {
        return new ChannelGraph(spec);
    }

    public NetworkSpec spec() {
        return spec;
    }

    /** All coupled sets; {@code sets().get(i).id() == i}. Ids follow the first member's layer order. */
    public List<CoupledSet> sets() {
        return sets;
    }

    /**
     * Null when some channel can be pruned; otherwise the first reasons why no convolution's channels can (for a
     * user-facing error: a network with nothing prunable cannot be sparse-trained or pruned).
     */
    public String whyNothingIsPrunable() {
        if (sets.stream().anyMatch(CoupledSet::prunable)) {
            return null;
        }
        return sets.stream().filter(s -> !s.convLayers().isEmpty()).flatMap(s -> s.unprunableReasons().stream())
                .distinct().limit(3).reduce((a, b) -> a + "; " + b).orElse("it has no convolution");
    }

    public CoupledSet set(int id) {
        return sets.get(id);
    }

    /** The coupled set a convolution's output channels belong to (a convolution is always in exactly one). */
    public CoupledSet setOfConv(int convLayer) {
        if (convLayer < 0 || convLayer >= convSet.length || convSet[convLayer] < 0) {
            throw new IllegalArgumentException("layer " + convLayer + " is not a convolution");
        }
        return sets.get(convSet[convLayer]);
    }

    /** Which coupled channel output channel {@code c} of layer {@code layer} ({@code IMAGE} allowed) is. */
    public CoupledChannel channel(int layer, int c) {
        if (layer == NetworkSpec.IMAGE) {
            return new CoupledChannel(imageSet[c], imageIndex[c]);
        }
        return new CoupledChannel(setOf[layer][c], indexOf[layer][c]);
    }

    /** The coupled channel of every output channel of {@code layer}, in channel order. */
    public List<CoupledChannel> outputChannels(int layer) {
        int count = layer == NetworkSpec.IMAGE ? imageSet.length : setOf[layer].length;
        List<CoupledChannel> out = new ArrayList<>(count);
        for (int c = 0; c < count; c++) {
            out.add(channel(layer, c));
        }
        return out;
    }

    /** Number of output channels of {@code layer} (as the spec says; {@code IMAGE} allowed). */
    public int channels(int layer) {
        return layer == NetworkSpec.IMAGE ? imageSet.length : setOf[layer].length;
    }

    public int prunableChannels() {
        return sets.stream().filter(CoupledSet::prunable).mapToInt(CoupledSet::size).sum();
    }

    /** A readable dump: every set with members, constraints and reasons, then every layer's channel mapping. */
    public String describe() {
        StringBuilder b = new StringBuilder();
        long prunable = sets.stream().filter(CoupledSet::prunable).count();
        b.append("ChannelGraph: ").append(spec.size()).append(" layers, ").append(sets.size())
                .append(" coupled sets (").append(prunable).append(" prunable, ").append(prunableChannels())
                .append(" prunable channels)\n");
        for (CoupledSet s : sets) {
            b.append(String.format("set %3d  %5d ch  %-10s members: %s%n", s.id(), s.size(),
                    s.prunable() ? "prunable" : "FIXED", s.members()));
            for (SliceBalance sb : s.balances()) {
                b.append("              balance: ").append(sb).append('\n');
            }
            for (String r : s.unprunableReasons()) {
                b.append("              fixed: ").append(r).append('\n');
            }
        }
        b.append("layer outputs (channel range <- set[index range]):\n");
        for (int l = 0; l < spec.size(); l++) {
            b.append(String.format("%5d %-14s %5d ch: %s%n", l, spec.layer(l).section(), setOf[l].length,
                    runs(setOf[l], indexOf[l])));
        }
        return b.toString();
    }

    private static String runs(int[] set, int[] index) {
        StringBuilder b = new StringBuilder();
        int start = 0;
        for (int c = 1; c <= set.length; c++) {
            if (c == set.length || set[c] != set[start] || index[c] != index[c - 1] + 1) {
                if (b.length() > 0) {
                    b.append(", ");
                }
                b.append('[').append(start).append("..").append(c).append(") <- ").append(set[start]).append('[')
                        .append(index[start]).append("..").append(index[c - 1] + 1).append(')');
                start = c;
            }
        }
        return b.toString();
    }

    private static int[] elementsOfNode(int node, int n, int[] image, int[][] elements) {
        return node == n ? image : elements[node];
    }

    private static int[] range(int from, int count) {
        int[] a = new int[count];
        for (int i = 0; i < count; i++) {
            a[i] = from + i;
        }
        return a;
    }

    private static int reason(List<String> texts, String text) {
        int i = texts.indexOf(text);
        if (i >= 0) {
            return i;
        }
        texts.add(text);
        return texts.size() - 1;
    }

    private record Split(int consumer, int source, int[][] slices) {
    }
}
