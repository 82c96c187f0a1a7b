package io.dpuoffload.fs.host.watch;

/**
 * One fanotify event, merged as the kernel merges them: what happened ({@code mask}), which thread
 * did it, the object itself ({@code object}, absent for events on a directory's names) and the
 * directory and name it was reached by ({@code name} is "." for an event on a directory itself).
 */
record HostEvent(long mask, int tid, FileId object, FileId directory, byte[] name) {
    boolean onDirectoryItself() {
        return object == null && name != null && name.length == 1 && name[0] == '.';
    }
}
