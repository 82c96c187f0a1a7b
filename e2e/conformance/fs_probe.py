#!/usr/bin/env python3
"""Differential POSIX probe for offload-fs (the areas of pjdfstest): runs the same system calls on
a reference directory and on the mount, as root and as other users with their groups, and compares
errno, type, mode, owner, link count, size and which times changed. Run as root; `./dpuo
conformance` sets up a server and a mount and runs it. Exits 1 if any difference is not one of
EXPECTED (each documented in docs/offload-fs.md, "Known gaps").

--cache says how the export caches (none or ttl, as in its configuration): a few differences are
expected only without caching.

usage: fs_probe.py --ref DIR --mnt DIR [--cache none|ttl] [-k SUBSTR] [-v]
"""
import ctypes, errno, os, pickle, shutil, socket, stat, struct, sys, time, fcntl, traceback, subprocess

REF, MNT = None, None
USERS = {  # name: (uid, gid, groups)
    'nobody': (65534, 65534, [65534]),
    'u1000': (1000, 1000, [1000]),
    'u1001': (1001, 1001, [1001]),
    'u1000+1001': (1000, 1000, [1000, 1001]),
    'u1000g1001': (1000, 1001, [1001]),
    'rootfork': (0, 0, [0]),
}
libc = ctypes.CDLL(None, use_errno=True)
class timespec(ctypes.Structure):
    _fields_ = [('tv_sec', ctypes.c_long), ('tv_nsec', ctypes.c_long)]
UTIME_NOW, UTIME_OMIT = (1 << 30) - 1, (1 << 30) - 2
AT_FDCWD, AT_SYMLINK_NOFOLLOW = -100, 0x100

def utimensat(path, a, m, flags=0):
    ts = None if a is None else (timespec * 2)(timespec(*a), timespec(*m))
    if libc.utimensat(AT_FDCWD, path.encode(), ts, flags) != 0:
        e = ctypes.get_errno(); raise OSError(e, os.strerror(e), path)

def faccessat(path, mode, flags=0):
    if libc.faccessat(AT_FDCWD, path.encode(), mode, flags) != 0:
        e = ctypes.get_errno(); raise OSError(e, os.strerror(e), path)

def wrap(fn):
    try:
        return ('ok', fn())
    except OSError as e:
        return ('err', errno.errorcode.get(e.errno, e.errno))
    except Exception as e:
        return ('exc', type(e).__name__ + ':' + str(e)[:80])

def run_as(user, fn, umask=0o022):
    if user is None or user == 'root':
        return wrap(fn)
    uid, gid, groups = USERS[user]
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(r)
            os.umask(umask)
            os.setgroups(groups); os.setresgid(gid, gid, gid); os.setresuid(uid, uid, uid)
            res = wrap(fn)
        except BaseException as e:
            res = ('exc', repr(e))
        try:
            os.write(w, pickle.dumps(res))
        finally:
            os._exit(0)
    os.close(w)
    data = b''
    while True:
        b = os.read(r, 65536)
        if not b: break
        data += b
    os.close(r); os.waitpid(pid, 0)
    return pickle.loads(data) if data else ('exc', 'child died')

TYPES = {stat.S_IFREG: 'reg', stat.S_IFDIR: 'dir', stat.S_IFIFO: 'fifo', stat.S_IFLNK: 'lnk',
         stat.S_IFSOCK: 'sock', stat.S_IFCHR: 'chr', stat.S_IFBLK: 'blk'}

def st(path, follow=False):
    s = os.stat(path, follow_symlinks=follow)
    d = dict(type=TYPES.get(stat.S_IFMT(s.st_mode), '?'), mode='%04o' % stat.S_IMODE(s.st_mode),
             uid=s.st_uid, gid=s.st_gid, nlink=s.st_nlink)
    if not stat.S_ISDIR(s.st_mode): d['size'] = s.st_size
    if stat.S_ISCHR(s.st_mode) or stat.S_ISBLK(s.st_mode): d['rdev'] = s.st_rdev
    return d

def times(path, follow=False):
    s = os.stat(path, follow_symlinks=follow)
    return (s.st_atime_ns, s.st_mtime_ns, s.st_ctime_ns)

def touch(path, mode=0o644, data=b''):
    fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, mode)
    if data: os.write(fd, data)
    os.close(fd)

def mkobj(path, kind, mode=0o644):
    if kind == 'reg': touch(path, mode)
    elif kind == 'dir': os.mkdir(path, mode)
    elif kind == 'fifo': os.mkfifo(path, mode)
    elif kind == 'lnk': os.symlink('target-' + os.path.basename(path), path)
    elif kind == 'sock':
        s = socket.socket(socket.AF_UNIX); s.bind(path); s.close(); os.chmod(path, mode)
    elif kind == 'chr': os.mknod(path, stat.S_IFCHR | mode, os.makedev(1, 3))
    elif kind == 'blk': os.mknod(path, stat.S_IFBLK | mode, os.makedev(7, 0))
KINDS = ['reg', 'dir', 'fifo', 'lnk', 'sock']
ALLKINDS = KINDS + ['chr', 'blk']

class Ctx:
    def __init__(self, root, name):
        self.base = os.path.join(root, name)
        self.obs = []
    def p(self, *n): return os.path.join(self.base, *n)
    def rec(self, label, value): self.obs.append((label, value))
    def do(self, label, fn, user=None, umask=0o022):
        """run fn (as user) and record its outcome"""
        r = run_as(user, fn, umask)
        self.rec(label + (' [%s]' % user if user else ''), r)
        return r
    def stat(self, label, name, follow=False):
        return self.do('stat ' + label, lambda: st(self.p(name), follow))
    def snap(self, *names):
        t = {n: times(self.p(n)) for n in names}
        time.sleep(0.012)
        return t
    def changed(self, label, before, which='mc'):
        for n, b in before.items():
            try:
                a = times(self.p(n))
                ch = ''.join(c for c, x, y in zip('amc', b, a) if x != y and c in which) or '-'
            except OSError as e:
                ch = errno.errorcode[e.errno]
            self.rec('%s: times changed on %s' % (label, n or '.'), ch)

TESTS = []
def test(fn):
    TESTS.append(fn); return fn

# ---------------------------------------------------------------- chmod
@test
def chmod_basic(c):
    for k in ['reg', 'dir', 'fifo', 'sock']:
        mkobj(c.p(k), k)
        for m in [0o111, 0o4755, 0o2755, 0o1755, 0o7777, 0o0]:
            t = c.snap(k)
            c.do('chmod %s %04o' % (k, m), lambda: os.chmod(c.p(k), m))
            c.stat('%s after chmod %04o' % (k, m), k)
            c.changed('chmod %s %04o' % (k, m), t)
    mkobj(c.p('lnk'), 'lnk'); touch(c.p('target-lnk'))
    c.do('chmod via symlink 0600', lambda: os.chmod(c.p('lnk'), 0o600))
    c.stat('symlink target after chmod', 'target-lnk'); c.stat('symlink itself', 'lnk')

@test
def chmod_perm(c):
    os.chmod(c.base, 0o777)
    for k in ['reg', 'dir']:
        mkobj(c.p(k), k, 0o644); os.chown(c.p(k), 1000, 1000)
        c.do('chmod non-owner %s' % k, lambda: os.chmod(c.p(k), 0o777), 'u1001')
        c.do('chmod owner %s' % k, lambda: os.chmod(c.p(k), 0o700), 'u1000')
        c.stat(k, k)
        # owner not member of file group sets SGID -> silently cleared (files), dirs too on Linux
        os.chown(c.p(k), 1000, 1001)
        c.do('chmod 2755 owner non-member %s' % k, lambda: os.chmod(c.p(k), 0o2755), 'u1000')
        c.stat('%s sgid non-member' % k, k)
        c.do('chmod 2755 owner member %s' % k, lambda: os.chmod(c.p(k), 0o2755), 'u1000+1001')
        c.stat('%s sgid member' % k, k)
        c.do('chmod 4755 owner %s' % k, lambda: os.chmod(c.p(k), 0o4755), 'u1000')
        c.stat('%s suid owner' % k, k)
        c.do('chmod 1755 owner %s' % k, lambda: os.chmod(c.p(k), 0o1755), 'u1000')
        c.stat('%s sticky owner' % k, k)
        c.do('chmod root %s 6777' % k, lambda: os.chmod(c.p(k), 0o6777))
        c.stat('%s root 6777' % k, k)
    # fchmod
    touch(c.p('f2')); os.chown(c.p('f2'), 1000, 1000)
    def fch():
        fd = os.open(c.p('f2'), os.O_RDONLY); os.fchmod(fd, 0o640); os.close(fd)
    c.do('fchmod owner', fch, 'u1000'); c.stat('f2', 'f2')
    c.do('fchmod non-owner', fch, 'u1001')
    # ENOENT, ENOTDIR, EACCES on search
    c.do('chmod ENOENT', lambda: os.chmod(c.p('nonexist'), 0o644))
    c.do('chmod ENOTDIR', lambda: os.chmod(c.p('f2', 'x'), 0o644))
    os.mkdir(c.p('d0'), 0o700); touch(c.p('d0', 'f'))
    c.do('chmod EACCES search', lambda: os.chmod(c.p('d0', 'f'), 0o644), 'u1000')

@test
def chmod_clear_on_write(c):
    os.chmod(c.base, 0o777)
    for m in [0o4777, 0o2777, 0o6777, 0o2767]:
        n = 'f%o' % m
        touch(c.p(n), 0o644, b'abc'); os.chown(c.p(n), 0, 0); os.chmod(c.p(n), m)
        def wr():
            fd = os.open(c.p(n), os.O_WRONLY); os.write(fd, b'x'); os.close(fd)
        c.do('write by non-owner to %04o' % m, wr, 'nobody')
        c.stat('after non-owner write %04o' % m, n)
        os.chmod(c.p(n), m)
        c.do('truncate by non-owner %04o' % m, lambda: os.truncate(c.p(n), 1), 'nobody')
        c.stat('after non-owner truncate %04o' % m, n)
        os.chown(c.p(n), 1000, 1000); os.chmod(c.p(n), m)
        c.do('write by owner %04o' % m, wr, 'u1000')
        c.stat('after owner write %04o' % m, n)
        os.chmod(c.p(n), m)
        c.do('write by root %04o' % m, wr)
        c.stat('after root write %04o' % m, n)

# ---------------------------------------------------------------- chown
@test
def chown_root(c):
    for k in ['reg', 'dir', 'fifo', 'sock']:
        mkobj(c.p(k), k)
        t = c.snap(k)
        c.do('chown %s 1000:1000' % k, lambda: os.chown(c.p(k), 1000, 1000)); c.stat(k, k)
        c.changed('chown %s' % k, t)
        c.do('chown %s -1:1001' % k, lambda: os.chown(c.p(k), -1, 1001)); c.stat(k, k)
        c.do('chown %s 1001:-1' % k, lambda: os.chown(c.p(k), 1001, -1)); c.stat(k, k)
        t = c.snap(k)
        c.do('chown %s -1:-1' % k, lambda: os.chown(c.p(k), -1, -1)); c.stat(k, k)
        c.changed('chown -1:-1 %s' % k, t)
        for m in [0o6755, 0o6745, 0o4711, 0o2711]:
            os.chmod(c.p(k), m)
            c.do('root chown %s %04o 0:0' % (k, m), lambda: os.chown(c.p(k), 0, 0)); c.stat('%s %04o after root chown' % (k, m), k)
            os.chmod(c.p(k), m)
            c.do('root chown %s %04o -1:-1' % (k, m), lambda: os.chown(c.p(k), -1, -1)); c.stat('%s %04o after root chown -1 -1' % (k, m), k)
    mkobj(c.p('lnk'), 'lnk'); touch(c.p('target-lnk'))
    c.do('chown via symlink', lambda: os.chown(c.p('lnk'), 1000, 1000))
    c.stat('target', 'target-lnk'); c.stat('lnk', 'lnk')
    t = c.snap('lnk')
    c.do('lchown', lambda: os.lchown(c.p('lnk'), 1001, 1001))
    c.stat('lnk after lchown', 'lnk'); c.stat('target after lchown', 'target-lnk')
    c.changed('lchown', t)

@test
def chown_user(c):
    os.chmod(c.base, 0o777)
    for k in ['reg', 'dir']:
        mkobj(c.p(k), k); os.chown(c.p(k), 1000, 1000)
        c.do('%s chown to other uid' % k, lambda: os.chown(c.p(k), 1001, -1), 'u1000+1001')
        c.do('%s chown to same uid' % k, lambda: os.chown(c.p(k), 1000, -1), 'u1000')
        c.do('%s chgrp to non-member' % k, lambda: os.chown(c.p(k), -1, 1001), 'u1000')
        t = c.snap(k)
        c.do('%s chgrp to member' % k, lambda: os.chown(c.p(k), -1, 1001), 'u1000+1001'); c.stat(k, k)
        c.changed('%s chgrp by owner' % k, t)
        c.do('%s chgrp by non-owner' % k, lambda: os.chown(c.p(k), -1, 1000), 'u1001')
        c.do('%s chown -1 -1 by non-owner' % k, lambda: os.chown(c.p(k), -1, -1), 'u1001')
        t = c.snap(k)
        c.do('%s chown -1 -1 by owner' % k, lambda: os.chown(c.p(k), -1, -1), 'u1000'); c.changed('%s chown -1 -1 by owner' % k, t)
        for m in [0o6755, 0o6745, 0o4755, 0o2755, 0o2745]:
            os.chown(c.p(k), 1000, 1000); os.chmod(c.p(k), m)
            c.do('%s %04o chgrp by owner' % (k, m), lambda: os.chown(c.p(k), -1, 1001), 'u1000+1001')
            c.stat('%s %04o after owner chgrp' % (k, m), k)
            os.chmod(c.p(k), m)
            c.do('%s %04o chown -1 -1 by owner' % (k, m), lambda: os.chown(c.p(k), -1, -1), 'u1000+1001')
            c.stat('%s %04o after owner chown -1 -1' % (k, m), k)
            os.chmod(c.p(k), m)
            c.do('%s %04o chown same by owner' % (k, m), lambda: os.chown(c.p(k), 1000, 1001), 'u1000+1001')
            c.stat('%s %04o after owner chown same' % (k, m), k)
    c.do('lchown ENOENT', lambda: os.lchown(c.p('nonexist'), 0, 0))
    mkobj(c.p('lnk2'), 'lnk')
    c.do('chown dangling symlink', lambda: os.chown(c.p('lnk2'), 0, 0))
    os.lchown(c.p('lnk2'), 1000, 1000)
    c.do('lchown symlink by non-owner', lambda: os.lchown(c.p('lnk2'), -1, 1000), 'u1001')
    c.do('lchown symlink by owner chgrp member', lambda: os.lchown(c.p('lnk2'), -1, 1001), 'u1000+1001')
    c.stat('lnk2', 'lnk2')

# ---------------------------------------------------------------- truncate
@test
def truncate_all(c):
    os.chmod(c.base, 0o777)
    touch(c.p('f'), 0o644, b'hello world')
    for size in [20, 5, 5, 0, 0, 1234567]:
        t = c.snap('f')
        c.do('truncate %d' % size, lambda: os.truncate(c.p('f'), size)); c.stat('f', 'f')
        c.changed('truncate to %d' % size, t)
    c.do('read after truncate', lambda: open(c.p('f'), 'rb').read()[:16])
    def ft(size, flags=os.O_RDWR):
        def f():
            fd = os.open(c.p('f'), flags)
            try: os.ftruncate(fd, size)
            finally: os.close(fd)
        return f
    for size in [10, 10, 3]:
        t = c.snap('f'); c.do('ftruncate %d' % size, ft(size)); c.stat('f', 'f'); c.changed('ftruncate %d' % size, t)
    c.do('ftruncate O_RDONLY', ft(1, os.O_RDONLY))
    c.do('truncate -1', lambda: os.truncate(c.p('f'), -1))
    c.do('ftruncate -1', ft(-1))
    c.do('truncate huge', lambda: os.truncate(c.p('f'), 2**63 - 1))
    c.do('truncate 16TiB', lambda: os.truncate(c.p('f'), 2**44))
    c.do('truncate dir', lambda: os.truncate(c.base, 0))
    c.do('truncate ENOENT', lambda: os.truncate(c.p('nx'), 0))
    c.do('truncate ENOTDIR', lambda: os.truncate(c.p('f', 'x'), 0))
    c.do('truncate 256 name', lambda: os.truncate(c.p('a' * 256), 0))
    os.chown(c.p('f'), 1000, 1000); os.chmod(c.p('f'), 0o444)
    c.do('truncate no write perm owner', lambda: os.truncate(c.p('f'), 0), 'u1000')
    os.chmod(c.p('f'), 0o646)
    c.do('truncate non-owner with write perm', lambda: os.truncate(c.p('f'), 2), 'u1001')
    os.chmod(c.p('f'), 0o644)
    c.do('truncate non-owner no perm', lambda: os.truncate(c.p('f'), 2), 'u1001')
    def open_chmod_ftrunc():
        fd = os.open(c.p('f'), os.O_RDWR); os.fchmod(fd, 0); os.ftruncate(fd, 7); os.close(fd)
    c.do('open rw, fchmod 0, ftruncate', open_chmod_ftrunc, 'u1000'); c.stat('f', 'f')
    os.symlink('f', c.p('l'))
    c.do('truncate via symlink', lambda: os.truncate(c.p('l'), 1), 'root'); c.stat('f', 'f')
    mkobj(c.p('fifo'), 'fifo')
    c.do('truncate fifo', lambda: os.truncate(c.p('fifo'), 0))

# ---------------------------------------------------------------- link
@test
def link_all(c):
    os.chmod(c.base, 0o777)
    for k in ['reg', 'fifo', 'sock', 'lnk']:
        mkobj(c.p(k), k)
        t = c.snap(k, '')
        c.do('link %s' % k, lambda: os.link(c.p(k), c.p(k + '2'), follow_symlinks=False))
        c.stat(k, k); c.stat(k + '2', k + '2')
        c.do('same ino %s' % k, lambda: os.lstat(c.p(k)).st_ino == os.lstat(c.p(k + '2')).st_ino)
        c.changed('link %s' % k, t)
        t = c.snap(k, '')
        c.do('unlink first of two %s' % k, lambda: os.unlink(c.p(k)))
        c.stat(k + '2 after unlink', k + '2')
        c.changed('unlink one link %s' % k, {k + '2': t[k], '': t['']})
    mkobj(c.p('a'), 'reg'); mkobj(c.p('b'), 'reg'); os.mkdir(c.p('d'))
    c.do('link EEXIST file', lambda: os.link(c.p('a'), c.p('b')))
    c.do('link EEXIST dir', lambda: os.link(c.p('a'), c.p('d')))
    c.do('link EEXIST symlink', lambda: os.link(c.p('a'), c.p('lnk2')))
    c.do('link dir', lambda: os.link(c.p('d'), c.p('d2')))
    c.do('link dir as user', lambda: os.link(c.p('d'), c.p('d3')), 'u1000')
    c.do('link ENOENT', lambda: os.link(c.p('nx'), c.p('n2')))
    c.do('link ENOENT dst dir', lambda: os.link(c.p('a'), c.p('nx', 'n2')))
    c.do('link ENOTDIR', lambda: os.link(c.p('a', 'x'), c.p('n2')))
    c.do('link 255 name', lambda: os.link(c.p('a'), c.p('x' * 255)))
    c.do('link 256 name', lambda: os.link(c.p('a'), c.p('y' * 256)))
    os.mkdir(c.p('ro'), 0o755)
    c.do('link into non-writable dir', lambda: os.link(c.p('a'), c.p('ro', 'a')), 'u1000')
    # protected_hardlinks: non-owner linking root file 0600
    os.chmod(c.p('a'), 0o600)
    c.do('link foreign 0600 file (protected_hardlinks)', lambda: os.link(c.p('a'), c.p('a-by-1000')), 'u1000')
    os.chmod(c.p('a'), 0o666)
    c.do('link foreign 0666 file', lambda: os.link(c.p('a'), c.p('a-by-1000b')), 'u1000')
    touch(c.p('own')); os.chown(c.p('own'), 1000, 1000); os.chmod(c.p('own'), 0)
    c.do('link own 0000 file', lambda: os.link(c.p('own'), c.p('own2')), 'u1000')
    c.do('link via symlink follow', lambda: os.link(c.p('lnk2'), c.p('lf'), follow_symlinks=True))
    c.stat('lf', 'lf')

# ---------------------------------------------------------------- mkdir / mkfifo / mknod / create
@test
def create_modes(c):
    os.chmod(c.base, 0o777)
    for um in [0o022, 0o0, 0o077]:
        for m in [0o755, 0o777, 0o1777, 0o2777, 0o4777, 0o7777, 0o0]:
            for k in ['dir', 'fifo', 'reg', 'sock']:
                n = '%s-%o-%o' % (k, um, m)
                if k == 'dir': f = lambda: os.mkdir(c.p(n), m)
                elif k == 'fifo': f = lambda: os.mkfifo(c.p(n), m)
                elif k == 'reg': f = lambda: os.close(os.open(c.p(n), os.O_CREAT | os.O_EXCL | os.O_WRONLY, m))
                else: f = lambda: os.mknod(c.p(n), stat.S_IFSOCK | m)
                c.do('create %s umask %03o mode %04o' % (k, um, m), f, 'u1000', umask=um)
                c.stat(n, n)
    c.do('mknod S_IFREG', lambda: os.mknod(c.p('mknodreg'), stat.S_IFREG | 0o640))
    c.stat('mknodreg', 'mknodreg')
    c.do('mknod mode 0 type', lambda: os.mknod(c.p('mknod0'), 0o640))
    c.stat('mknod0', 'mknod0')
    c.do('mknod char as root', lambda: os.mknod(c.p('chr'), stat.S_IFCHR | 0o644, os.makedev(1, 3)))
    c.do('mknod block as root', lambda: os.mknod(c.p('blk'), stat.S_IFBLK | 0o644, os.makedev(7, 0)))
    c.do('mknod char as user', lambda: os.mknod(c.p('chr2'), stat.S_IFCHR | 0o644, os.makedev(1, 3)), 'u1000')
    c.do('mknod bad type', lambda: os.mknod(c.p('bad'), 0o170000 | 0o644))

@test
def create_sgid_parent(c):
    os.mkdir(c.p('sg'), 0o777); os.chown(c.p('sg'), 0, 1001); os.chmod(c.p('sg'), 0o2777)
    os.mkdir(c.p('nosg'), 0o777); os.chown(c.p('nosg'), 0, 1001)
    for par in ['sg', 'nosg']:
        for user in ['u1000', 'u1000+1001', 'root']:
            for k in ['dir', 'reg', 'fifo', 'sock', 'lnk']:
                n = os.path.join(par, '%s-%s' % (k, user))
                c.do('create %s in %s' % (k, par), lambda: mkobj(c.p(n), k, 0o2755 if k in ('dir', 'reg') else 0o755), user, umask=0)
                c.stat(n, n)
            n = os.path.join(par, 'o-%s' % user)
            c.do('open O_CREAT 02777 in %s' % par, lambda: os.close(os.open(c.p(n), os.O_CREAT | os.O_WRONLY, 0o2777)), user, umask=0)
            c.stat(n, n)
            n = os.path.join(par, 'x-%s' % user)
            c.do('open O_CREAT 02770 in %s' % par, lambda: os.close(os.open(c.p(n), os.O_CREAT | os.O_WRONLY, 0o2770)), user, umask=0)
            c.stat(n, n)

@test
def create_errors(c):
    os.mkdir(c.p('d'), 0o755); touch(c.p('f')); os.symlink('nowhere', c.p('dangling')); os.symlink('d', c.p('ld'))
    os.chmod(c.base, 0o777)
    ops = {
        'mkdir': lambda p: os.mkdir(p, 0o755),
        'mkfifo': lambda p: os.mkfifo(p, 0o644),
        'mknod-sock': lambda p: os.mknod(p, stat.S_IFSOCK | 0o644),
        'symlink': lambda p: os.symlink('t', p),
        'creat-excl': lambda p: os.close(os.open(p, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)),
        'bind': lambda p: (lambda s: (s.bind(p), s.close()))(socket.socket(socket.AF_UNIX)),
    }
    for opn, op in ops.items():
        for tgt in ['d', 'f', 'dangling', 'ld']:
            c.do('%s EEXIST on %s' % (opn, tgt), lambda: op(c.p(tgt)))
        c.do('%s 255 name' % opn, lambda: op(c.p(opn[:3] + 'n' * 252)))
        c.do('%s 256 name' % opn, lambda: op(c.p(opn[:3] + 'n' * 253)))
        c.do('%s ENOENT' % opn, lambda: op(c.p('nx', 'a')))
        c.do('%s ENOTDIR' % opn, lambda: op(c.p('f', 'a')))
        c.do('%s EACCES non-writable' % opn, lambda: op(c.p('d', opn)), 'u1000')
        c.do('%s as user ok' % opn, lambda: op(c.p('u-' + opn)), 'u1000')
        c.stat('u-' + opn, 'u-' + opn)
        t = c.snap('')
        c.do('%s parent times' % opn, lambda: op(c.p('t-' + opn)))
        c.changed('%s parent' % opn, t)
    os.mkdir(c.p('noexec'), 0o766)
    c.do('mkdir in dir without search', lambda: os.mkdir(c.p('noexec', 'x')), 'u1000')
    c.do('open creat through dangling symlink', lambda: os.close(os.open(c.p('dangling'), os.O_CREAT | os.O_WRONLY, 0o600)))
    c.stat('nowhere (created through symlink)', 'nowhere')
    c.do('mkdir trailing slash', lambda: os.mkdir(c.p('ts') + '/'))
    c.do('mkdir dot', lambda: os.mkdir(c.p('.')))
    c.do('mkdir empty', lambda: os.mkdir(''))
    c.stat('dir nlink', '')

@test
def nametoolong_path(c):
    # build a relative path of total length close to PATH_MAX inside the test dir, like pjdfstest
    os.chmod(c.base, 0o777)
    cwd = os.getcwd()
    os.chdir(c.base)
    try:
        comp = 'x' * 255
        path = ''
        while len(path) + 256 < 4095 - 10:
            path = (path + '/' if path else '') + comp
            c.do('mkdir deep %d' % len(path), lambda: os.mkdir(path))
        for L in [4094, 4095, 4096, 4200]:
            rest = L - len(path) - 1
            name = path + '/' + 'y' * rest
            c.do('create path len %d' % L, lambda: os.close(os.open(name, os.O_CREAT | os.O_WRONLY, 0o644)))
            c.do('stat path len %d' % L, lambda: st(name))
            c.do('mkdir path len %d' % L, lambda: os.mkdir(name + 'd'[:0] if False else name[:-1] + 'D'))
            c.do('unlink path len %d' % L, lambda: os.unlink(name))
        c.do('chdir deep', lambda: os.chdir(path))
        c.do('create in deep cwd', lambda: os.close(os.open('z' * 200, os.O_CREAT | os.O_WRONLY, 0o644)))
        c.do('stat in deep cwd', lambda: st('z' * 200))
        c.do('getcwd len', lambda: len(os.getcwd()) - len(c.base))
        for i in range(3):
            c.do('mkdir deeper %d' % i, lambda: os.mkdir(comp))
            c.do('chdir deeper %d' % i, lambda: os.chdir(comp))
            c.do('create deeper %d' % i, lambda: os.close(os.open('f', os.O_CREAT | os.O_WRONLY, 0o644)))
            c.do('stat deeper %d' % i, lambda: st('f'))
            c.do('rename deeper %d' % i, lambda: os.rename('f', 'g'))
            c.do('chmod deeper %d' % i, lambda: os.chmod('g', 0o600))
            c.do('setxattr deeper %d' % i, lambda: os.setxattr('g', 'user.a', b'1'))
            c.do('listdir deeper %d' % i, lambda: os.listdir('.'))
        c.do('getcwd deeper', lambda: len(os.getcwd()) - len(c.base))
    finally:
        os.chdir(cwd)

# ---------------------------------------------------------------- open
@test
def open_all(c):
    os.chmod(c.base, 0o777)
    touch(c.p('f'), 0o644, b'data'); os.chown(c.p('f'), 1000, 1000)
    os.mkdir(c.p('d')); os.symlink('f', c.p('l')); os.mkfifo(c.p('fifo'))
    mkobj(c.p('sock'), 'sock')
    O = os
    def op(path, flags, mode=0o644):
        return lambda: os.close(os.open(path, flags, mode))
    c.do('O_CREAT|O_EXCL existing', op(c.p('f'), O.O_CREAT | O.O_EXCL | O.O_WRONLY))
    c.do('O_CREAT|O_EXCL symlink', op(c.p('l'), O.O_CREAT | O.O_EXCL | O.O_WRONLY))
    c.do('O_CREAT existing', op(c.p('f'), O.O_CREAT | O.O_WRONLY, 0o600)); c.stat('f', 'f')
    c.do('O_WRONLY dir', op(c.p('d'), O.O_WRONLY))
    c.do('O_RDWR dir', op(c.p('d'), O.O_RDWR))
    c.do('O_RDONLY|O_TRUNC dir', op(c.p('d'), O.O_RDONLY | O.O_TRUNC))
    c.do('O_RDONLY dir', op(c.p('d'), O.O_RDONLY))
    c.do('O_CREAT dir', op(c.p('d'), O.O_CREAT | O.O_RDONLY))
    c.do('O_CREAT dir trailing slash', op(c.p('newd') + '/', O.O_CREAT | O.O_RDONLY))
    c.do('O_NOFOLLOW symlink', op(c.p('l'), O.O_RDONLY | O.O_NOFOLLOW))
    c.do('O_NOFOLLOW|O_PATH symlink', op(c.p('l'), O.O_PATH | O.O_NOFOLLOW))
    c.do('O_NOFOLLOW regular', op(c.p('f'), O.O_RDONLY | O.O_NOFOLLOW))
    c.do('O_DIRECTORY file', op(c.p('f'), O.O_RDONLY | O.O_DIRECTORY))
    c.do('ENOTDIR', op(c.p('f', 'x'), O.O_RDONLY))
    c.do('ENOENT', op(c.p('nx'), O.O_RDONLY))
    c.do('ENOENT O_CREAT missing dir', op(c.p('nx', 'y'), O.O_RDONLY | O.O_CREAT))
    c.do('256 name O_CREAT', op(c.p('n' * 256), O.O_RDONLY | O.O_CREAT))
    c.do('255 name O_CREAT', op(c.p('n' * 255), O.O_RDONLY | O.O_CREAT))
    c.do('fifo O_WRONLY|O_NONBLOCK no reader', op(c.p('fifo'), O.O_WRONLY | O.O_NONBLOCK))
    c.do('fifo O_RDONLY|O_NONBLOCK', op(c.p('fifo'), O.O_RDONLY | O.O_NONBLOCK))
    c.do('fifo O_RDWR', op(c.p('fifo'), O.O_RDWR))
    c.do('socket O_RDONLY', op(c.p('sock'), O.O_RDONLY))
    os.chmod(c.p('f'), 0o644)
    for mode in [0o000, 0o400, 0o200, 0o600, 0o004, 0o040]:
        os.chmod(c.p('f'), mode)
        for user in ['u1000', 'u1001', 'u1000g1001'][:2]:
            for fl, nm in [(O.O_RDONLY, 'R'), (O.O_WRONLY, 'W'), (O.O_RDWR, 'RW'), (O.O_RDONLY | O.O_TRUNC, 'R|TRUNC')]:
                c.do('open %s mode %03o' % (nm, mode), op(c.p('f'), fl), user)
    os.chmod(c.p('f'), 0o644)
    c.do('root open mode 000 RW', lambda: (os.chmod(c.p('f'), 0), op(c.p('f'), O.O_RDWR)())[1])
    os.chmod(c.p('f'), 0o644)
    os.mkdir(c.p('nos'), 0o700); touch(c.p('nos', 'f'), 0o666)
    c.do('EACCES search', op(c.p('nos', 'f'), O.O_RDONLY), 'u1000')
    os.mkdir(c.p('now'), 0o755)
    c.do('EACCES create in non-writable', op(c.p('now', 'g'), O.O_CREAT | O.O_WRONLY), 'u1000')
    # times
    touch(c.p('t'), 0o644, b'12345')
    t = c.snap('t')
    c.do('O_TRUNC nonempty', op(c.p('t'), O.O_WRONLY | O.O_TRUNC)); c.changed('O_TRUNC nonempty', t); c.stat('t', 't')
    t = c.snap('t')
    c.do('O_TRUNC empty', op(c.p('t'), O.O_WRONLY | O.O_TRUNC)); c.changed('O_TRUNC empty', t)
    t = c.snap('t')
    c.do('O_CREAT existing no trunc', op(c.p('t'), O.O_CREAT | O.O_WRONLY)); c.changed('O_CREAT existing', t)
    t = c.snap('')
    c.do('O_CREAT new', op(c.p('new'), O.O_CREAT | O.O_WRONLY)); c.changed('O_CREAT new parent', t)
    def newtimes():
        s = os.stat(c.p('new')); return s.st_atime_ns == s.st_mtime_ns == s.st_ctime_ns
    c.do('new file a=m=c', newtimes)
    # O_APPEND and I/O
    def io():
        fd = os.open(c.p('io'), O.O_CREAT | O.O_RDWR, 0o644)
        os.write(fd, b'0123456789'); os.lseek(fd, 100, 0); os.write(fd, b'X')
        os.close(fd)
        fd = os.open(c.p('io'), O.O_WRONLY | O.O_APPEND); os.lseek(fd, 0, 0); os.write(fd, b'APP'); os.close(fd)
        fd = os.open(c.p('io'), O.O_RDONLY); d = os.read(fd, 1000); r = os.pread(fd, 4, 98); os.close(fd)
        return (len(d), d[:12], d[-4:], r)
    c.do('io', io)
    def sparse():
        fd = os.open(c.p('sp'), O.O_CREAT | O.O_RDWR, 0o644)
        os.pwrite(fd, b'x', 1 << 30); s = os.fstat(fd); os.close(fd); return (s.st_size, s.st_blocks <= 64)
    c.do('sparse', sparse)
    def read_dir():
        fd = os.open(c.p('d'), O.O_RDONLY); 
        try: return os.read(fd, 10)
        finally: os.close(fd)
    c.do('read dir', read_dir)
    def write_rdonly():
        fd = os.open(c.p('f'), O.O_RDONLY)
        try: return os.write(fd, b'x')
        finally: os.close(fd)
    c.do('write to O_RDONLY fd', write_rdonly)
    def unlinked_open():
        fd = os.open(c.p('ul'), O.O_CREAT | O.O_RDWR, 0o644)
        os.unlink(c.p('ul')); os.write(fd, b'abc'); os.fchmod(fd, 0o600); os.ftruncate(fd, 2)
        s = os.fstat(fd); os.lseek(fd, 0, 0); d = os.read(fd, 10); os.close(fd)
        return (s.st_nlink, s.st_size, '%o' % s.st_mode, d)
    c.do('open-unlinked file ops', unlinked_open)
    def tmpfile():
        fd = os.open(c.base, O.O_TMPFILE | O.O_RDWR, 0o600)
        os.write(fd, b'tmp'); s = os.fstat(fd)
        os.close(fd); return (s.st_nlink, '%o' % s.st_mode)
    c.do('O_TMPFILE', tmpfile)

@test
def open_etxtbsy(c):
    shutil.copy('/bin/sleep', c.p('sleep')); os.chmod(c.p('sleep'), 0o755)
    pr = subprocess.Popen([c.p('sleep'), '3'])
    time.sleep(0.5)
    try:
        c.do('open running binary O_WRONLY', lambda: os.close(os.open(c.p('sleep'), os.O_WRONLY)))
        c.do('truncate running binary', lambda: os.truncate(c.p('sleep'), 0))
        c.do('unlink running binary', lambda: os.unlink(c.p('sleep')))
    finally:
        pr.kill(); pr.wait()

# ---------------------------------------------------------------- rename
@test
def rename_types(c):
    os.chmod(c.base, 0o777)
    i = 0
    for a in KINDS:
        for b in KINDS + [None]:
            i += 1
            sa, sb = 's%d-%s' % (i, a), 't%d-%s' % (i, b)
            mkobj(c.p(sa), a)
            if b: mkobj(c.p(sb), b)
            if b == 'reg': os.link(c.p(sb), c.p(sb + '.hl'))
            before = c.snap(sa, '') if True else None
            if b == 'reg': before[sb + '.hl'] = times(c.p(sb + '.hl'))
            ino = os.lstat(c.p(sa)).st_ino
            r = c.do('rename %s onto %s' % (a, b), lambda: os.rename(c.p(sa), c.p(sb)))
            if r[0] == 'ok':
                c.stat('renamed %s' % a, sb)
                c.do('ino kept', lambda: os.lstat(c.p(sb)).st_ino == ino)
                c.do('source gone', lambda: os.path.lexists(c.p(sa)))
                c.changed('rename %s onto %s' % (a, b), {sb: before[sa], '': before['']})
                if b == 'reg':
                    c.stat('replaced target other link', sb + '.hl')
                    c.changed('replaced target', {sb + '.hl': before[sb + '.hl']})
    # dir onto non-empty dir
    os.mkdir(c.p('da')); os.mkdir(c.p('db')); touch(c.p('db', 'x'))
    c.do('rename dir onto non-empty dir', lambda: os.rename(c.p('da'), c.p('db')))
    c.do('rename dir into own subdir', lambda: os.rename(c.p('db'), c.p('db', 'sub')))
    os.mkdir(c.p('db', 'sd'))
    c.do('rename dir into own subdir deep', lambda: os.rename(c.p('db'), c.p('db', 'sd', 'x')))
    c.do('rename subdir onto ancestor', lambda: os.rename(c.p('db', 'sd'), c.p('db')))
    c.do('rename .', lambda: os.rename(c.p('db', '.'), c.p('dz')))
    c.do('rename ..', lambda: os.rename(c.p('db', '..'), c.p('dz')))
    c.do('rename onto .', lambda: os.rename(c.p('da'), c.p('db', '.')))
    c.do('rename ENOENT', lambda: os.rename(c.p('nx'), c.p('ny')))
    c.do('rename ENOENT dest dir', lambda: os.rename(c.p('da'), c.p('nx', 'ny')))
    touch(c.p('f'))
    c.do('rename ENOTDIR src', lambda: os.rename(c.p('f', 'x'), c.p('ny')))
    c.do('rename ENOTDIR dst', lambda: os.rename(c.p('da'), c.p('f', 'x')))
    c.do('rename file trailing slash', lambda: os.rename(c.p('f') + '/', c.p('g')))
    c.do('rename 256 dst', lambda: os.rename(c.p('f'), c.p('n' * 256)))
    c.do('rename 255 dst', lambda: os.rename(c.p('f'), c.p('n' * 255)))
    c.do('rename 255 back', lambda: os.rename(c.p('n' * 255), c.p('f')))
    # hard link of itself
    os.link(c.p('f'), c.p('fl'))
    t = c.snap('f', '')
    c.do('rename onto own hard link', lambda: os.rename(c.p('f'), c.p('fl')))
    c.do('both names remain', lambda: (os.path.lexists(c.p('f')), os.path.lexists(c.p('fl'))))
    c.stat('f', 'f'); c.changed('rename onto own hardlink', t)
    c.do('rename onto itself', lambda: os.rename(c.p('f'), c.p('f')))
    # cross-directory dir move: nlink of parents and ctime/.. update
    os.mkdir(c.p('p1')); os.mkdir(c.p('p2')); os.mkdir(c.p('p1', 'm'))
    t = c.snap('p1', 'p2', 'p1/m')
    c.do('move dir between parents', lambda: os.rename(c.p('p1', 'm'), c.p('p2', 'm')))
    c.stat('p1', 'p1'); c.stat('p2', 'p2'); c.stat('p2/m', 'p2/m')
    c.changed('move dir', {'p1': t['p1'], 'p2': t['p2'], 'p2/m': t['p1/m']})
    c.do('.. of moved dir is p2', lambda: os.stat(c.p('p2', 'm', '..')).st_ino == os.stat(c.p('p2')).st_ino)
    # renameat2 flags
    RENAME_NOREPLACE, RENAME_EXCHANGE = 1, 2
    def renameat2(a, b, fl):
        def f():
            if libc.renameat2(AT_FDCWD, a.encode(), AT_FDCWD, b.encode(), fl) != 0:
                e = ctypes.get_errno(); raise OSError(e, os.strerror(e))
        return f
    touch(c.p('x1'), 0o600); touch(c.p('x2'), 0o644)
    c.do('RENAME_NOREPLACE existing', renameat2(c.p('x1'), c.p('x2'), RENAME_NOREPLACE))
    c.do('RENAME_NOREPLACE new', renameat2(c.p('x1'), c.p('x3'), RENAME_NOREPLACE))
    c.do('RENAME_EXCHANGE', renameat2(c.p('x3'), c.p('x2'), RENAME_EXCHANGE)); c.stat('x2', 'x2'); c.stat('x3', 'x3')
    c.do('RENAME_EXCHANGE missing', renameat2(c.p('x3'), c.p('x9'), RENAME_EXCHANGE))
    c.do('RENAME_WHITEOUT as root', renameat2(c.p('x3'), c.p('x8'), 4))

@test
def rename_perm(c):
    os.chmod(c.base, 0o777)
    os.mkdir(c.p('st'), 0o1777); os.mkdir(c.p('dst'), 0o1777)
    for owner in [1000, 1001]:
        for k in ['reg', 'dir', 'lnk']:
            n = 'st/%s-%d' % (k, owner)
            mkobj(c.p(n), k); os.lchown(c.p(n), owner, owner)
    for k in ['reg', 'dir', 'lnk']:
        c.do('sticky rename other\'s %s' % k, lambda: os.rename(c.p('st/%s-1000' % k), c.p('st/x-%s' % k)), 'u1001')
        c.do('sticky rename own %s' % k, lambda: os.rename(c.p('st/%s-1001' % k), c.p('st/y-%s' % k)), 'u1001')
        c.do('sticky rename own %s back' % k, lambda: os.rename(c.p('st/y-%s' % k), c.p('st/%s-1001' % k)), 'u1001')
        c.do('sticky rename own onto other\'s %s' % k, lambda: os.rename(c.p('st/%s-1001' % k), c.p('st/%s-1000' % k)), 'u1001')
        c.do('sticky rename other\'s out to dst', lambda: os.rename(c.p('st/%s-1000' % k), c.p('dst/z-%s' % k)), 'u1001')
    os.chown(c.p('st'), 1001, 1001)
    c.do('sticky dir owner renames other\'s', lambda: os.rename(c.p('st/reg-1000'), c.p('st/by-dirowner')), 'u1001')
    # non-writable source / dest
    os.mkdir(c.p('ro'), 0o755); touch(c.p('ro', 'f')); os.mkdir(c.p('rw'), 0o777); touch(c.p('rw', 'g'))
    c.do('rename from non-writable dir', lambda: os.rename(c.p('ro', 'f'), c.p('rw', 'f')), 'u1000')
    c.do('rename into non-writable dir', lambda: os.rename(c.p('rw', 'g'), c.p('ro', 'g')), 'u1000')
    # moving a directory the user can't write (must update ..)
    os.mkdir(c.p('rw', 'sub'), 0o755); os.chown(c.p('rw', 'sub'), 1001, 1001); os.chmod(c.p('rw', 'sub'), 0o555)
    os.mkdir(c.p('rw2'), 0o777)
    c.do('move non-writable dir across parents (owner)', lambda: os.rename(c.p('rw', 'sub'), c.p('rw2', 'sub')), 'u1001')
    c.do('rename non-writable dir same parent', lambda: os.rename(c.p('rw', 'sub'), c.p('rw', 'sub2')), 'u1001')

# ---------------------------------------------------------------- rmdir / unlink
@test
def rmdir_unlink(c):
    os.chmod(c.base, 0o777)
    os.mkdir(c.p('d')); os.mkdir(c.p('ne')); touch(c.p('ne', 'x')); touch(c.p('f')); os.symlink('d', c.p('ld'))
    c.do('rmdir non-empty', lambda: os.rmdir(c.p('ne')))
    c.do('rmdir file', lambda: os.rmdir(c.p('f')))
    c.do('rmdir symlink to dir', lambda: os.rmdir(c.p('ld')))
    c.do('rmdir .', lambda: os.rmdir(c.p('d', '.')))
    c.do('rmdir ..', lambda: os.rmdir(c.p('d', '..')))
    c.do('rmdir ENOENT', lambda: os.rmdir(c.p('nx')))
    c.do('rmdir ENOTDIR', lambda: os.rmdir(c.p('f', 'x')))
    c.do('rmdir 256', lambda: os.rmdir(c.p('n' * 256)))
    c.do('rmdir trailing slash', lambda: os.rmdir(c.p('d') + '/'))
    os.mkdir(c.p('d'))
    t = c.snap('')
    c.do('rmdir ok', lambda: os.rmdir(c.p('d'))); c.changed('rmdir parent', t); c.stat('base', '')
    c.do('unlink dir', lambda: os.unlink(c.p('ne')))
    c.do('unlink dir as user', lambda: os.unlink(c.p('ne')), 'u1000')
    c.do('unlink ENOENT', lambda: os.unlink(c.p('nx')))
    c.do('unlink ENOTDIR', lambda: os.unlink(c.p('f', 'x')))
    c.do('unlink trailing slash', lambda: os.unlink(c.p('f') + '/'))
    c.do('unlink 256', lambda: os.unlink(c.p('n' * 256)))
    for k in KINDS:
        if k == 'dir': continue
        mkobj(c.p('u-' + k), k)
        t = c.snap('')
        c.do('unlink %s' % k, lambda: os.unlink(c.p('u-' + k))); c.changed('unlink %s parent' % k, t)
    c.do('unlink symlink to dir', lambda: os.unlink(c.p('ld')))
    os.mkdir(c.p('ro'), 0o755); touch(c.p('ro', 'f')); os.mkdir(c.p('ro', 'd'))
    c.do('unlink in non-writable dir', lambda: os.unlink(c.p('ro', 'f')), 'u1000')
    c.do('rmdir in non-writable dir', lambda: os.rmdir(c.p('ro', 'd')), 'u1000')
    os.mkdir(c.p('st'), 0o1777)
    for owner in [1000, 1001]:
        for k in ['reg', 'dir', 'lnk', 'fifo', 'sock']:
            n = 'st/%s-%d' % (k, owner); mkobj(c.p(n), k); os.lchown(c.p(n), owner, owner)
    for k in ['reg', 'dir', 'lnk', 'fifo', 'sock']:
        rm = os.rmdir if k == 'dir' else os.unlink
        c.do('sticky remove other\'s %s' % k, lambda: rm(c.p('st/%s-1000' % k)), 'u1001')
        c.do('sticky remove own %s' % k, lambda: rm(c.p('st/%s-1001' % k)), 'u1001')
    os.chown(c.p('st'), 1001, 1001)
    c.do('sticky dir owner removes other\'s', lambda: os.unlink(c.p('st/reg-1000')), 'u1001')
    c.do('sticky root removes other\'s', lambda: os.rmdir(c.p('st/dir-1000')))

# ---------------------------------------------------------------- symlink
@test
def symlink_all(c):
    os.chmod(c.base, 0o777)
    for L in [1, 255, 1023, 4094, 4095, 4096, 5000]:
        n = 'l%d' % L
        c.do('symlink target len %d' % L, lambda: os.symlink('t' * L, c.p(n)))
        c.do('readlink len %d' % L, lambda: len(os.readlink(c.p(n))))
        c.do('lstat size len %d' % L, lambda: os.lstat(c.p(n)).st_size)
    c.do('symlink empty target', lambda: os.symlink('', c.p('empty')))
    c.do('symlink as user', lambda: os.symlink('/etc/passwd', c.p('ul')), 'u1000'); c.stat('ul', 'ul')
    c.do('readlink abs', lambda: os.readlink(c.p('ul')))
    c.do('read through abs symlink', lambda: len(open(c.p('ul')).read()) > 0)
    os.symlink('../' * 10 + 'etc/hostname', c.p('rel'))
    c.do('readlink rel escape', lambda: os.readlink(c.p('rel')))
    c.do('stat rel escape', lambda: st(c.p('rel'), True)['type'])
    os.symlink('loop2', c.p('loop1')); os.symlink('loop1', c.p('loop2'))
    c.do('ELOOP stat', lambda: os.stat(c.p('loop1')))
    c.do('ELOOP open', lambda: os.open(c.p('loop1'), os.O_RDONLY))
    c.do('ELOOP path component', lambda: os.stat(c.p('loop1', 'x')))
    c.do('readlink non-symlink', lambda: os.readlink(c.base))
    touch(c.p('f'))
    t = c.snap('f')
    c.do('readlink file', lambda: os.readlink(c.p('f')))
    # symlink times
    os.symlink('f', c.p('sl'))
    def slt():
        s = os.lstat(c.p('sl')); return '%o' % s.st_mode
    c.do('symlink mode', slt)

# ---------------------------------------------------------------- utimensat
@test
def utimes(c):
    os.chmod(c.base, 0o777)
    touch(c.p('f')); os.chown(c.p('f'), 1000, 1000); os.chmod(c.p('f'), 0o646)
    def tv(): s = os.stat(c.p('f')); return (s.st_atime_ns, s.st_mtime_ns)
    for a, m in [((1900000000, 123456789), (1800000000, 987654321)), ((0, 0), (0, 1)), ((-1, 5), (-100000, 999999999)),
                 ((2**33, 1), (2**34, 2))]:
        t = c.snap('f')
        c.do('utimensat %s %s' % (a, m), lambda: utimensat(c.p('f'), a, m)); c.do('times', tv); c.changed('utimensat explicit', t, 'c')
    t = c.snap('f')
    c.do('utimensat OMIT OMIT', lambda: utimensat(c.p('f'), (0, UTIME_OMIT), (0, UTIME_OMIT))); c.changed('OMIT OMIT', t, 'amc')
    c.do('utimensat OMIT atime', lambda: utimensat(c.p('f'), (0, UTIME_OMIT), (1234, 5))); c.do('times', tv)
    c.do('utimensat OMIT mtime', lambda: utimensat(c.p('f'), (4321, 6), (0, UTIME_OMIT))); c.do('times', tv)
    t = c.snap('f')
    c.do('utimensat NOW OMIT', lambda: utimensat(c.p('f'), (0, UTIME_NOW), (0, UTIME_OMIT))); c.changed('NOW OMIT', t, 'amc')
    t = c.snap('f')
    c.do('utimensat OMIT NOW', lambda: utimensat(c.p('f'), (0, UTIME_OMIT), (0, UTIME_NOW))); c.changed('OMIT NOW', t, 'amc')
    c.do('utimensat bad nsec', lambda: utimensat(c.p('f'), (0, 1000000000), (0, 0)))
    c.do('utimensat negative nsec', lambda: utimensat(c.p('f'), (0, -1), (0, 0)))
    # permissions: owner 1000, file 0646 -> others can write
    for user in ['u1000', 'u1001', 'nobody']:
        for mode in [0o646, 0o644]:
            os.chmod(c.p('f'), mode)
            c.do('NULL times mode %03o' % mode, lambda: utimensat(c.p('f'), None, None), user)
            c.do('NOW NOW mode %03o' % mode, lambda: utimensat(c.p('f'), (0, UTIME_NOW), (0, UTIME_NOW)), user)
            c.do('explicit mode %03o' % mode, lambda: utimensat(c.p('f'), (10, 0), (20, 0)), user)
            c.do('NOW OMIT mode %03o' % mode, lambda: utimensat(c.p('f'), (0, UTIME_NOW), (0, UTIME_OMIT)), user)
            c.do('OMIT OMIT mode %03o' % mode, lambda: utimensat(c.p('f'), (0, UTIME_OMIT), (0, UTIME_OMIT)), user)
            c.do('NOW explicit mode %03o' % mode, lambda: utimensat(c.p('f'), (0, UTIME_NOW), (20, 0)), user)
    os.symlink('f', c.p('l'))
    c.do('lutimes symlink', lambda: utimensat(c.p('l'), (111, 1), (222, 2), AT_SYMLINK_NOFOLLOW))
    c.do('symlink times', lambda: (os.lstat(c.p('l')).st_atime_ns, os.lstat(c.p('l')).st_mtime_ns))
    c.do('target times unchanged', lambda: tv() != (111000000001, 222000000002))
    c.do('utimensat ENOENT', lambda: utimensat(c.p('nx'), (1, 0), (1, 0)))
    os.mkdir(c.p('d'))
    c.do('utimensat dir', lambda: utimensat(c.p('d'), (5, 5), (6, 6)))
    c.do('dir times', lambda: (os.stat(c.p('d')).st_atime_ns, os.stat(c.p('d')).st_mtime_ns))
    def futimens():
        fd = os.open(c.p('f'), os.O_RDONLY)
        try:
            os.utime(fd, ns=(7000000007, 8000000008)); s = os.fstat(fd); return (s.st_atime_ns, s.st_mtime_ns)
        finally: os.close(fd)
    os.chmod(c.p('f'), 0o644)
    c.do('futimens owner', futimens, 'u1000'); c.do('futimens non-owner', futimens, 'u1001')
    # write updates mtime/ctime, read updates atime (relatime: atime older than mtime)
    touch(c.p('w'), 0o644, b'abc'); utimensat(c.p('w'), (100, 0), (200, 0))
    t = c.snap('w')
    c.do('read', lambda: open(c.p('w'), 'rb').read()); c.changed('read', t, 'amc')
    t = c.snap('w')
    def wr():
        fd = os.open(c.p('w'), os.O_WRONLY); os.write(fd, b'z'); os.close(fd)
    c.do('write', wr); c.changed('write', t, 'mc')
    t = c.snap('w')
    def wr0():
        fd = os.open(c.p('w'), os.O_WRONLY); os.write(fd, b''); os.close(fd)
    c.do('write 0 bytes', wr0); c.changed('write 0 bytes', t, 'mc')
    t = c.snap('')
    c.do('readdir', lambda: sorted(os.listdir(c.base))[:3]); c.changed('readdir base', t, 'mc')

# ---------------------------------------------------------------- access / stat / statfs / readdir
@test
def access_all(c):
    os.chmod(c.base, 0o777)
    touch(c.p('f')); os.chown(c.p('f'), 1000, 1001)
    for mode in [0o000, 0o700, 0o070, 0o007, 0o111, 0o444, 0o222, 0o4755]:
        os.chmod(c.p('f'), mode)
        for user in ['root', 'u1000', 'u1001', 'u1000g1001', 'nobody']:
            res = []
            for am, nm in [(os.F_OK, 'F'), (os.R_OK, 'R'), (os.W_OK, 'W'), (os.X_OK, 'X')]:
                r = run_as(user, lambda: os.access(c.p('f'), am))
                res.append(nm + ('=' + str(r[1]) if r[0] == 'ok' else '!' + str(r[1])))
            c.rec('access mode %03o [%s]' % (mode, user), ' '.join(res))
            r = run_as(user, lambda: faccessat(c.p('f'), os.R_OK | os.W_OK, 0x200))
            c.rec('faccessat AT_EACCESS RW mode %03o [%s]' % (mode, user), r)
    os.mkdir(c.p('d'), 0o700); touch(c.p('d', 'g'), 0o777)
    c.do('access through non-searchable dir', lambda: os.access(c.p('d', 'g'), os.R_OK), 'u1000')
    c.do('chdir non-searchable', lambda: os.chdir(c.p('d')), 'u1000')
    os.chmod(c.p('d'), 0o766)
    c.do('listdir without x', lambda: sorted(os.listdir(c.p('d'))), 'u1000')
    c.do('stat child without x', lambda: st(c.p('d', 'g')), 'u1000')
    os.chmod(c.p('d'), 0o711)
    c.do('listdir without r', lambda: sorted(os.listdir(c.p('d'))), 'u1000')
    c.do('stat child without r', lambda: st(c.p('d', 'g')), 'u1000')
    # setuid-ish process: real != effective
    def eff():
        os.setresuid(1000, 1001, 0)
        return (os.access(c.p('f'), os.R_OK), faccessat and run_fa())
    def run_fa():
        try: faccessat(c.p('f'), os.R_OK, 0x200); return True
        except OSError as e: return errno.errorcode[e.errno]
    os.chmod(c.p('f'), 0o400)
    c.do('access real=1000 eff=1001 (file 0400 owned 1000)', eff, 'rootfork')

@test
def readdir_stat(c):
    os.chmod(c.base, 0o777)
    for k in KINDS: mkobj(c.p(k), k)
    os.mkdir(c.p('dir', 's1')); os.mkdir(c.p('dir', 's2'))
    c.do('listdir', lambda: sorted(os.listdir(c.base)))
    def dtypes():
        return sorted((e.name, e.is_dir(follow_symlinks=False), e.is_file(follow_symlinks=False), e.is_symlink()) for e in os.scandir(c.base))
    c.do('scandir types', dtypes)
    c.stat('dir nlink', 'dir'); c.stat('base', '')
    for k in KINDS: c.stat(k, k)
    c.do('stat blksize/blocks file', lambda: (os.stat(c.p('reg')).st_blksize, os.stat(c.p('reg')).st_blocks))
    def many():
        os.mkdir(c.p('many'))
        for i in range(600): os.close(os.open(c.p('many', 'n%04d' % i), os.O_CREAT | os.O_WRONLY))
        return len(os.listdir(c.p('many')))
    c.do('readdir 600 entries', many)
    def seekdir_like():
        d = os.listdir(c.p('many'))
        for i in range(0, 600, 3): os.unlink(c.p('many', 'n%04d' % i))
        return len(os.listdir(c.p('many')))
    c.do('readdir after unlink', seekdir_like)
    c.do('dot entries', lambda: (os.stat(c.p('dir', '.')).st_ino == os.stat(c.p('dir')).st_ino,
                                 os.stat(c.p('dir', '..')).st_ino == os.stat(c.base).st_ino))
    def fstatat_empty():
        fd = os.open(c.p('reg'), os.O_PATH)
        try: return st('/proc/self/fd/%d' % fd, True)
        finally: os.close(fd)
    c.do('O_PATH fd stat', fstatat_empty)

@test
def statfs(c):
    def sv(path):
        s = os.statvfs(path)
        return dict(bsize=s.f_bsize, frsize=s.f_frsize, blocks=s.f_blocks, files=s.f_files, namemax=s.f_namemax,
                    bfree_close=None, flag_rdonly=bool(s.f_flag & os.ST_RDONLY), flag_nosuid=bool(s.f_flag & os.ST_NOSUID))
    c.do('statvfs', lambda: sv(c.base))
    def close(path):
        s = os.statvfs(path); return (s.f_bfree // 100000, s.f_ffree // 100000)
    c.do('statvfs free (coarse)', lambda: close(c.base))
    c.do('statvfs as user', lambda: os.statvfs(c.base).f_namemax, 'nobody')

# ---------------------------------------------------------------- xattr
@test
def xattrs(c):
    os.chmod(c.base, 0o777)
    touch(c.p('f')); os.chown(c.p('f'), 1000, 1000); os.chmod(c.p('f'), 0o644)
    os.mkdir(c.p('d')); os.chown(c.p('d'), 1000, 1000)
    os.symlink('f', c.p('l')); os.mkfifo(c.p('fifo')); os.chown(c.p('fifo'), 1000, 1000)
    c.do('get missing', lambda: os.getxattr(c.p('f'), 'user.x'))
    c.do('list empty', lambda: sorted(os.listxattr(c.p('f'))))
    t = c.snap('f')
    c.do('set user.x owner', lambda: os.setxattr(c.p('f'), 'user.x', b'v1'), 'u1000'); c.changed('setxattr', t)
    c.do('get user.x', lambda: os.getxattr(c.p('f'), 'user.x'), 'nobody')
    c.do('set XATTR_CREATE existing', lambda: os.setxattr(c.p('f'), 'user.x', b'v2', os.XATTR_CREATE), 'u1000')
    c.do('set XATTR_REPLACE missing', lambda: os.setxattr(c.p('f'), 'user.y', b'v2', os.XATTR_REPLACE), 'u1000')
    c.do('set empty value', lambda: os.setxattr(c.p('f'), 'user.e', b''), 'u1000')
    c.do('get empty value', lambda: os.getxattr(c.p('f'), 'user.e'))
    c.do('set big value 4000', lambda: os.setxattr(c.p('f'), 'user.big', b'b' * 4000), 'u1000')
    c.do('set huge value 70000', lambda: os.setxattr(c.p('f'), 'user.huge', b'b' * 70000), 'u1000')
    c.do('set name 255', lambda: os.setxattr(c.p('f'), 'user.' + 'n' * 250, b'1'), 'u1000')
    c.do('set name 256', lambda: os.setxattr(c.p('f'), 'user.' + 'n' * 251, b'1'), 'u1000')
    c.do('list', lambda: sorted(os.listxattr(c.p('f'))))
    c.do('set non-owner no write perm', lambda: os.setxattr(c.p('f'), 'user.z', b'1'), 'u1001')
    os.chmod(c.p('f'), 0o646)
    c.do('set non-owner with write perm', lambda: os.setxattr(c.p('f'), 'user.z', b'1'), 'u1001')
    os.chmod(c.p('f'), 0o600)
    c.do('get no read perm', lambda: os.getxattr(c.p('f'), 'user.x'), 'u1001')
    c.do('list no read perm', lambda: sorted(os.listxattr(c.p('f'))), 'u1001')
    c.do('remove user.x', lambda: os.removexattr(c.p('f'), 'user.x'), 'u1000')
    c.do('remove missing', lambda: os.removexattr(c.p('f'), 'user.x'), 'u1000')
    c.do('set user on dir', lambda: os.setxattr(c.p('d'), 'user.x', b'1'), 'u1000')
    c.do('set user on symlink (nofollow)', lambda: os.setxattr(c.p('l'), 'user.x', b'1', follow_symlinks=False))
    c.do('set user on fifo', lambda: os.setxattr(c.p('fifo'), 'user.x', b'1'), 'u1000')
    c.do('set unknown namespace', lambda: os.setxattr(c.p('f'), 'foo.x', b'1'))
    c.do('set trusted as root', lambda: os.setxattr(c.p('f'), 'trusted.t', b'1'))
    c.do('get trusted as root', lambda: os.getxattr(c.p('f'), 'trusted.t'))
    c.do('set trusted as owner', lambda: os.setxattr(c.p('f'), 'trusted.u', b'1'), 'u1000')
    c.do('get trusted as owner', lambda: os.getxattr(c.p('f'), 'trusted.t'), 'u1000')
    c.do('list as owner (trusted hidden)', lambda: sorted(os.listxattr(c.p('f'))), 'u1000')
    c.do('list as root', lambda: sorted(os.listxattr(c.p('f'))))
    c.do('set security.x as owner', lambda: os.setxattr(c.p('f'), 'security.x', b'1'), 'u1000')
    c.do('set security.capability as owner', lambda: os.setxattr(c.p('f'), 'security.capability',
         struct.pack('<IIIII', 0x02000001, 1 << 21, 0, 0, 0)), 'u1000')
    c.do('get security.capability', lambda: len(os.getxattr(c.p('f'), 'security.capability')))
    c.do('set security.capability as root', lambda: os.setxattr(c.p('f'), 'security.capability',
         struct.pack('<IIIII', 0x02000001, 1 << 10, 0, 0, 0)))
    c.do('get security.capability after root set', lambda: len(os.getxattr(c.p('f'), 'security.capability')))
    os.chmod(c.p('f'), 0o644)
    def wr():
        fd = os.open(c.p('f'), os.O_WRONLY); os.write(fd, b'x'); os.close(fd)
    os.chmod(c.p('f'), 0o666)
    c.do('write by non-owner (kills caps)', wr, 'u1001')
    c.do('security.capability after write', lambda: len(os.getxattr(c.p('f'), 'security.capability')))
    # POSIX ACL via xattr: give 1001 rw on a 0600 file
    def acl(entries):
        b = struct.pack('<I', 2)
        for tag, perm, idn in entries: b += struct.pack('<HHI', tag, perm, idn)
        return b
    USER_OBJ, USER, GROUP_OBJ, MASK, OTHER = 1, 2, 4, 0x10, 0x20
    touch(c.p('a')); os.chown(c.p('a'), 1000, 1000); os.chmod(c.p('a'), 0o600)
    c.do('get acl none', lambda: os.getxattr(c.p('a'), 'system.posix_acl_access'))
    c.do('set acl by owner', lambda: os.setxattr(c.p('a'), 'system.posix_acl_access',
         acl([(USER_OBJ, 6, 0xffffffff), (USER, 6, 1001), (GROUP_OBJ, 0, 0xffffffff), (MASK, 6, 0xffffffff), (OTHER, 0, 0xffffffff)])), 'u1000')
    c.stat('a after acl', 'a')
    c.do('open RW by acl user', lambda: os.close(os.open(c.p('a'), os.O_RDWR)), 'u1001')
    c.do('open RW by other', lambda: os.close(os.open(c.p('a'), os.O_RDWR)), 'nobody')
    c.do('access W by acl user', lambda: os.access(c.p('a'), os.W_OK), 'u1001')
    c.do('set acl by non-owner', lambda: os.setxattr(c.p('a'), 'system.posix_acl_access',
         acl([(USER_OBJ, 7, 0xffffffff), (GROUP_OBJ, 7, 0xffffffff), (OTHER, 7, 0xffffffff)])), 'u1001')
    # default ACL inheritance
    os.mkdir(c.p('da'), 0o777); os.chmod(c.p('da'), 0o777)
    c.do('set default acl', lambda: os.setxattr(c.p('da'), 'system.posix_acl_default',
         acl([(USER_OBJ, 7, 0xffffffff), (GROUP_OBJ, 5, 0xffffffff), (OTHER, 0, 0xffffffff)])))
    c.do('create under default acl (umask 022 ignored)', lambda: os.close(os.open(c.p('da', 'f'), os.O_CREAT | os.O_WRONLY, 0o777)), 'u1000')
    c.stat('da/f', 'da/f')
    c.do('mkdir under default acl', lambda: os.mkdir(c.p('da', 'sd'), 0o777), 'u1000')
    c.stat('da/sd', 'da/sd')
    c.do('sd inherited default acl', lambda: len(os.getxattr(c.p('da', 'sd'), 'system.posix_acl_default')))
    # chmod with acl: group bits become mask
    c.do('chmod 0640 with acl', lambda: os.chmod(c.p('a'), 0o640), 'u1000'); c.stat('a', 'a')
    c.do('acl after chmod', lambda: os.getxattr(c.p('a'), 'system.posix_acl_access'))
    # sgid cleared when setting acl by non-member owner
    touch(c.p('sg')); os.chown(c.p('sg'), 1000, 1001); os.chmod(c.p('sg'), 0o2770)
    c.do('set acl on sgid non-member', lambda: os.setxattr(c.p('sg'), 'system.posix_acl_access',
         acl([(USER_OBJ, 6, 0xffffffff), (GROUP_OBJ, 6, 0xffffffff), (OTHER, 4, 0xffffffff)])), 'u1000')
    c.stat('sg after acl', 'sg')

# ---------------------------------------------------------------- misc: locks, sockets, fifo I/O
@test
def misc(c):
    os.chmod(c.base, 0o777)
    # unix socket bind/connect
    def sockpair():
        s = socket.socket(socket.AF_UNIX); s.bind(c.p('s')); s.listen(1)
        t = socket.socket(socket.AF_UNIX); t.connect(c.p('s')); a, _ = s.accept(); t.send(b'hi'); d = a.recv(10)
        for x in (a, s, t): x.close()
        return d
    c.do('unix socket bind+connect', sockpair); c.stat('s', 's')
    c.do('connect stale socket', lambda: socket.socket(socket.AF_UNIX).connect(c.p('s')))
    # fifo I/O within one side
    os.mkfifo(c.p('p'))
    def fifo_io():
        r = os.open(c.p('p'), os.O_RDONLY | os.O_NONBLOCK); w = os.open(c.p('p'), os.O_WRONLY)
        os.write(w, b'abc'); d = os.read(r, 10); os.close(w); e = os.read(r, 10); os.close(r); return (d, e)
    c.do('fifo io', fifo_io)
    # locks: conflict between two processes
    touch(c.p('lk'))
    fd = os.open(c.p('lk'), os.O_RDWR); fcntl.lockf(fd, fcntl.LOCK_EX)
    def other():
        fd2 = os.open(c.p('lk'), os.O_RDWR)
        try: fcntl.lockf(fd2, fcntl.LOCK_EX | fcntl.LOCK_NB); return 'got'
        finally: os.close(fd2)
    c.do('posix lock conflict', other, 'nobody')
    os.close(fd)
    fd = os.open(c.p('lk'), os.O_RDWR); fcntl.flock(fd, fcntl.LOCK_EX)
    def other2():
        fd2 = os.open(c.p('lk'), os.O_RDWR)
        try: fcntl.flock(fd2, fcntl.LOCK_EX | fcntl.LOCK_NB); return 'got'
        finally: os.close(fd2)
    c.do('flock conflict', other2, 'nobody')
    os.close(fd)
    # mmap write
    import mmap
    def mm():
        fd = os.open(c.p('mm'), os.O_CREAT | os.O_RDWR, 0o644); os.ftruncate(fd, 4096)
        m = mmap.mmap(fd, 4096); m[0:5] = b'hello'; m.flush(); m.close(); os.close(fd)
        return open(c.p('mm'), 'rb').read(5)
    c.do('mmap shared write', mm)
    def fallocate():
        fd = os.open(c.p('fa'), os.O_CREAT | os.O_RDWR, 0o644)
        try: os.posix_fallocate(fd, 0, 8192); return os.fstat(fd).st_size
        finally: os.close(fd)
    c.do('posix_fallocate', fallocate)
    def copy_range():
        touch(c.p('cr1'), 0o644, b'x' * 5000)
        a = os.open(c.p('cr1'), os.O_RDONLY); b = os.open(c.p('cr2'), os.O_CREAT | os.O_WRONLY, 0o644)
        try: return os.copy_file_range(a, b, 5000)
        finally: os.close(a); os.close(b)
    c.do('copy_file_range', copy_range)
    def seek_data():
        fd = os.open(c.p('sk'), os.O_CREAT | os.O_RDWR, 0o644); os.pwrite(fd, b'x', 1 << 20)
        try: return (os.lseek(fd, 0, os.SEEK_DATA), os.lseek(fd, 0, os.SEEK_HOLE))
        finally: os.close(fd)
    c.do('SEEK_DATA/SEEK_HOLE', seek_data)
    def fsync():
        fd = os.open(c.p('sk'), os.O_RDWR); os.fsync(fd); os.fdatasync(fd); os.close(fd)
    c.do('fsync', fsync)
    def dirfsync():
        fd = os.open(c.base, os.O_RDONLY); os.fsync(fd); os.close(fd)
    c.do('fsync dir', dirfsync)
    def chattr():
        fd = os.open(c.p('sk'), os.O_RDONLY)
        try:
            buf = bytearray(4); fcntl.ioctl(fd, 0x80086601, buf); return 'ok'
        finally: os.close(fd)
    c.do('FS_IOC_GETFLAGS', chattr)
    # one process changes only its supplementary groups (same uid/gid) between two calls
    touch(c.p('gq')); os.chown(c.p('gq'), 1000, 1000)
    def groups_change():
        out = []
        os.setgroups([1000, 1001]); os.setresgid(1000, 1000, 0); os.setresuid(0, 1000, 0)
        for grp, g in [([1000, 1001], 1001), ([1000], 1000), ([1000], 1001), ([1000, 1001], 1001)]:
            os.seteuid(0); os.setgroups(grp); os.seteuid(1000)
            try: os.chown(c.p('gq'), -1, g); out.append('ok')
            except OSError as e: out.append(errno.errorcode[e.errno])
        return out
    c.do('same process, groups changed between chgrp calls', groups_change, 'rootfork')
    def fchown_m1():
        fd = os.open(c.p('gq'), os.O_RDONLY); os.fchmod(fd, 0o6755); os.fchown(fd, -1, -1); s = os.fstat(fd); os.close(fd)
        return '%o' % s.st_mode
    c.do('fchown -1 -1 on 6755', fchown_m1)
    os.symlink('gq', c.p('gl'))
    t = c.snap('gl')
    c.do('lchown symlink -1 -1', lambda: os.lchown(c.p('gl'), -1, -1)); c.changed('lchown -1 -1', {'gl': t['gl']})

# ---------------------------------------------------------------- permissions only the kernel sees
@test
def fifo_permission(c):
    """an exact fifo is opened by the kernel itself, never by the file system: its mode must still count"""
    os.chmod(c.base, 0o755)
    flags = [('O_RDWR', os.O_RDWR), ('O_RDONLY|O_NONBLOCK', os.O_RDONLY | os.O_NONBLOCK),
             ('O_WRONLY|O_NONBLOCK', os.O_WRONLY | os.O_NONBLOCK)]
    for mode in (0o077, 0o477, 0o277, 0o677, 0o070, 0o707, 0o007):
        name = 'p%04o' % mode
        os.mkfifo(c.p(name)); os.chown(c.p(name), 1000, 1000); os.chmod(c.p(name), mode)
        for fname, fl in flags:
            def op(name=name, fl=fl):
                os.close(os.open(c.p(name), fl))
            for user in ('u1000', 'u1001', 'u1000g1001'):
                c.do('fifo permission: open %s %s' % (name, fname), op, user)

@test
def search_revoked(c):
    """a child looked up just before its parent loses search permission: calls by path must fail"""
    os.chmod(c.base, 0o777)
    os.mkdir(c.p('d'), 0o755); os.mkdir(c.p('into'), 0o777); os.chmod(c.p('into'), 0o777)
    touch(c.p('d', 'f'), 0o666); os.chown(c.p('d', 'f'), 1000, 1000); os.chmod(c.p('d', 'f'), 0o666)
    f = c.p('d', 'f')
    c.do('stat before revoking', lambda: st(f), 'u1000')
    os.chmod(c.p('d'), 0o700)
    calls = [
        ('stat', lambda: st(f)),
        ('chmod', lambda: os.chmod(f, 0o600)),
        ('chown', lambda: os.chown(f, 1000, 1000)),
        ('truncate', lambda: os.truncate(f, 0)),
        ('open', lambda: os.close(os.open(f, os.O_RDONLY))),
        ('link', lambda: os.link(f, c.p('into', 'l'))),
        ('utimes', lambda: utimensat(f, None, None)),
        ('rename', lambda: os.rename(f, c.p('into', 'r'))),
        ('setxattr', lambda: os.setxattr(f, 'user.k', b'v')),
    ]
    for label, fn in calls:
        c.do('search revoked: ' + label, fn, 'u1000')
    os.chmod(c.p('d'), 0o755)
    c.stat('f after', 'd/f')

# ---------------------------------------------------------------- signals
SIGNAL_LOOP_ITERATIONS = 300
SIGNAL_LOOP_SECONDS = 3
SIGNAL_INTERVAL = 0.0002  # the 200 µs timer

@test
def interrupted_calls(c):
    """create, stat, symlink, unlink, utime, unlink under a 200 us SA_RESTART timer: signals must not
    change a result (calls through libc directly: Python itself would retry EINTR)"""
    import signal
    f, l = c.p('f').encode(), c.p('l').encode()
    buf = ctypes.create_string_buffer(256)
    def call(name, fn):
        r = fn()
        return name, 'ok' if r >= 0 else errno.errorcode.get(ctypes.get_errno(), ctypes.get_errno())
    def loop():
        seen = set()
        previous = signal.signal(signal.SIGALRM, lambda *_: None)
        signal.siginterrupt(signal.SIGALRM, False)  # SA_RESTART, as most daemons' handlers
        signal.setitimer(signal.ITIMER_REAL, SIGNAL_INTERVAL, SIGNAL_INTERVAL)
        deadline = time.monotonic() + SIGNAL_LOOP_SECONDS
        try:
            for _ in range(SIGNAL_LOOP_ITERATIONS):
                if time.monotonic() > deadline: break
                def create():
                    fd = libc.open(f, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o644)
                    if fd >= 0: os.close(fd)
                    return fd
                seen.add(call('create', create))
                seen.add(call('stat', lambda: libc.stat(f, buf)))
                seen.add(call('symlink', lambda: libc.symlink(b'f', l)))
                seen.add(call('unlink link', lambda: libc.unlink(l)))
                seen.add(call('utime', lambda: libc.utimensat(AT_FDCWD, f, None, 0)))
                seen.add(call('unlink file', lambda: libc.unlink(f)))
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0, 0)
            signal.signal(signal.SIGALRM, previous)
        return sorted(seen)
    c.do('results under a 200 us timer', loop)

# ---------------------------------------------------------------- driver
def norm(v):
    return v

def run_side(root, tests):
    out = {}
    for t in tests:
        name = t.__name__
        base = os.path.join(root, name)
        if os.path.lexists(base):
            subprocess.run(['rm', '-rf', base], check=False)
        os.mkdir(base, 0o755)
        c = Ctx(root, name)
        os.umask(0o022)
        try:
            t(c)
        except Exception:
            c.rec('PROBE CRASH', traceback.format_exc().strip().splitlines()[-1])
        out[name] = c.obs
    return out

# Differences by design, matched on the check's label; docs/offload-fs.md explains each.
EXPECTED = {
    'statvfs': 'the mount is nosuid,nodev',
    'FS_IOC_GETFLAGS': 'inode flags ioctls are not forwarded',
    'groups changed between chgrp calls': 'supplementary groups are cached for a second per pid',
}
# And on exports with `cache: none` (--cache none), which leave all checks to the host.
EXPECTED_UNCACHED = {
    'fifo permission': 'an exact fifo on a cache: none export is opened without a permission check',
}
CACHE = 'none'

def expected(label):
    table = dict(EXPECTED, **(EXPECTED_UNCACHED if CACHE == 'none' else {}))
    return next((why for key, why in table.items() if key in label), None)

def main():
    args = sys.argv[1:]
    global REF, MNT, CACHE
    verbose = '-v' in args
    sel = None
    if '--ref' in args: REF = args[args.index('--ref') + 1]
    if '--mnt' in args: MNT = args[args.index('--mnt') + 1]
    if '--cache' in args: CACHE = args[args.index('--cache') + 1]
    if '-k' in args: sel = args[args.index('-k') + 1]
    if not REF or not MNT or CACHE not in ('none', 'ttl'):
        sys.exit('usage: fs_probe.py --ref DIR --mnt DIR [--cache none|ttl] [-k SUBSTR] [-v]')
    tests = [t for t in TESTS if not sel or sel in t.__name__]
    if os.getuid() != 0:
        sys.exit('fs_probe.py switches users: run it as root')
    ref = run_side(REF, tests)
    mnt = run_side(MNT, tests)
    npass = nunexpected = nexpected = 0
    for t in tests:
        n = t.__name__
        a, b = ref[n], mnt[n]
        for i in range(max(len(a), len(b))):
            la, va = a[i] if i < len(a) else ('<missing>', None)
            lb, vb = b[i] if i < len(b) else ('<missing>', None)
            if la == lb and va == vb:
                npass += 1
                if verbose: print('ok   %s: %s: %s' % (n, la, va))
                continue
            why = expected(la) if la == lb else None
            if why: nexpected += 1
            else: nunexpected += 1
            print('DIFF %s: %s%s\n      ref: %r\n      mnt: %r' % (
                n, la if la == lb else la + ' | ' + lb, ' [expected: %s]' % why if why else '', va, vb))
    print('\nchecks: %d alike, %d different (%d unexpected, %d expected)' % (
        npass, nunexpected + nexpected, nunexpected, nexpected))
    sys.exit(1 if nunexpected else 0)

if __name__ == '__main__':
    main()
