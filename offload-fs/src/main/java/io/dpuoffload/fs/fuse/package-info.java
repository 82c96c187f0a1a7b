/**
 * The kernel's FUSE wire format, as {@code include/uapi/linux/fuse.h} defines it: a pure codec with no
 * I/O, used on both sides of offload-fs. The DPU reads raw requests from /dev/fuse and forwards them
 * nearly unchanged; the host decodes them, runs them on its files, and encodes raw replies, which the
 * DPU writes back to /dev/fuse — as virtio-fs carries the same messages between guest and virtiofsd.
 *
 * <p>Protocol: we announce 7.{@value io.dpuoffload.fs.fuse.FuseProtocol#KERNEL_MINOR_VERSION} (the
 * kernel here speaks 7.45) and accept kernels from 7.{@value
 * io.dpuoffload.fs.fuse.FuseProtocol#MIN_KERNEL_MINOR_VERSION} on; {@link
 * io.dpuoffload.fs.fuse.FuseInitNegotiation} applies fuse.h's version rules and {@link
 * io.dpuoffload.fs.fuse.FuseInitOptions#DEFAULT_FLAGS} says which INIT flags we ask for and why.
 *
 * <ul>
 *   <li>{@link io.dpuoffload.fs.fuse.FuseRequestDecoder} turns one request into a {@link
 *       io.dpuoffload.fs.fuse.FuseRequest}: header, one {@link io.dpuoffload.fs.fuse.FuseOperation}
 *       record per opcode (switch over it: the compiler checks every opcode is handled), and the
 *       supplementary groups of its extensions. Malformed input is a checked {@link
 *       io.dpuoffload.fs.fuse.FuseProtocolException}.
 *   <li>{@link io.dpuoffload.fs.fuse.FuseReplies}, {@link io.dpuoffload.fs.fuse.DirentWriter} and
 *       {@link io.dpuoffload.fs.fuse.FuseNotifications} encode what goes back to the kernel; {@link
 *       io.dpuoffload.fs.fuse.FuseOutHeader} checks a reply before it is written to /dev/fuse.
 *   <li>{@link io.dpuoffload.fs.fuse.FuseProtocol} holds every constant and structure size.
 * </ul>
 *
 * <p>Left to callers: reading and writing /dev/fuse and framing on the channel; dispatch and the file
 * system itself (unknown opcodes answered with ENOSYS, errno mapping); validating names (the codec
 * passes on whatever bytes the kernel sent — a host must refuse '/', empty names and escapes); the
 * lookup counts READDIRPLUS and entry replies create and FORGET returns; which reply fits which
 * request; and how large a request the host accepts.
 */
package io.dpuoffload.fs.fuse;
