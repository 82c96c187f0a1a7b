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
     * Real-mode x86, 21 bytes, then the message: {@code xor ax,ax; mov ds,ax; mov dx,0x3f8;
     * mov si,message; next: lodsb; test al,al; jz halt; out dx,al; jmp next; halt: hlt; jmp halt}.
     */
    private static final byte[] CODE = {
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
        (byte) 0xf8,
        (byte) 0xf4,
        (byte) 0xeb,
        (byte) 0xfd
    };
    /** One mebibyte: a size every disk bus accepts. */
    private static final int IMAGE_BYTES = 1 << 20;

    private BootSector() {}

    /** A raw disk image that prints {@code line} (ASCII, up to 400 characters) on COM1 at boot. */
    public static byte[] printing(String line) {
        byte[] message = (line + "\r\n").getBytes(StandardCharsets.US_ASCII);
        if (CODE.length + message.length + 1 > SECTOR - 2) {
            throw new IllegalArgumentException("a boot message of " + line.length() + " characters does not fit");
        }
        byte[] image = new byte[IMAGE_BYTES];
        System.arraycopy(CODE, 0, image, 0, CODE.length);
        int address = CODE_START + CODE.length;
        image[8] = (byte) address; // mov si, imm16: little-endian
        image[9] = (byte) (address >> 8);
        System.arraycopy(message, 0, image, CODE.length, message.length); // then a 0, already there
        image[SECTOR - 2] = 0x55;
        image[SECTOR - 1] = (byte) 0xaa;
        return image;
    }
}
