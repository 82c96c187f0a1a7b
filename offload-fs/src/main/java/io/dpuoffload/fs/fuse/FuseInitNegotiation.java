package io.dpuoffload.fs.fuse;

import java.nio.ByteBuffer;

/**
 * The outcome of the kernel's INIT offer against our {@link FuseInitOptions}, following the rules at
 * the top of fuse.h: same major, each side uses the smaller minor; a kernel with a larger major gets
 * our major back and sends INIT again; otherwise the mount cannot proceed.
 */
public sealed interface FuseInitNegotiation {

    /** Linux's EPROTO, the answer to a kernel we cannot speak with. */
    int EPROTO = 71;

    /** The reply to send for the INIT request {@code unique}. */
    ByteBuffer reply(long unique);

    /** Agreed: decode later requests with {@code negotiated}; {@code out} is the INIT reply. */
    record Accepted(FuseNegotiated negotiated, FuseInitOut out) implements FuseInitNegotiation {
        @Override
        public ByteBuffer reply(long unique) {
            return FuseReplies.init(unique, out);
        }
    }

    /** The kernel speaks a newer major: tell it ours and expect a second INIT. */
    record OtherMajor(int kernelMajor) implements FuseInitNegotiation {
        @Override
        public ByteBuffer reply(long unique) {
            return FuseReplies.init(unique, FuseInitOut.versionOnly());
        }
    }

    /** No protocol in common: answer EPROTO; the mount fails. */
    record Refused(String reason) implements FuseInitNegotiation {
        @Override
        public ByteBuffer reply(long unique) {
            return FuseReplies.error(unique, EPROTO);
        }
    }

    static FuseInitNegotiation negotiate(FuseOperation.Init offer, FuseInitOptions options) {
        if (offer.major() > FuseProtocol.KERNEL_VERSION) {
            return new OtherMajor(offer.major());
        }
        if (offer.major() < FuseProtocol.KERNEL_VERSION) {
            return new Refused("kernel FUSE protocol " + offer.major() + "." + offer.minor() + " is older than 7");
        }
        if (offer.minor() < FuseProtocol.MIN_KERNEL_MINOR_VERSION) {
            return new Refused("kernel FUSE protocol 7." + offer.minor() + " is older than 7."
                    + FuseProtocol.MIN_KERNEL_MINOR_VERSION);
        }
        long agreed = offer.allFlags() & options.wantedFlags();
        if ((agreed & FuseProtocol.INIT_EXT) == 0) {
            agreed &= 0xFFFF_FFFFL; // flags2 travels only with INIT_EXT
        }
        int minor = Math.min(offer.minor(), FuseProtocol.KERNEL_MINOR_VERSION);
        int maxReadahead = (int) Math.min(Integer.toUnsignedLong(offer.maxReadahead()), options.maxReadahead());
        int maxPages = (agreed & FuseProtocol.MAX_PAGES) != 0 ? options.maxPages() : 0;
        FuseInitOut out = new FuseInitOut(
                FuseProtocol.KERNEL_VERSION,
                FuseProtocol.KERNEL_MINOR_VERSION,
                maxReadahead,
                agreed,
                options.maxBackground(),
                options.congestionThreshold(),
                options.maxWrite(),
                options.timeGran(),
                maxPages,
                0,
                0,
                0);
        return new Accepted(new FuseNegotiated(minor, agreed), out);
    }
}
