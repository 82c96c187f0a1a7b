package io.dpuoffload.fs.fuse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Whatever bytes arrive, the decoder answers with a request or a {@link FuseProtocolException}, never
 * an unchecked exception: a request cut anywhere inside its arguments is refused, so is one with bytes
 * left over, and random corruption of any request stays within that contract.
 */
class MalformedRequestTest {

    static Stream<FuseOpcode> opcodes() {
        return Arrays.stream(FuseOpcode.values()).filter(op -> op != FuseOpcode.UNKNOWN);
    }

    @ParameterizedTest
    @MethodSource("opcodes")
    void truncatedArgumentsAreRefused(FuseOpcode op) {
        ByteBuffer whole = MinimalRequests.of(op).build();
        int argBytes = whole.remaining() - FuseProtocol.IN_HEADER_SIZE;

        for (int cut = 0; cut < argBytes; cut++) {
            if (op == FuseOpcode.INIT && (cut >= 8 && cut < 16 || cut >= 20)) {
                continue; // INIT is read by length: a bare version, a pre-7.36 or a 7.36+ structure
            }
            ByteBuffer frame = RequestFrames.truncated(whole, cut);
            assertThatThrownBy(() -> FuseRequestDecoder.decode(frame, MinimalRequests.NEGOTIATED))
                    .as("%s cut to %d of %d argument bytes", op, cut, argBytes)
                    .isInstanceOf(FuseProtocolException.class);
        }
    }

    @ParameterizedTest
    @MethodSource("opcodes")
    void leftoverBytesAreRefused(FuseOpcode op) throws FuseProtocolException {
        ByteBuffer frame = RequestFrames.padded(MinimalRequests.of(op).build(), 1);

        if (op == FuseOpcode.INIT) {
            assertThat(FuseRequestDecoder.decode(frame, MinimalRequests.NEGOTIATED)
                            .operation())
                    .isInstanceOf(FuseOperation.Init.class);
        } else {
            assertThatThrownBy(() -> FuseRequestDecoder.decode(frame, MinimalRequests.NEGOTIATED))
                    .as("%s with one byte too many", op)
                    .isInstanceOf(FuseProtocolException.class);
        }
    }

    /** Seeded, so a failure replays; 300 mutations of each opcode's request. */
    @ParameterizedTest
    @MethodSource("opcodes")
    void corruptionNeverEscapesAsAnUncheckedException(FuseOpcode op) {
        Random random = new Random(op.code());
        ByteBuffer whole = MinimalRequests.of(op).build();
        for (int i = 0; i < 300; i++) {
            ByteBuffer frame = mutate(whole, random);
            try {
                FuseRequestDecoder.decode(frame, MinimalRequests.NEGOTIATED);
            } catch (FuseProtocolException expected) {
                // the contract
            } catch (RuntimeException | Error e) {
                fail("%s mutation %d escaped: %s", op, i, e);
            }
        }
    }

    private static ByteBuffer mutate(ByteBuffer whole, Random random) {
        byte[] bytes = new byte[whole.remaining()];
        whole.get(0, bytes);
        int flips = 1 + random.nextInt(4);
        for (int f = 0; f < flips; f++) {
            int at = random.nextInt(bytes.length);
            bytes[at] = (byte) (random.nextBoolean() ? random.nextInt(256) : (random.nextBoolean() ? 0xff : 0));
        }
        ByteBuffer frame = ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        if (random.nextInt(3) > 0) {
            frame.putInt(0, bytes.length); // mostly keep the length right, to get past the header check
        }
        return frame;
    }
}
