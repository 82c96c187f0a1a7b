package io.dpuoffload.config;

/** A configuration that cannot be used; the message names the field and the fix. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
