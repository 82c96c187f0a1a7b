package io.dpuoffload.fs.allowlist;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Denials, one line each, on their own logger ({@code dpuoffload.audit}) so operators can route
 * them to a separate file: who (peer node, caller uid), what (operation), where (export, path).
 */
public final class AuditLog {
    private static final Logger audit = LoggerFactory.getLogger("dpuoffload.audit");

    public void denied(String peer, int uid, Operation operation, String export, String path) {
        audit.warn("denied peer={} uid={} op={} export={} path={}", peer, uid, operation.configName(), export, path);
    }

    private AuditLog() {}

    public static final AuditLog INSTANCE = new AuditLog();
}
