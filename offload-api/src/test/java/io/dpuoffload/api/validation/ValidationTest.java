package io.dpuoffload.api.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dpuoffload.api.spec.Profile;
import io.dpuoffload.api.yaml.SpecFiles;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every message validation and binding give: the field's path, its line, what is wrong and the fix. */
class ValidationTest {
    private static List<String> profileProblems(String yaml) {
        try {
            SpecFiles.parseProfile(yaml, "");
        } catch (ConfigException e) {
            return e.problems().stream().map(Problem::toString).toList();
        }
        throw new AssertionError("no problem found in\n" + yaml);
    }

    private static List<String> pairProblems(String yaml) {
        try {
            SpecFiles.parsePair(yaml);
        } catch (ConfigException e) {
            return e.problems().stream().map(Problem::toString).toList();
        }
        throw new AssertionError("no problem found in\n" + yaml);
    }

    @Test
    void everyProblemOfADocumentAtOnceWithItsLine() {
        assertThat(profileProblems("""
                        name: x
                        daemons:
                          - {name: a, command: [/a]}
                          - {name: b, command: [/b], restart: sometimes}
                        shares:
                          - {name: data, hostPath: /srv, cahce: none}
                        """))
                .containsExactly(
                        "daemons[1].restart (line 4): \"sometimes\" is not one of always, on-failure, never",
                        "shares[0].cahce (line 6): unknown field; expected one of allow, cache, devices, hostPath, "
                                + "name, path, procView, readOnly, sharedFifos, ttl");
    }

    @Test
    void bindingProblems() {
        assertThat(profileProblems("name: x\nshares: [{name: a, hostPath: /a, cache: always}]\n"))
                .containsExactly("shares[0].cache (line 2): \"always\" is not one of ttl, none");
        assertThat(profileProblems("name: x\ndaemons: [{name: a, command: /a}]\n"))
                .containsExactly("daemons[0].command (line 2): must be a list");
        assertThat(profileProblems("name: x\ndaemons: [{name: a, command: [/a], ready: 30s}]\n"))
                .containsExactly("daemons[0].ready (line 2): must be a mapping of fields");
        assertThat(profileProblems(
                        "name: x\ndaemons: [{name: a, command: [/a], ready: {socket: /s, timeout: soon}}]\n"))
                .containsExactly("daemons[0].ready.timeout (line 2): \"soon\" is not a duration; write e.g. "
                        + "500ms, 30s, 10m or 2h");
        assertThat(profileProblems("name: x\nshares: [{name: a, hostPath: /a, readOnly: maybe}]\n"))
                .containsExactly("shares[0].readOnly (line 2): \"maybe\" is not true or false");
        assertThat(profileProblems("name: x\ndaemons: [{name: a, command: [/a], health: {interval: 5s}}]\n"))
                .containsExactly("daemons[0].health (line 2): no kind of check; give one: libvirt: URI "
                        + "(e.g. qemu:///system), containerd: ADDRESS (its socket) or socket: PATH");
        assertThat(
                        profileProblems(
                                "name: x\ndaemons: [{name: a, command: [/a], health: {libvirt: 'qemu:///system', socket: /s}}]\n"))
                .containsExactly("daemons[0].health (line 2): more than one kind of check; give one: libvirt: URI "
                        + "(e.g. qemu:///system), containerd: ADDRESS (its socket) or socket: PATH");
        assertThat(profileProblems(
                        "name: x\ndaemons: [{name: a, command: [/a], health: {containerd: run/c.sock, socket: /s}}]\n"))
                .as("two kinds, one of them containerd's")
                .hasSize(1)
                .allMatch(problem -> problem.contains("more than one kind of check"));
        assertThat(profileProblems("name: x\ndaemons: [{name: a, command: [/a], health: {containerd: run/c.sock}}]\n"))
                .containsExactly("daemons[0].health.containerd (line 2): 'run/c.sock' must be an absolute path without"
                        + " '.' or '..'");
        assertThat(profileProblems(
                        "name: x\ndaemons: [{name: a, command: [/a], health: {socket: /s, failures: many}}]\n"))
                .containsExactly("daemons[0].health.failures (line 2): \"many\" is not a whole number");
        assertThat(profileProblems("name: [x]\nfiles: {path: /a}\n"))
                .containsExactly("name (line 1): must be text", "files (line 2): must be a list");
        assertThat(profileProblems("name: x\ndaemons:\n  - name: a\n    restart: never\n    restart: always\n"))
                .singleElement()
                .asString()
                .startsWith("the document (line 5): not valid YAML: Duplicate field 'restart'");
        assertThat(profileProblems("")).containsExactly("the document: empty; the document needs its fields");
        assertThat(profileProblems("name: x\nshares: [{name: a\n"))
                .singleElement()
                .asString()
                .startsWith("the document (line ")
                .contains("not valid YAML: while parsing a flow mapping: expected ',' or '}', but got <stream end>")
                .doesNotContain("\n");
    }

    @Test
    void aDaemonSocketInsideAShareIsRefusedWithWhereToPutIt() {
        assertThat(profileProblems("""
                        name: x
                        shares: [{name: state, hostPath: /srv/state, path: /run/containerd/io}]
                        daemonSockets: [/run/containerd/io/events.sock, /run/containerd/containerd.sock.ttrpc, run/x]
                        """))
                .containsExactly(
                        "daemonSockets[0] (line 3): /run/containerd/io/events.sock is inside share 'state'"
                                + " (/run/containerd/io), where host and daemon would share one socket file; put the"
                                + " daemon's socket outside every share (e.g. under /run)",
                        "daemonSockets[2] (line 3): 'run/x' must be an absolute path without '.' or '..'");
    }

    @Test
    void profileProblems() {
        assertThat(profileProblems("shares: [{hostPath: /a}]\n"))
                .containsExactly(
                        "name (line 1): missing; e.g. name: libvirt",
                        "shares[0].name (line 1): missing; e.g. name: libvirt");
        assertThat(profileProblems("""
                        name: x
                        shares:
                          - {name: Data, hostPath: /a}
                          - {name: b, hostPath: a/b}
                          - {name: b, hostPath: /b, path: /x/../y}
                          - {name: c}
                          - {name: p, hostPath: /proc, procView: true, cache: ttl, ttl: 2h}
                          - {name: q, hostPath: /q, allow: {write: [/], delete: [/], read: [images]}, sharedFifos: [/run/.]}
                        """))
                .containsExactly(
                        "shares[0].name (line 3): 'Data' must be lowercase letters, digits and '-', e.g. vm-images",
                        "shares[1].hostPath (line 4): 'a/b' must be an absolute path without '.' or '..'",
                        "shares[2].name (line 5): 'b' is used twice; each share needs its own name",
                        "shares[2].path (line 5): '/x/../y' must be an absolute path without '.' or '..'",
                        "shares[3].hostPath (line 6): missing; e.g. hostPath: /var/lib/libvirt",
                        "shares[4].cache (line 7): a procView share must use cache: none (its files change on every read)",
                        "shares[4].ttl (line 7): must be between 0s and 1h",
                        "shares[5].allow.delete (line 8): unknown operation; use all or one of lookup, getattr, open, "
                                + "read, write, readdir, mkdir, rmdir, create, mknod, unlink, rename, link, symlink, "
                                + "setattr, xattr-get, xattr-set, xattr-remove, statfs",
                        "shares[5].allow.read[0] (line 8): 'images' must be an absolute path (start with '/')",
                        "shares[5].sharedFifos[0] (line 8): '/run/.' must not contain '.' or '..'");
        assertThat(profileProblems("name: x\nsockets: [run/s]\nprograms: [/usr/bin/../x]\n"))
                .containsExactly(
                        "sockets[0] (line 2): 'run/s' must be an absolute path without '.' or '..'",
                        "programs[0] (line 3): '/usr/bin/../x' must be an absolute path without '.' or '..'");
        assertThat(profileProblems("""
                        name: x
                        daemons:
                          - {name: b, command: [/bin/b], after: [a]}
                          - {name: a, command: [a]}
                          - {name: a, command: [/a], ready: {timeout: 0s}}
                          - {command: [/a], health: {libvirt: system, interval: 10ms, failures: 0}}
                          - {name: s, command: [/s], health: {socket: run/s.sock}}
                        """))
                .containsExactly(
                        "daemons[0].after[0] (line 3): 'a' is not a daemon listed above this one; list daemons in start order",
                        "daemons[1].command (line 4): give the program as an absolute path and its arguments, "
                                + "e.g. [/usr/sbin/libvirtd, --verbose]",
                        "daemons[2].name (line 5): 'a' is used twice; each daemon needs its own name",
                        "daemons[2].ready.socket (line 5): missing; e.g. socket: /run/libvirt/libvirt-sock",
                        "daemons[2].ready.timeout (line 5): must be longer than 0s, e.g. 30s",
                        "daemons[3].name (line 6): missing; e.g. name: libvirtd",
                        "daemons[3].health.libvirt (line 6): 'system' is not a libvirt URI; give the one a client in "
                                + "the root would use, e.g. qemu:///system",
                        "daemons[3].health.interval (line 6): 10ms is too often; give 1s or more",
                        "daemons[3].health.failures (line 6): 0 is not a whole number from 1 to 100",
                        "daemons[4].health.socket (line 7): 'run/s.sock' must be an absolute path without '.' or '..'");
        assertThat(profileProblems("""
                        name: x
                        files:
                          - {path: /etc/a, content: a}
                          - {path: /etc/a, content: b}
                          - {path: etc/b}
                        """))
                .containsExactly(
                        "files[1].path (line 4): /etc/a is given twice; give each file once",
                        "files[2].path (line 5): 'etc/b' must be an absolute path without '.' or '..'",
                        "files[2].content (line 5): missing; e.g. content: \"user = \\\"root\\\"\"");
        assertThat(profileProblems("""
                        name: x
                        users:
                          - {name: libvirt-qemu, uid: 64055, gid: 64055}
                          - {name: libvirt-qemu, uid: 1, gid: 1}
                          - {name: Qemu, uid: -1}
                          - {name: q, uid: 4294967295, gid: 0}
                        groups:
                          - {name: kvm}
                          - {name: 9lives, gid: 9}
                        """))
                .containsExactly(
                        "users[1].name (line 4): 'libvirt-qemu' is given twice; give each once",
                        "users[2].name (line 5): 'Qemu' is not an account name: up to 32 of lower-case letters, digits,"
                                + " '_' and '-', starting with a letter or '_'",
                        "users[2].uid (line 5): -1 is not an id: a whole number from 0 to 4294967294",
                        "users[2].gid (line 5): missing; e.g. gid: 64055",
                        "users[3].uid (line 6): 4294967295 is not an id: a whole number from 0 to 4294967294",
                        "groups[0].gid (line 8): missing; e.g. gid: 64055",
                        "groups[1].name (line 9): '9lives' is not an account name: up to 32 of lower-case letters,"
                                + " digits, '_' and '-', starting with a letter or '_'");
    }

    @Test
    void pairProblems() {
        assertThat(pairProblems("pair: p\nhost: {node: h, endpoint: tcp://x:1}\ndpu: {node: d}\n"))
                .containsExactly("profiles (line 1): missing; name at least one, e.g. [libvirt]");
        assertThat(pairProblems("host: {endpoint: tcp://x:1, keepRunsFor: 0s}\nprofiles: [libvirt]\npki: pki\n"))
                .containsExactly(
                        "pair (line 1): missing; e.g. pair: rack3-node7",
                        "host.node (line 1): missing; e.g. node: host-1",
                        "host.keepRunsFor (line 1): 0s leaves a restarting DPU agent no time to take its VMs back; "
                                + "give 1s or more, e.g. 10m",
                        "dpu (line 1): missing; e.g. dpu: {node: dpu-1}",
                        "pki (line 3): 'pki' must be an absolute path without '.' or '..'");
        assertThat(
                        pairProblems(
                                "pair: p\nhost: {node: h, endpoint: tcp://x:1, resumeWithin: 2h}\ndpu: {node: d}\nprofiles: [libvirt]\n"))
                .containsExactly(
                        "host.resumeWithin (line 2): 2h keeps a dead peer's connections and sessions open too long; "
                                + "give 0s to 1h, e.g. 60s");
        assertThat(pairProblems(
                        "pair: p\nhost: {node: h, endpoint: tcp://x:1, bridges: [br0, 'br/0', a-name-too-long-1]}\n"
                                + "dpu: {node: d}\nprofiles: [libvirt]\n"))
                .containsExactly(
                        "host.bridges[1] (line 2): 'br/0' is not a network interface name: 1 to 15 characters, no '/',"
                                + " ':' or spaces, e.g. br0",
                        "host.bridges[2] (line 2): 'a-name-too-long-1' is not a network interface name: 1 to 15"
                                + " characters, no '/', ':' or spaces, e.g. br0");
        assertThat(SpecFiles.parsePair("pair: p\nhost: {node: h, endpoint: tcp://x:1, bridges: [br0]}\n"
                                + "dpu: {node: d}\nprofiles: [libvirt]\n")
                        .spec()
                        .host()
                        .bridges())
                .containsExactly("br0");
        assertThat(SpecFiles.parsePair(
                                "pair: p\nhost: {node: h, endpoint: tcp://x:1, resumeWithin: 0s}\ndpu: {node: d}\nprofiles: [libvirt]\n")
                        .resumeWithin())
                .as("0s: nothing outlives the channel, as some want")
                .isZero();
        assertThat(pairProblems("pair: p\nhost: {node: h, endpoint: tcp://x:1}\n"
                        + "dpu: {node: d, root: run/root, state: /run/root/agent}\nprofiles: [libvirt]\n"))
                .containsExactly("dpu.root (line 3): 'run/root' must be an absolute path without '.' or '..'");
        assertThat(pairProblems("pair: p\nhost: {node: h, endpoint: tcp://x:1}\n"
                        + "dpu: {node: d, root: /run/a, state: /run/a/agent}\nprofiles: [libvirt]\n"))
                .containsExactly(
                        "dpu.state (line 3): '/run/a/agent' and the root '/run/a' must not contain each other");
        assertThat(
                        pairProblems(
                                "pair: p\nhost: {node: h, endpoint: tcp://x:1}\ndpu: {node: d}\nprofiles: [libvrt, libvirt, libvirt]\n"))
                .containsExactly(
                        "profiles[0]: no built-in profile 'libvrt' (built in: libvirt, containerd); give a file's path for a "
                                + "profile of your own",
                        "profiles[2]: the profile 'libvirt' is named twice");
    }

    @Test
    void profilesOfOnePairAgreeOnSharesAndFiles() {
        Profile a = SpecFiles.parseProfile("""
                name: a
                shares: [{name: data, hostPath: /srv/data}, {name: run, hostPath: /srv/run}]
                files: [{path: /etc/a.conf, content: a}]
                users: [{name: u, uid: 1000, gid: 1000}]
                groups: [{name: g, gid: 1000}]
                """, "");
        Profile same = SpecFiles.parseProfile("""
                name: b
                shares: [{name: data, hostPath: /srv/data}]
                files: [{path: /etc/a.conf, content: a}]
                users: [{name: u, uid: 1000, gid: 1000}]
                """, "");
        Profile other = SpecFiles.parseProfile("""
                name: c
                shares: [{name: data, hostPath: /srv/other}, {name: x, hostPath: /srv/x, path: /srv/run}]
                files: [{path: /etc/a.conf, content: c}]
                users: [{name: u, uid: 1001, gid: 1000}]
                groups: [{name: g, gid: 1001}]
                """, "");
        assertThat(PairValidation.acrossProfiles(List.of(a, same)))
                .as("the same share and file twice")
                .isEmpty();
        assertThat(PairValidation.acrossProfiles(List.of(a, other)))
                .extracting(Problem::toString)
                .containsExactly(
                        "profiles[1].shares[0].name: a share 'data' of an earlier profile differs from this one; "
                                + "give each its own name, or make them the same",
                        "profiles[1].shares[1].path: /srv/run is where the share 'run' of an earlier profile is "
                                + "mounted; give this one another path",
                        "profiles[1].files[0].path: an earlier profile gives other contents for /etc/a.conf; keep one",
                        "profiles[1].users[0]: an earlier profile gives user 'u' other ids; make them the same",
                        "profiles[1].groups[0]: an earlier profile gives group 'g' another id; make them the same");
    }

    @Test
    void theMessageListsEveryProblemUnderItsSource() {
        assertThatThrownBy(() -> SpecFiles.parseProfile("name: x\nsockets: [a, b]\n", "p.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("p.yaml: 2 problems:\n"
                        + "  sockets[0] (line 2): 'a' must be an absolute path without '.' or '..'\n"
                        + "  sockets[1] (line 2): 'b' must be an absolute path without '.' or '..'");
    }
}
