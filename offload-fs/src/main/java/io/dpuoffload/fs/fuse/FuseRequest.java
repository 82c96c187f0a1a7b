package io.dpuoffload.fs.fuse;

import java.util.List;

/**
 * One request from the kernel: its header, its arguments, and what its extensions said.
 *
 * @param header the 40-byte {@code fuse_in_header}
 * @param operation the arguments, one record type per opcode
 * @param supplementaryGroups the caller's groups the kernel chose to send (the {@code
 *     FUSE_EXT_GROUPS} extension, only with {@link FuseProtocol#CREATE_SUPP_GROUP}: at most the one
 *     group that owns the parent of a new file); empty otherwise
 */
public record FuseRequest(FuseInHeader header, FuseOperation operation, List<Integer> supplementaryGroups) {

    public FuseRequest {
        supplementaryGroups = List.copyOf(supplementaryGroups);
    }

    /** The id the reply must carry. */
    public long unique() {
        return header.unique();
    }

    /** The node the request is about. */
    public long nodeid() {
        return header.nodeid();
    }
}
