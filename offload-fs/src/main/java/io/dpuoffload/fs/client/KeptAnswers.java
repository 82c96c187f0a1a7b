package io.dpuoffload.fs.client;

import io.dpuoffload.fs.fuse.FuseInHeader;
import io.dpuoffload.fs.fuse.FuseNegotiated;
import io.dpuoffload.fs.fuse.FuseProtocolException;
import io.dpuoffload.fs.wire.PostOpAttrs;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What the DPU answers the kernel itself from the host's earlier replies, where the kernel caches
 * and checks permissions (`cache: ttl`): directories' attributes after the DPU's own changes
 * ({@link DirectoryAttrs}) and ACLs ({@link KeptXattrs}). Each request goes through here before it is
 * forwarded and each reply when it comes, so that what is kept is dropped by whatever may change it.
 */
final class KeptAnswers {
    private final DirectoryAttrs directories = new DirectoryAttrs();
    private final KeptXattrs acls;

    KeptAnswers(Duration ttl) {
        this.acls = new KeptXattrs(ttl);
    }

    /** A reply to {@code header}'s request from what is kept; empty when the host must answer. */
    Optional<ByteBuffer> answer(FuseInHeader header, ByteBuffer request, FuseNegotiated negotiated) {
        Optional<ByteBuffer> attrs = directories.answer(header);
        return attrs.isPresent() ? attrs : acls.answer(header, request, negotiated);
    }

    /**
     * Before {@code header}'s request goes to the host; the wire features to ask of its reply (the
     * changed directories' attributes, of a host that offers them).
     */
    int sending(FuseInHeader header, boolean hostOffersPostOpAttrs) {
        directories.sending(header);
        return hostOffersPostOpAttrs && DirectoryAttrs.changesNames(header.kind()) ? PostOpAttrs.FEATURE : 0;
    }

    /**
     * The host's reply to a request {@link #sending} asked {@code features} of: the FUSE reply for
     * the kernel, what it tells learned.
     *
     * @throws FuseProtocolException if what is behind the FUSE reply is malformed
     */
    ByteBuffer answered(FuseInHeader header, ByteBuffer hostReply, int features) throws FuseProtocolException {
        ByteBuffer fuseReply = hostReply;
        List<PostOpAttrs.Directory> changed = List.of();
        try {
            if ((features & PostOpAttrs.FEATURE) != 0) {
                PostOpAttrs.Split split = PostOpAttrs.split(hostReply);
                fuseReply = split.fuseReply();
                changed = split.directories();
            }
        } finally {
            directories.answered(header, changed);
        }
        acls.learn(header, fuseReply);
        return fuseReply;
    }

    /** The request got no usable reply (the channel failed, or the caller was answered EINTR first). */
    void unanswered(FuseInHeader header) {
        directories.answered(header, List.of());
        acls.forget(header.unique());
    }

    /** The host invalidated {@code node}'s attributes: a host program changed it. */
    void hostChanged(long node) {
        directories.hostChanged(node);
        acls.hostChanged(node);
    }

    /** A new session replaced the one before: what was kept of its inodes is not the new one's answer. */
    void reattached() {
        directories.dropAll();
        acls.dropAll();
    }
}
