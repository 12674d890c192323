package dev.edgeslim.compressor.graph;

import java.util.List;

/**
 * Channel spaces whose channel {@code i} is one "coupled channel": it can only be kept or removed in all members
 * at once (residual adds make channel k of every input and of the sum the same channel). {@code size} coupled
 * channels; {@code members} the convolution outputs (and possibly the image) that carry them;
 * {@code unprunableReasons} is empty when the planner may remove channels; {@code balances} are slice-balance
 * constraints the kept set must satisfy.
 */
public record CoupledSet(int id, int size, List<Member> members, List<String> unprunableReasons,
                         List<SliceBalance> balances) {
    public CoupledSet {
        members = List.copyOf(members);
        unprunableReasons = List.copyOf(unprunableReasons);
        balances = List.copyOf(balances);
    }

    public boolean prunable() {
        return unprunableReasons.isEmpty();
    }

    /** Layer indices of the member convolutions (the image, if coupled, is left out). */
    public List<Integer> convLayers() {
        return members.stream().map(Member::layer).filter(l -> l >= 0).toList();
    }

    /** True when every member maps its channels one to one onto all of the set's coupled channels. */
    public boolean regular() {
        return members.stream().allMatch(m -> m.offset() == 0 && m.channels() == size);
    }
}
