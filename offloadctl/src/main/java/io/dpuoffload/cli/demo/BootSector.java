package io.dpuoffload.cli.demo;

import java.nio.charset.StandardCharsets;

/**
 * The smallest guest that shows it ran: a disk image whose boot sector writes one line to the first
 * serial port and halts. The BIOS loads it at 0x7c00 and jumps to it; the line then appears in the
 * VM's serial log, with no operating system and no download.
 */
public final class BootSector {
    private static final int SECTOR = 512;
    private static final int CODE_START = 0x7c00;
    /**
     * Real-mode x86, 18 bytes that write the message (which follows the code) to COM1, then go on
     * at offset 18: {@code xor ax,ax; mov ds,ax; mov dx,0x3f8; mov si,message; next: lodsb; test
     * al,al; jz done; out dx,al; jmp next; done:}.
     */
    private static final byte[] PRINT = {
        0x31,
        (byte) 0xc0,
        (byte) 0x8e,
        (byte) 0xd8,
        (byte) 0xba,
        (byte) 0xf8,
        0x03,
        (byte) 0xbe,
        0,
        0,
        (byte) 0xac,
        (byte) 0x84,
        (byte) 0xc0,
        0x74,
        0x03,
        (byte) 0xee,
        (byte) 0xeb,
        (byte) 0xf8
    };
    /**
     * {@code sti; mov cx,18; pause: hlt; loop pause; jmp 7}: waits 18 ticks of the BIOS's timer
     * (about a second, halted, no CPU spent), then writes the message again (offset 7 is {@code mov
     * si,message}).
     */
    private static final byte[] EVERY_SECOND = {
        (byte) 0xfb, (byte) 0xb9, 0x12, 0x00, (byte) 0xf4, (byte) 0xe2, (byte) 0xfd, (byte) 0xeb, (byte) 0xec
    };
    /** {@code halt: hlt; jmp halt}. */
    private static final byte[] HALT = {(byte) 0xf4, (byte) 0xeb, (byte) 0xfd};
    /**
     * {@code echo: mov dx,0x3fd; wait: in al,dx; test al,1; jz wait; mov dx,0x3f8; in al,dx; xor
     * al,0x20; out dx,al; jmp echo}: each character COM1 receives goes back with its case flipped (so
     * what a terminal echoes itself cannot pass for the guest's answer).
     */
    private static final byte[] ECHO = {
        (byte) 0xba,
        (byte) 0xfd,
        0x03,
        (byte) 0xec,
        (byte) 0xa8,
        0x01,
        0x74,
        (byte) 0xfb,
        (byte) 0xba,
        (byte) 0xf8,
        0x03,
        (byte) 0xec,
        0x34,
        0x20,
        (byte) 0xee,
        (byte) 0xeb,
        (byte) 0xef
    };
    /** One mebibyte: a size every disk bus accepts. */
    private static final int IMAGE_BYTES = 1 << 20;

    private BootSector() {}

    /** A raw disk image that prints {@code line} (ASCII, up to 400 characters) on COM1 at boot. */
    public static byte[] printing(String line) {
        return image(concat(PRINT, HALT), line);
    }

    /**
     * A raw disk image that prints {@code line} on COM1 at boot and again about every second: a guest
     * whose serial output keeps coming while the VM runs.
     */
    public static byte[] printingEverySecond(String line) {
        return image(concat(PRINT, EVERY_SECOND), line);
    }

    /**
     * A raw disk image that prints {@code line} on COM1 at boot, then sends back each character
     * COM1 receives with its case flipped ({@code a} comes back as {@code A}): a guest to type at.
     */
    public static byte[] echoing(String line) {
        return image(concat(PRINT, ECHO), line);
    }

    private static byte[] concat(byte[] first, byte[] then) {
        byte[] code = java.util.Arrays.copyOf(first, first.length + then.length);
        System.arraycopy(then, 0, code, first.length, then.length);
        return code;
    }

    private static byte[] image(byte[] code, String line) {
        byte[] message = (line + "\r\n").getBytes(StandardCharsets.US_ASCII);
        if (code.length + message.length + 1 > SECTOR - 2) {
            throw new IllegalArgumentException("a boot message of " + line.length() + " characters does not fit");
        }
        byte[] image = new byte[IMAGE_BYTES];
        System.arraycopy(code, 0, image, 0, code.length);
        int address = CODE_START + code.length;
        image[8] = (byte) address; // mov si, imm16: little-endian
        image[9] = (byte) (address >> 8);
        System.arraycopy(message, 0, image, code.length, message.length); // then a 0, already there
        image[SECTOR - 2] = 0x55;
        image[SECTOR - 1] = (byte) 0xaa;
        return image;
    }
}
