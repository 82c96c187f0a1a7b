package io.dpuoffload.api.validation;

import java.util.regex.Pattern;

/** Network interface names as Linux takes them (dev_valid_name): 1 to 15 bytes, no '/', ':' or space. */
final class InterfaceNames {
    private static final Pattern NAME = Pattern.compile("[^/:\\s]{1,15}");

    private InterfaceNames() {}

    static boolean isValid(String name) {
        return NAME.matcher(name).matches() && !name.equals(".") && !name.equals("..");
    }
}
