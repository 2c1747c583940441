#!/usr/bin/python3
"""
crashfs: a FUSE passthrough file system that can "lose power".

Every call passes through to a backing folder, and the file system keeps a model of what a
disk would still hold after a power cut:
  - a file's contents as of its last fsync,
  - a folder's entries as of that folder's last fsync,
plus the list of operations not yet made durable, in program order. On `crash` it stops
(every later change fails with EIO, as writes to a dead disk) and `states` writes crash
states into real folders: the durable state alone, and the durable state with a prefix of the
pending operations applied in order (CrashMonkey's idea: a disk may have written any prefix).
A rename is one operation: a prefix holds both of its halves or neither.

Usage: crashfs.py <backing dir> <mount point>
Commands on stdin, one per line, each answered by one line on stdout:
  crash-at <n>         freeze just before the n-th (0-based) change or fsync  -> ok
  crash                freeze now                                            -> crashed <ops>
  trace <file>         write the kind of every change or fsync so far, one a line -> trace <n>
  status               -> status <ops done> <frozen 0|1> <pending ops>
  states <dir> <k>     write <dir>/state-0 (durable only) and up to k prefix states
                       -> states <count> <pending ops>
  quit                 unmount and exit
It prints `mounted` once the mount is ready. Needs /dev/fuse, fuse3 and python3-pyfuse3.
"""
import errno
import os
import stat as st
import sys

import pyfuse3
import trio

ROOT = pyfuse3.ROOT_INODE


class Model:
    """What survives a power cut, and the changes since that are not durable yet."""

    def __init__(self):
        self.kind = {}        # mid -> 'dir' | 'file'
        self.data = {}        # file mid -> bytes as of its last fsync
        self.entries = {}     # dir mid -> {name: mid} as of its last fsync
        # Pending changes in program order. Each is a dict; a rename carries the sides
        # (source folder, target folder) not yet made durable by a folder fsync.
        self.pending = []

    def file_synced(self, mid, contents):
        self.data[mid] = contents
        self.pending = [op for op in self.pending if not (op['op'] in ('write', 'truncate') and op['mid'] == mid)]

    def dir_synced(self, mid, entries):
        self.entries[mid] = entries
        kept = []
        for op in self.pending:
            if op['op'] == 'rename':
                op['sides'] = [side for side in op['sides'] if side != mid]
                if op['sides']:
                    kept.append(op)
            elif op['op'] in ('create', 'unlink', 'link') and op['parent'] == mid:
                continue
            else:
                kept.append(op)
        self.pending = kept

    def state(self, prefix):
        """Folders and file contents after durable state + pending[:prefix]."""
        entries = {mid: dict(names) for mid, names in self.entries.items()}
        data = dict(self.data)
        for op in self.pending[:prefix]:
            kind = op['op']
            if kind == 'create':
                entries.setdefault(op['parent'], {})[op['name']] = op['mid']
                if op['kind'] == 'dir':
                    entries.setdefault(op['mid'], {})
                else:
                    data.setdefault(op['mid'], b'')
            elif kind == 'link':
                entries.setdefault(op['parent'], {})[op['name']] = op['mid']
            elif kind == 'unlink':
                names = entries.setdefault(op['parent'], {})
                if names.get(op['name']) == op['mid']:
                    del names[op['name']]
            elif kind == 'rename':
                if op['old_parent'] in op['sides']:
                    names = entries.setdefault(op['old_parent'], {})
                    if names.get(op['old_name']) == op['mid']:
                        del names[op['old_name']]
                if op['new_parent'] in op['sides']:
                    entries.setdefault(op['new_parent'], {})[op['new_name']] = op['mid']
            elif kind == 'write':
                old = data.get(op['mid'], b'')
                end = op['offset'] + len(op['bytes'])
                if len(old) < op['offset']:
                    old = old + b'\0' * (op['offset'] - len(old))
                data[op['mid']] = old[:op['offset']] + op['bytes'] + old[end:]
            elif kind == 'truncate':
                old = data.get(op['mid'], b'')
                data[op['mid']] = old[:op['size']] + b'\0' * max(0, op['size'] - len(old))
        return entries, data

    def write_state(self, prefix, target):
        entries, data = self.state(prefix)
        os.makedirs(target)

        def fill(mid, path, seen):
            if mid in seen:
                return
            for name, child in entries.get(mid, {}).items():
                child_path = os.path.join(path, name)
                if self.kind.get(child) == 'dir':
                    os.mkdir(child_path)
                    fill(child, child_path, seen | {mid})
                else:
                    with open(child_path, 'wb') as out:
                        out.write(data.get(child, b''))

        fill(ROOT, target, frozenset())


def errors_as_fuse(cls):
    """An OSError in a handler is answered with its errno instead of ending the file system."""
    def wrap(method):
        async def handler(*args):
            try:
                return await method(*args)
            except OSError as error:
                raise pyfuse3.FUSEError(error.errno or errno.EIO)
        return handler
    for name in dir(pyfuse3.Operations):
        if not name.startswith('_') and name in cls.__dict__:
            setattr(cls, name, wrap(cls.__dict__[name]))
    return cls


@errors_as_fuse
class CrashFs(pyfuse3.Operations):
    enable_writeback_cache = False

    def __init__(self, backing):
        super().__init__()
        self.backing = backing
        self.model = Model()
        self.paths = {ROOT: {''}}   # mid -> relative paths (several with hard links)
        self.mid_of_ino = {}        # backing inode number -> mid
        self.next_mid = ROOT + 1
        self.handles = {}           # fh -> (fd, mid)
        self.next_fh = 1
        self.ops = 0
        self.crash_at = None
        self.frozen = False
        self.kinds = []             # kind of each change or fsync, in order (for choosing crash points)
        self.mid_of_ino[os.lstat(backing).st_ino] = ROOT
        self.model.kind[ROOT] = 'dir'
        self._adopt_existing('', ROOT)

    # -- bookkeeping -------------------------------------------------------------------

    def _adopt_existing(self, rel, mid):
        """What is in the backing folder at mount time is durable."""
        entries = {}
        for name in sorted(os.listdir(self._abs(rel))):
            child_rel = os.path.join(rel, name)
            info = os.lstat(self._abs(child_rel))
            child = self._mid_for(info.st_ino, child_rel)
            if st.S_ISDIR(info.st_mode):
                self.model.kind[child] = 'dir'
                self._adopt_existing(child_rel, child)
            else:
                self.model.kind[child] = 'file'
                with open(self._abs(child_rel), 'rb') as source:
                    self.model.data[child] = source.read()
            entries[name] = child
        self.model.entries[mid] = entries

    def _abs(self, rel):
        return os.path.join(self.backing, rel) if rel else self.backing

    def _path(self, mid):
        paths = self.paths.get(mid)
        if not paths:
            raise pyfuse3.FUSEError(errno.ENOENT)
        return self._abs(sorted(paths)[0])

    def _rel(self, parent, name):
        parent_paths = self.paths.get(parent)
        if not parent_paths:
            raise pyfuse3.FUSEError(errno.ENOENT)
        return os.path.join(sorted(parent_paths)[0], os.fsdecode(name))

    def _mid_for(self, ino, rel, fresh=False):
        mid = self.mid_of_ino.get(ino)
        if mid is None or fresh:
            mid = self.next_mid
            self.next_mid += 1
            self.mid_of_ino[ino] = mid
            self.paths[mid] = set()
        self.paths.setdefault(mid, set()).add(rel)
        return mid

    def _attrs(self, mid, info):
        attrs = pyfuse3.EntryAttributes()
        for field in ('st_mode', 'st_nlink', 'st_uid', 'st_gid', 'st_rdev', 'st_size', 'st_atime_ns', 'st_mtime_ns', 'st_ctime_ns'):
            setattr(attrs, field, getattr(info, field))
        attrs.st_ino = mid
        attrs.st_blksize = 4096
        attrs.st_blocks = (info.st_size + 511) // 512
        attrs.generation = 0
        # No kernel caching: every lookup comes here, so the model sees every name.
        attrs.entry_timeout = 0
        attrs.attr_timeout = 0
        return attrs

    def _change(self, kind):
        """Counts a change or fsync; fails it (and all later ones) once crashed."""
        if self.crash_at is not None and self.ops >= self.crash_at:
            self.frozen = True
        if self.frozen:
            raise pyfuse3.FUSEError(errno.EIO)
        self.ops += 1
        self.kinds.append(kind)

    def _entry(self, parent, name, fresh=False):
        rel = self._rel(parent, name)
        try:
            info = os.lstat(self._abs(rel))
        except OSError as error:
            raise pyfuse3.FUSEError(error.errno)
        return self._mid_for(info.st_ino, rel, fresh), info

    def _drop_path(self, rel):
        for paths in self.paths.values():
            paths.discard(rel)

    def _move_paths(self, old_rel, new_rel):
        prefix = old_rel + os.sep
        for paths in self.paths.values():
            for path in list(paths):
                if path == old_rel or path.startswith(prefix):
                    paths.discard(path)
                    paths.add(new_rel + path[len(old_rel):])

    # -- reading ---------------------------------------------------------------------

    async def lookup(self, parent_inode, name, ctx=None):
        mid, info = self._entry(parent_inode, name)
        self.model.kind.setdefault(mid, 'dir' if st.S_ISDIR(info.st_mode) else 'file')
        return self._attrs(mid, info)

    async def getattr(self, inode, ctx=None):
        try:
            return self._attrs(inode, os.lstat(self._path(inode)))
        except OSError as error:
            raise pyfuse3.FUSEError(error.errno)

    async def access(self, inode, mode, ctx):
        return True

    async def opendir(self, inode, ctx):
        self._path(inode)
        return inode

    async def readdir(self, fh, start_id, token):
        rel = sorted(self.paths[fh])[0]
        names = sorted(os.listdir(self._abs(rel)))
        for index in range(start_id, len(names)):
            child_rel = os.path.join(rel, names[index])
            try:
                info = os.lstat(self._abs(child_rel))
            except FileNotFoundError:
                continue
            mid = self._mid_for(info.st_ino, child_rel)
            if not pyfuse3.readdir_reply(token, os.fsencode(names[index]), self._attrs(mid, info), index + 1):
                break

    async def releasedir(self, fh):
        pass

    async def statfs(self, ctx):
        info = os.statvfs(self.backing)
        result = pyfuse3.StatvfsData()
        for field in ('f_bsize', 'f_frsize', 'f_blocks', 'f_bfree', 'f_bavail', 'f_files', 'f_ffree', 'f_favail', 'f_namemax'):
            setattr(result, field, getattr(info, field))
        return result

    async def open(self, inode, flags, ctx):
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_TRUNC) and self.frozen:
            raise pyfuse3.FUSEError(errno.EIO)
        try:
            fd = os.open(self._path(inode), flags & ~(os.O_CREAT | os.O_APPEND))
        except OSError as error:
            raise pyfuse3.FUSEError(error.errno)
        return pyfuse3.FileInfo(fh=self._new_handle(fd, inode))

    def _new_handle(self, fd, mid):
        fh = self.next_fh
        self.next_fh += 1
        self.handles[fh] = (fd, mid)
        return fh

    async def read(self, fh, off, size):
        return os.pread(self.handles[fh][0], size, off)

    async def flush(self, fh):
        pass

    async def release(self, fh):
        fd, _ = self.handles.pop(fh)
        os.close(fd)

    # -- changes: each passes through and is logged as pending ------------------------

    async def create(self, parent_inode, name, mode, flags, ctx):
        self._change('create')
        rel = self._rel(parent_inode, name)
        try:
            fd = os.open(self._abs(rel), (flags | os.O_CREAT) & ~os.O_APPEND, mode)
        except OSError as error:
            raise pyfuse3.FUSEError(error.errno)
        info = os.fstat(fd)
        mid = self._mid_for(info.st_ino, rel, fresh=True)
        self.model.kind[mid] = 'file'
        self.model.pending.append({'op': 'create', 'parent': parent_inode, 'name': os.fsdecode(name), 'mid': mid, 'kind': 'file'})
        return pyfuse3.FileInfo(fh=self._new_handle(fd, mid)), self._attrs(mid, info)

    async def mkdir(self, parent_inode, name, mode, ctx):
        self._change('mkdir')
        rel = self._rel(parent_inode, name)
        try:
            os.mkdir(self._abs(rel), mode)
        except OSError as error:
            raise pyfuse3.FUSEError(error.errno)
        info = os.lstat(self._abs(rel))
        mid = self._mid_for(info.st_ino, rel, fresh=True)
        self.model.kind[mid] = 'dir'
        self.model.pending.append({'op': 'create', 'parent': parent_inode, 'name': os.fsdecode(name), 'mid': mid, 'kind': 'dir'})
        return self._attrs(mid, info)

    async def write(self, fh, off, buf):
        self._change('write')
        fd, mid = self.handles[fh]
        written = os.pwrite(fd, buf, off)
        self.model.pending.append({'op': 'write', 'mid': mid, 'offset': off, 'bytes': bytes(buf[:written])})
        return written

    async def setattr(self, inode, attr, fields, fh, ctx):
        path = self._path(inode)
        if fields.update_size:
            self._change('truncate')
            if fh is not None and fh in self.handles:
                os.ftruncate(self.handles[fh][0], attr.st_size)
            else:
                os.truncate(path, attr.st_size)
            self.model.pending.append({'op': 'truncate', 'mid': inode, 'size': attr.st_size})
        if fields.update_mode:
            os.chmod(path, st.S_IMODE(attr.st_mode))
        if fields.update_atime or fields.update_mtime:
            info = os.lstat(path)
            atime = attr.st_atime_ns if fields.update_atime else info.st_atime_ns
            mtime = attr.st_mtime_ns if fields.update_mtime else info.st_mtime_ns
            os.utime(path, ns=(atime, mtime))
        return await self.getattr(inode)

    async def unlink(self, parent_inode, name, ctx):
        await self._remove(parent_inode, name, os.unlink)

    async def rmdir(self, parent_inode, name, ctx):
        await self._remove(parent_inode, name, os.rmdir)

    async def _remove(self, parent_inode, name, remove):
        self._change('unlink')
        mid, _ = self._entry(parent_inode, name)
        rel = self._rel(parent_inode, name)
        try:
            remove(self._abs(rel))
        except OSError as error:
            raise pyfuse3.FUSEError(error.errno)
        self._drop_path(rel)
        self.model.pending.append({'op': 'unlink', 'parent': parent_inode, 'name': os.fsdecode(name), 'mid': mid})

    async def rename(self, parent_inode_old, name_old, parent_inode_new, name_new, flags, ctx):
        if flags != 0:
            raise pyfuse3.FUSEError(errno.EINVAL)
        self._change('rename')
        mid, _ = self._entry(parent_inode_old, name_old)
        old_rel = self._rel(parent_inode_old, name_old)
        new_rel = self._rel(parent_inode_new, name_new)
        try:
            os.rename(self._abs(old_rel), self._abs(new_rel))
        except OSError as error:
            raise pyfuse3.FUSEError(error.errno)
        self._drop_path(new_rel)
        self._move_paths(old_rel, new_rel)
        self.model.pending.append({
            'op': 'rename', 'mid': mid,
            'old_parent': parent_inode_old, 'old_name': os.fsdecode(name_old),
            'new_parent': parent_inode_new, 'new_name': os.fsdecode(name_new),
            'sides': sorted({parent_inode_old, parent_inode_new}),
        })

    async def link(self, inode, new_parent_inode, new_name, ctx):
        self._change('link')
        rel = self._rel(new_parent_inode, new_name)
        try:
            os.link(self._path(inode), self._abs(rel))
        except OSError as error:
            raise pyfuse3.FUSEError(error.errno)
        self.paths.setdefault(inode, set()).add(rel)
        self.model.pending.append({'op': 'link', 'parent': new_parent_inode, 'name': os.fsdecode(new_name), 'mid': inode})
        return self._attrs(inode, os.lstat(self._abs(rel)))

    async def symlink(self, parent_inode, name, target, ctx):
        raise pyfuse3.FUSEError(errno.ENOSYS)

    # -- persistence points ------------------------------------------------------------

    async def fsync(self, fh, datasync):
        self._change('fsync')
        fd, mid = self.handles[fh]
        os.fsync(fd)
        # Through /proc: the handle may be write-only, and the file may have no name any more.
        with open(f'/proc/self/fd/{fd}', 'rb') as contents:
            self.model.file_synced(mid, contents.read())

    async def fsyncdir(self, fh, datasync):
        self._change('fsyncdir')
        rel = sorted(self.paths[fh])[0]
        entries = {}
        for name in os.listdir(self._abs(rel)):
            info = os.lstat(self._abs(os.path.join(rel, name)))
            entries[name] = self._mid_for(info.st_ino, os.path.join(rel, name))
        self.model.dir_synced(fh, entries)

    # -- control -----------------------------------------------------------------------

    def command(self, line):
        words = line.split()
        if not words:
            return None
        if words[0] == 'crash-at':
            self.crash_at = int(words[1])
            return 'ok'
        if words[0] == 'crash':
            self.frozen = True
            return f'crashed {self.ops}'
        if words[0] == 'status':
            return f'status {self.ops} {int(self.frozen)} {len(self.model.pending)}'
        if words[0] == 'trace':
            with open(words[1], 'w') as out:
                out.write(''.join(kind + '\n' for kind in self.kinds))
            return f'trace {len(self.kinds)}'
        if words[0] == 'states':
            target, wanted = words[1], int(words[2])
            pending = len(self.model.pending)
            # state-0: durable only; then prefixes spread over the pending list, the whole list last.
            prefixes = sorted({0} | {round(pending * (i + 1) / wanted) for i in range(wanted)} if pending else {0})
            for index, prefix in enumerate(prefixes):
                self.model.write_state(prefix, os.path.join(target, f'state-{index}'))
            return f'states {len(prefixes)} {pending}'
        return f'error unknown command {words[0]}'


async def control(fs, nursery):
    stdin = trio.lowlevel.FdStream(os.dup(0))
    buffer = b''
    while True:
        chunk = await stdin.receive_some(4096)
        if not chunk:
            break
        buffer += chunk
        while b'\n' in buffer:
            line, buffer = buffer.split(b'\n', 1)
            if line.strip() == b'quit':
                nursery.cancel_scope.cancel()
                return
            try:
                reply = fs.command(line.decode())
            except Exception as error:  # a bad command must not take the file system down
                reply = f'error {error!r}'
            if reply is not None:
                sys.stdout.write(reply + '\n')
                sys.stdout.flush()
    nursery.cancel_scope.cancel()


async def run(fs, mountpoint):
    options = set(pyfuse3.default_options)
    options.add('fsname=crashfs')
    pyfuse3.init(fs, mountpoint, options)
    sys.stdout.write('mounted\n')
    sys.stdout.flush()
    try:
        async with trio.open_nursery() as nursery:
            nursery.start_soon(control, fs, nursery)
            # One worker: calls are handled one at a time, in the order the kernel sends them.
            nursery.start_soon(pyfuse3.main, 1, 1)
    finally:
        pyfuse3.close(unmount=True)


if __name__ == '__main__':
    if len(sys.argv) != 3:
        sys.exit('usage: crashfs.py <backing dir> <mount point>')
    trio.run(run, CrashFs(sys.argv[1]), sys.argv[2])
