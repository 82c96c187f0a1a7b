package io.dpuoffload.fs.posix;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** An access ACL as the kernel takes it in {@code system.posix_acl_access} (posix_acl_xattr, version 2). */
final class AccessAcl {
    private static final int VERSION = 2;
    private static final int ENTRY_BYTES = 8;
    private static final int NO_ID = -1;

    private AccessAcl() {}

    /** Owner rwx, the user {@code uid} with {@code userPerm}, group r-x, the mask and others as given. */
    static byte[] of(int uid, int userPerm, int maskPerm, int otherPerm) {
        ByteBuffer acl = ByteBuffer.allocate(4 + 5 * ENTRY_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        acl.putInt(VERSION);
        acl.putShort((short) 0x01).putShort((short) 07).putInt(NO_ID); // ACL_USER_OBJ
        acl.putShort((short) 0x02).putShort((short) userPerm).putInt(uid); // ACL_USER
        acl.putShort((short) 0x04).putShort((short) 05).putInt(NO_ID); // ACL_GROUP_OBJ
        acl.putShort((short) 0x10).putShort((short) maskPerm).putInt(NO_ID); // ACL_MASK
        acl.putShort((short) 0x20).putShort((short) otherPerm).putInt(NO_ID); // ACL_OTHER
        return acl.array();
    }
}
