package dev.edgeslim.compressor.prune;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.edgeslim.compressor.graph.ChannelGraph;
import dev.edgeslim.compressor.graph.CoupledSet;
import dev.edgeslim.detector.io.BadInputException;
import dev.edgeslim.detector.io.JsonErrors;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What to keep: for every coupled set of a {@link ChannelGraph}, the sorted coupled-channel indices that stay.
 * Pure data (no weights, no graph reference), printable and JSON-serialisable; {@code members} is carried for
 * readability and to detect a plan applied to the wrong network.
 */
public record PruningPlan(@JsonProperty("sets") List<SetKeep> sets) {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** One coupled set's decision: {@code size} coupled channels, of which {@code kept} (ascending) stay. */
    public record SetKeep(int set, int size, List<Integer> members, List<Integer> kept) {
        @JsonCreator
        public SetKeep(@JsonProperty("set") int set, @JsonProperty("size") int size,
                       @JsonProperty("members") List<Integer> members, @JsonProperty("kept") List<Integer> kept) {
            this.set = set;
            this.size = size;
            this.members = List.copyOf(members);
            this.kept = List.copyOf(kept);
        }

        public boolean keepsAll() {
            return kept.size() == size;
        }

        /** The keep decision as a mask over the set's coupled channels. */
        public boolean[] mask() {
            boolean[] m = new boolean[size];
            for (int k : kept) {
                m[k] = true;
            }
            return m;
        }
    }

    @JsonCreator
    public PruningPlan(@JsonProperty("sets") List<SetKeep> sets) {
        this.sets = List.copyOf(sets);
    }

    /** The plan that keeps every channel of {@code graph}. */
    public static PruningPlan keepAll(ChannelGraph graph) {
        List<SetKeep> out = new ArrayList<>();
        for (CoupledSet s : graph.sets()) {
            List<Integer> all = new ArrayList<>();
            for (int i = 0; i < s.size(); i++) {
                all.add(i);
            }
            out.add(new SetKeep(s.id(), s.size(), s.convLayers(), all));
        }
        return new PruningPlan(out);
    }

    /** A plan from keep masks, one per set of {@code graph} (index = set id). */
    public static PruningPlan fromMasks(ChannelGraph graph, List<boolean[]> masks) {
        List<SetKeep> out = new ArrayList<>();
        for (CoupledSet s : graph.sets()) {
            boolean[] m = masks.get(s.id());
            List<Integer> kept = new ArrayList<>();
            for (int i = 0; i < s.size(); i++) {
                if (m[i]) {
                    kept.add(i);
                }
            }
            out.add(new SetKeep(s.id(), s.size(), s.convLayers(), kept));
        }
        return new PruningPlan(out);
    }

    public SetKeep set(int id) {
        return sets.get(id);
    }

    /** Coupled channels removed in total. */
    public int removedChannels() {
        return sets.stream().mapToInt(s -> s.size() - s.kept().size()).sum();
    }

    /**
     * Checks that this plan fits {@code graph} and respects its constraints: same sets (ids, sizes, members),
     * kept indices sorted, unique and in range, at least one channel kept per set, unprunable sets kept whole,
     * every slice-balance constraint satisfied. Throws {@link IllegalArgumentException} naming the first problem.
     */
    public void checkAgainst(ChannelGraph graph) {
        if (sets.size() != graph.sets().size()) {
            throw new IllegalArgumentException("plan has " + sets.size() + " coupled sets, the network has "
                    + graph.sets().size() + " (a plan for another network?)");
        }
        for (CoupledSet s : graph.sets()) {
            SetKeep k = sets.get(s.id());
            String where = "plan set " + s.id() + " (members " + s.members() + "): ";
            if (k.set() != s.id() || k.size() != s.size() || !k.members().equals(s.convLayers())) {
                throw new IllegalArgumentException(where + "does not match the network's set (size " + s.size()
                        + ", members " + s.convLayers() + "); plan says size " + k.size() + ", members " + k.members());
            }
            int previous = -1;
            for (int i : k.kept()) {
                if (i <= previous || i >= s.size()) {
                    throw new IllegalArgumentException(where + "kept indices must be ascending, unique and within 0.."
                            + (s.size() - 1) + ", found " + i + " after " + previous);
                }
                previous = i;
            }
            if (k.kept().isEmpty()) {
                throw new IllegalArgumentException(where + "keeps no channel; a layer needs at least one");
            }
            if (!s.prunable() && !k.keepsAll()) {
                throw new IllegalArgumentException(where + "removes channels from an unprunable set ("
                        + String.join("; ", s.unprunableReasons()) + ")");
            }
            boolean[] mask = k.mask();
            for (var balance : s.balances()) {
                if (!balance.isBalanced(mask)) {
                    throw new IllegalArgumentException(where + "violates slice balance: " + balance
                            + " but the plan keeps " + java.util.Arrays.toString(balance.keptPerSlice(mask))
                            + " channels per slice");
                }
            }
        }
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static PruningPlan fromJson(String json, String source) {
        PruningPlan plan;
        try {
            plan = JSON.readValue(json, PruningPlan.class);
        } catch (IOException | RuntimeException e) {
            throw new BadInputException(source, "not a pruning plan: " + JsonErrors.describe(e));
        }
        if (plan == null || plan.sets().stream().anyMatch(k -> k == null)) {
            throw new BadInputException(source, "not a pruning plan: missing \"sets\" entries");
        }
        return plan;
    }

    public static PruningPlan read(Path file) {
        try {
            if (Files.size(file) > 64L << 20) {
                throw new BadInputException(file, "larger than 64 MB; not a pruning plan");
            }
            return fromJson(Files.readString(file), file.toString());
        } catch (NoSuchFileException e) {
            throw new BadInputException(file, "no such file");
        } catch (IOException e) {
            throw new BadInputException(file, "cannot read: " + e.getMessage());
        }
    }

    /** One line per set that loses channels, e.g. {@code set 12 [conv 14, conv 17]: 64 -> 40}. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("PruningPlan[" + removedChannels() + " coupled channels removed]");
        for (SetKeep s : sets) {
            if (!s.keepsAll()) {
                b.append("\n  set ").append(s.set()).append(' ').append(s.members()).append(": ").append(s.size())
                        .append(" -> ").append(s.kept().size());
            }
        }
        return b.toString();
    }
}
