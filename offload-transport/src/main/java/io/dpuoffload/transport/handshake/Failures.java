package io.dpuoffload.transport.handshake;

import io.netty.handler.codec.DecoderException;
import java.util.Locale;
import javax.net.ssl.SSLException;

/** Turns handshake failures into one line an operator can act on. */
final class Failures {

    static String describe(Throwable cause) {
        // The JDK's provider says what went wrong at the top; BoringSSL's engine says "General
        // OpenSslEngine problem" and keeps the reason (a trust manager's verdict, an alert) below.
        StringBuilder chain = new StringBuilder();
        String message = null;
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t.getMessage() != null && !(t instanceof DecoderException)) {
                chain.append(t.getMessage()).append(' ');
                if (message == null || message.startsWith("General OpenSslEngine problem")) {
                    message = t.getMessage();
                }
            }
        }
        if (message == null) {
            message = cause.getClass().getSimpleName();
        }
        String lower = chain.toString().toLowerCase(Locale.ROOT);
        if (lower.contains("sslv3_alert_") || lower.contains("tlsv1_alert_") || lower.contains("tlsv13_alert_")) {
            return "the peer refused this side's certificate (" + message + "): issue both sides' certificates from "
                    + "the same CA with `offloadctl certs issue` and check they have not expired";
        }
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
        if (anyInChain(cause, SSLException.class)) {
            return "TLS failed: " + message;
        }
        return message;
    }

    private static boolean anyInChain(Throwable cause, Class<? extends Throwable> type) {
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private Failures() {}
}
