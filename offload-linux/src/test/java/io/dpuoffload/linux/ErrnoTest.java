package io.dpuoffload.linux;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ErrnoTest {
    private static final Set<String> ALIASES = Set.of("EWOULDBLOCK", "ENOTSUP", "EDEADLOCK");

    @Test
    void everyConstantIsNamedAfterItself() throws Exception {
        int checked = 0;
        for (Field f : Errno.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == int.class && !ALIASES.contains(f.getName())) {
                assertThat(Errno.name(f.getInt(null))).as(f.getName()).isEqualTo(f.getName());
                assertThat(Errno.byName(f.getName())).isEqualTo(f.getInt(null));
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(40);
    }

    @Test
    void numbersAreTheGenericLinuxOnes() {
        // asm-generic/errno-base.h and errno.h, shared by x86_64 and aarch64
        assertThat(Errno.EPERM).isEqualTo(1);
        assertThat(Errno.ENOENT).isEqualTo(2);
        assertThat(Errno.EACCES).isEqualTo(13);
        assertThat(Errno.EXDEV).isEqualTo(18);
        assertThat(Errno.ENOSYS).isEqualTo(38);
        assertThat(Errno.ELOOP).isEqualTo(40);
        assertThat(Errno.ENODATA).isEqualTo(61);
        assertThat(Errno.EOVERFLOW).isEqualTo(75);
        assertThat(Errno.EOPNOTSUPP).isEqualTo(95);
        assertThat(Errno.ENOTCONN).isEqualTo(107);
        assertThat(Errno.ETIMEDOUT).isEqualTo(110);
        assertThat(Errno.ECONNREFUSED).isEqualTo(111);
        assertThat(Errno.max()).isEqualTo(133);
    }

    @Test
    void aliasesAnswerTheFirstName() {
        assertThat(Errno.EWOULDBLOCK).isEqualTo(Errno.EAGAIN);
        assertThat(Errno.ENOTSUP).isEqualTo(Errno.EOPNOTSUPP);
        assertThat(Errno.EDEADLOCK).isEqualTo(Errno.EDEADLK);
        assertThat(Errno.name(Errno.EWOULDBLOCK)).isEqualTo("EAGAIN");
        assertThat(Errno.byName("ENOTSUP")).isEqualTo(95);
    }

    @Test
    void descriptionsAreGlibcs() {
        assertThat(Errno.description(Errno.ENOENT)).isEqualTo("No such file or directory");
        assertThat(Errno.description(Errno.EXDEV)).isEqualTo("Invalid cross-device link");
        assertThat(Errno.name(133)).isEqualTo("EHWPOISON");
    }

    @Test
    void unknownNumbersStillRender() {
        assertThat(Errno.name(41)).isEqualTo("E?41");
        assertThat(Errno.name(0)).isEqualTo("E?0");
        assertThat(Errno.name(4095)).isEqualTo("E?4095");
        assertThat(Errno.description(-3)).isEqualTo("Unknown error -3");
        assertThat(Errno.byName("ENOPE")).isEqualTo(-1);
    }

    @Test
    void exceptionMessageNamesCallPathAndErrno() {
        ErrnoException e = new ErrnoException("openat2", bytes("etc/shadow"), Errno.EACCES);
        assertThat(e.getMessage()).isEqualTo("openat2(etc/shadow): Permission denied (EACCES)");
        assertThat(e.errno()).isEqualTo(13);
        assertThat(e.is(Errno.EACCES)).isTrue();
        assertThat(e.call()).isEqualTo("openat2");
        assertThat(e).isInstanceOf(java.io.IOException.class);
    }

    @Test
    void exceptionMessageWithoutPathOrWithTwo() {
        assertThat(new ErrnoException("close", Errno.EBADF).getMessage())
                .isEqualTo("close: Bad file descriptor (EBADF)");
        assertThat(new ErrnoException("renameat2", bytes("a"), bytes("b"), Errno.EEXIST).getMessage())
                .isEqualTo("renameat2(a, b): File exists (EEXIST)");
    }

    @Test
    void bytesThatAreNotUtf8AreEscaped() {
        byte[] name = {'x', (byte) 0xff, '\n', 'y'};
        assertThat(new ErrnoException("statx", name, Errno.ENOENT).getMessage())
                .isEqualTo("statx(x\\xff\\x0ay): No such file or directory (ENOENT)");
        assertThat(Bytes.display(bytes("grüße\t"))).isEqualTo("grüße\\x09");
    }

    @Test
    void longPathsAreCutInMessages() {
        byte[] path = new byte[4000];
        java.util.Arrays.fill(path, (byte) 'a');
        assertThat(new ErrnoException("statx", path, Errno.ENAMETOOLONG).getMessage())
                .hasSizeLessThan(400)
                .contains("…(4000 bytes)");
    }

    @Test
    void pathIsACopy() {
        byte[] path = bytes("a");
        ErrnoException e = new ErrnoException("statx", path, Errno.ENOENT);
        e.path()[0] = 'z';
        assertThat(e.path()).isEqualTo(bytes("a"));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
