package io.dpuoffload.pki;

import java.util.Map;
import java.util.function.Supplier;

/** Reading PEM values out of a Secret's data, with the key named in every message. */
final class SecretData {

    private SecretData() {}

    static String require(Map<String, String> data, String key) {
        String value = data.get(key);
        if (value == null || value.isBlank()) {
            throw new PemException(key + ": missing from the Secret (it holds "
                    + data.keySet().stream().sorted().toList() + "); issue it again");
        }
        return value;
    }

    static <T> T parse(String key, Supplier<T> parser) {
        try {
            return parser.get();
        } catch (PemException e) {
            throw new PemException(key + ": " + e.getMessage(), e);
        }
    }
}
