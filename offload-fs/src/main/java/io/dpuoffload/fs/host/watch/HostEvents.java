package io.dpuoffload.fs.host.watch;

import io.dpuoffload.linux.Fanotify;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.Consumer;

/**
 * Decodes what read(2) returns from a fanotify group reporting file ids (FAN_REPORT_FID and
 * FAN_REPORT_DFID_NAME): {@code fanotify_event_metadata}, then info records, per event. Pure.
 */
final class HostEvents {
    /** struct fanotify_event_metadata: event_len, vers, reserved, metadata_len, mask, fd, pid. */
    static final int METADATA_SIZE = 24;

    /** struct fanotify_event_info_header (type, pad, len) and the fsid that follows it. */
    private static final int INFO_HEADER_SIZE = 4;

    private static final int FSID_SIZE = 8;

    private HostEvents() {}

    /** Each whole event in {@code events}; a truncated or unknown layout ends the batch. */
    static void decode(ByteBuffer events, Consumer<HostEvent> into) {
        ByteBuffer b = events.duplicate().order(ByteOrder.nativeOrder());
        while (b.remaining() >= METADATA_SIZE) {
            int start = b.position();
            int eventLength = b.getInt(start);
            int version = Byte.toUnsignedInt(b.get(start + 4));
            int metadataLength = Short.toUnsignedInt(b.getShort(start + 6));
            if (version != Fanotify.METADATA_VERSION
                    || eventLength < METADATA_SIZE
                    || eventLength > b.remaining()
                    || metadataLength < METADATA_SIZE) {
                return;
            }
            long mask = b.getLong(start + 8);
            int tid = b.getInt(start + 20);
            FileId object = null;
            FileId directory = null;
            byte[] name = null;
            int at = start + metadataLength;
            int end = start + eventLength;
            while (at + INFO_HEADER_SIZE <= end) {
                int type = Byte.toUnsignedInt(b.get(at));
                int length = Short.toUnsignedInt(b.getShort(at + 2));
                if (length < INFO_HEADER_SIZE || at + length > end) {
                    break;
                }
                if (type == Fanotify.INFO_FID || type == Fanotify.INFO_DFID || type == Fanotify.INFO_DFID_NAME) {
                    long fsid = b.getLong(at + INFO_HEADER_SIZE);
                    int handleAt = at + INFO_HEADER_SIZE + FSID_SIZE;
                    int handleBytes = b.getInt(handleAt);
                    int idEnd = handleAt + 8 + handleBytes;
                    if (handleBytes < 0 || idEnd > at + length) {
                        break;
                    }
                    byte[] handle = new byte[4 + handleBytes];
                    b.get(handleAt + 4, handle);
                    FileId id = new FileId(fsid, handle);
                    if (type == Fanotify.INFO_FID) {
                        object = id;
                    } else {
                        directory = id;
                        if (type == Fanotify.INFO_DFID_NAME) {
                            name = cString(b, idEnd, at + length);
                        }
                    }
                }
                at += length;
            }
            into.accept(new HostEvent(mask, tid, object, directory, name));
            b.position(end);
        }
    }

    private static byte[] cString(ByteBuffer b, int from, int limit) {
        int end = from;
        while (end < limit && b.get(end) != 0) {
            end++;
        }
        byte[] name = new byte[end - from];
        b.get(from, name);
        return name;
    }
}
