package io.dpuoffload.api.yaml;

import io.dpuoffload.api.spec.Pair;
import io.dpuoffload.api.spec.Profile;
import io.dpuoffload.api.spec.ResolvedPair;
import io.dpuoffload.api.validation.ConfigException;
import io.dpuoffload.api.validation.PairValidation;
import io.dpuoffload.api.validation.Problem;
import io.dpuoffload.api.validation.ProfileValidation;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The standalone mode's files: a pair, and the profiles it names (built in, or files). */
public final class SpecFiles {
    /** The profiles this module carries, by name. */
    public static final List<String> BUILT_IN = List.of("libvirt", "containerd");

    private static final String BUILT_IN_DIRECTORY = "/io/dpuoffload/api/profiles/";

    private SpecFiles() {}

    /** A built-in profile by name ({@code libvirt}), or a profile file by path (anything with a '/'). */
    public static Profile profile(String nameOrFile) {
        if (nameOrFile.contains("/")) {
            return SpecReader.read(Path.of(nameOrFile), Profile.class, ProfileValidation::problems);
        }
        return parseProfile(builtIn(nameOrFile), "built-in profile " + nameOrFile);
    }

    public static Profile parseProfile(String yaml, String source) {
        return SpecReader.read(yaml, source, Profile.class, ProfileValidation::problems);
    }

    /** A built-in profile's YAML. */
    public static String builtIn(String name) {
        try (InputStream in = SpecFiles.class.getResourceAsStream(BUILT_IN_DIRECTORY + name + ".yaml")) {
            if (in == null) {
                throw new ConfigException("no built-in profile '" + name + "' (built in: " + String.join(", ", BUILT_IN)
                        + "); give a file's path for a profile of your own");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException("cannot read the built-in profile " + name + ": " + e.getMessage());
        }
    }

    /** A pair's file, with its profiles. */
    public static ResolvedPair pair(Path file) {
        return resolve(SpecReader.read(file, Pair.class, PairValidation::problems), file.toString());
    }

    public static ResolvedPair parsePair(String yaml) {
        return resolve(SpecReader.read(yaml, "", Pair.class, PairValidation::problems), "");
    }

    /** Loads the profiles {@code pair} names; what is wrong with one is a problem at its place in the list. */
    public static ResolvedPair resolve(Pair pair, String source) {
        List<Profile> profiles = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < pair.profiles().size(); i++) {
            String at = "profiles[" + i + "]";
            try {
                Profile profile = profile(pair.profiles().get(i));
                if (!names.add(profile.name())) {
                    problems.add(new Problem(at, "the profile '" + profile.name() + "' is named twice"));
                }
                profiles.add(profile);
            } catch (ConfigException e) {
                problems.add(new Problem(at, e.getMessage()));
            }
        }
        if (problems.isEmpty()) {
            problems.addAll(PairValidation.acrossProfiles(profiles));
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(source, problems);
        }
        return new ResolvedPair(pair, profiles);
    }
}
