package io.dpuoffload.transport.handshake;

import io.netty.handler.codec.DecoderException;
import java.util.Locale;
import javax.net.ssl.SSLException;

/** Turns handshake failures into one line an operator can act on. */
final class Failures {

    static String describe(Throwable cause) {
        Throwable root = cause;
        while ((root instanceof DecoderException || root.getMessage() == null) && root.getCause() != null) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        String lower = message.toLowerCase(Locale.ROOT);
        // An alert we received means the peer refused us; anything else is our own verdict on it.
        if (lower.contains("received fatal alert")
                && (lower.contains("bad_certificate")
                        || lower.contains("certificate_unknown")
                        || lower.contains("unknown_ca")
                        || lower.contains("certificate_required")
                        || lower.contains("certificate_expired"))) {
            return "the peer refused this side's certificate (" + message + "): issue both sides' certificates from "
                    + "the same CA with `offloadctl certs issue` and check they have not expired";
        }
        if (lower.contains("pkix")
                || lower.contains("validity")
                || lower.contains("certification path")
                || lower.contains("expired")
                || lower.contains("not yet valid")) {
            return "the peer's certificate is not valid here (" + message + "): it must be issued by this side's CA "
                    + "and be within its validity dates";
        }
        if (lower.contains("empty client certificate")
                || lower.contains("null cert chain")
                || lower.contains("peer not authenticated")
                || lower.contains("certificate_required")) {
            return "the peer presented no certificate (" + message + "): give it one with `offloadctl certs issue`";
        }
        if (root instanceof SSLException) {
            return "TLS failed: " + message;
        }
        return message;
    }

    private Failures() {}
}
