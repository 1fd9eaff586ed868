// A WASI (preview 1) host for the `iro` command compiled to wasm32-wasip1, with an
// in-memory file system. It runs inside the page's worker: the files the analyst
// chose are put into the file system, `iro` runs on them exactly as on the
// command line, and what it writes is read back out. Nothing touches the network
// or the disk.
//
// The whole module is one function so that the page can hand its source text to a
// worker made from a Blob (a page opened from disk may not load worker scripts by
// URL). Only the calls Rust's standard library makes are implemented; any other
// answers ENOSYS.
function iroWasiModule() {
  "use strict";

  const E = {
    SUCCESS: 0, BADF: 8, EXIST: 20, INVAL: 28, IO: 29, ISDIR: 31, NOENT: 44,
    NOSYS: 52, NOTDIR: 54, NOTEMPTY: 55, SPIPE: 70,
  };
  const FILETYPE = { UNKNOWN: 0, DIRECTORY: 3, REGULAR_FILE: 4 };
  const OFLAGS = { CREAT: 1, DIRECTORY: 2, EXCL: 4, TRUNC: 8 };
  const FDFLAGS_APPEND = 1;
  const RIGHTS_ALL = 0x1fffffffn;

  class ProcExit extends Error {
    constructor(code) {
      super("exit " + code);
      this.code = code;
    }
  }

  // A file: bytes with room to grow.
  class File {
    constructor(bytes) {
      this.data = bytes || new Uint8Array(0);
      this.size = this.data.length;
      this.mtime = BigInt(Date.now()) * 1000000n;
    }
    bytes() {
      return this.data.subarray(0, this.size);
    }
    ensure(n) {
      if (n <= this.data.length) return;
      const grown = new Uint8Array(Math.max(n, this.data.length * 2, 4096));
      grown.set(this.data.subarray(0, this.size));
      this.data = grown;
    }
    truncate(n) {
      this.ensure(n);
      if (n > this.size) this.data.fill(0, this.size, n);
      this.size = n;
    }
  }

  class Dir {
    constructor() {
      this.children = new Map();
      this.mtime = BigInt(Date.now()) * 1000000n;
    }
  }

  // The file system: a tree of Dir and File from one root.
  class MemFS {
    constructor() {
      this.root = new Dir();
    }
    static parts(path) {
      return path.split("/").filter((p) => p !== "" && p !== ".");
    }
    // Finds a node; `..` is resolved lexically.
    lookup(dir, path) {
      const stack = [dir];
      for (const p of MemFS.parts(path)) {
        const here = stack[stack.length - 1];
        if (p === "..") {
          if (stack.length > 1) stack.pop();
          continue;
        }
        if (!(here instanceof Dir)) return null;
        const next = here.children.get(p);
        if (!next) return null;
        stack.push(next);
      }
      return stack[stack.length - 1];
    }
    // The parent folder and the last name of a path, or an errno.
    parent(dir, path) {
      const parts = MemFS.parts(path);
      if (parts.length === 0) return { errno: E.INVAL };
      const name = parts.pop();
      const parent = this.lookup(dir, parts.join("/"));
      if (!parent) return { errno: E.NOENT };
      if (!(parent instanceof Dir)) return { errno: E.NOTDIR };
      return { parent, name };
    }
    mkdirs(path) {
      let d = this.root;
      for (const p of MemFS.parts(path)) {
        let next = d.children.get(p);
        if (!next) {
          next = new Dir();
          d.children.set(p, next);
        }
        d = next;
      }
      return d;
    }
    writeFile(path, bytes) {
      const parts = MemFS.parts(path);
      const name = parts.pop();
      this.mkdirs(parts.join("/")).children.set(name, new File(bytes));
    }
    readFile(path) {
      const n = this.lookup(this.root, path);
      return n instanceof File ? n.bytes() : null;
    }
    // Every file under `path`, as [relative path, bytes], sorted by path.
    files(path) {
      const out = [];
      const walk = (node, prefix) => {
        for (const [name, child] of [...node.children].sort()) {
          const p = prefix ? prefix + "/" + name : name;
          if (child instanceof Dir) walk(child, p);
          else out.push([p, child.bytes()]);
        }
      };
      const start = this.lookup(this.root, path);
      if (start instanceof Dir) walk(start, "");
      return out;
    }
  }

  // Runs a WASI command module once: `args` as its argv, `fs` as its file
  // system (preopened as "/"), stdout and stderr passed to the callbacks as text.
  function run(module, { args, env, fs, stdout, stderr }) {
    const encoder = new TextEncoder();
    const decoders = { 1: new TextDecoder(), 2: new TextDecoder() };
    const argv = args.map((a) => encoder.encode(a + "\0"));
    const envv = Object.entries(env || {}).map(([k, v]) => encoder.encode(k + "=" + v + "\0"));
    let memory = null;
    const view = () => new DataView(memory.buffer);
    const u8 = () => new Uint8Array(memory.buffer);
    const str = (ptr, len) => new TextDecoder().decode(u8().subarray(ptr, ptr + len));

    // Open descriptors: 0–2 the standard streams, 3 the root.
    const fds = new Map();
    fds.set(3, { node: fs.root, pos: 0, preopen: "/" });
    let nextFd = 4;

    const sizes = (list, countPtr, sizePtr) => {
      const v = view();
      v.setUint32(countPtr, list.length, true);
      v.setUint32(sizePtr, list.reduce((n, a) => n + a.length, 0), true);
      return E.SUCCESS;
    };
    const fill = (list, ptrsPtr, bufPtr) => {
      const v = view();
      const m = u8();
      let at = bufPtr;
      list.forEach((a, i) => {
        v.setUint32(ptrsPtr + 4 * i, at, true);
        m.set(a, at);
        at += a.length;
      });
      return E.SUCCESS;
    };
    const iovecs = (ptr, len) => {
      const v = view();
      const out = [];
      for (let i = 0; i < len; i++) {
        out.push([v.getUint32(ptr + 8 * i, true), v.getUint32(ptr + 8 * i + 4, true)]);
      }
      return out;
    };
    const filestat = (ptr, node) => {
      const v = view();
      for (let i = 0; i < 64; i += 8) v.setBigUint64(ptr + i, 0n, true);
      v.setBigUint64(ptr + 8, BigInt(nodeId(node)), true);
      v.setUint8(ptr + 16, node instanceof Dir ? FILETYPE.DIRECTORY : FILETYPE.REGULAR_FILE);
      v.setBigUint64(ptr + 24, 1n, true);
      v.setBigUint64(ptr + 32, BigInt(node instanceof File ? node.size : 0), true);
      v.setBigUint64(ptr + 40, node.mtime, true);
      v.setBigUint64(ptr + 48, node.mtime, true);
      v.setBigUint64(ptr + 56, node.mtime, true);
      return E.SUCCESS;
    };
    const ids = new WeakMap();
    let nextId = 1;
    const nodeId = (node) => {
      if (!ids.has(node)) ids.set(node, nextId++);
      return ids.get(node);
    };
    const dirOf = (fd) => {
      const d = fds.get(fd);
      if (!d) return { errno: E.BADF };
      if (!(d.node instanceof Dir)) return { errno: E.NOTDIR };
      return { dir: d.node };
    };
    // The folder a path names its last part in, that name, and what is there now
    // (`node`, if anything), or an errno.
    const entry = (fd, path, pathLen) => {
      const at = dirOf(fd);
      if (at.errno) return at;
      const where = fs.parent(at.dir, str(path, pathLen));
      if (where.errno) return where;
      return { ...where, node: where.parent.children.get(where.name) };
    };
    const write = (fd, chunks) => {
      if (fd === 1 || fd === 2) {
        let text = "";
        for (const c of chunks) text += decoders[fd].decode(c, { stream: true });
        (fd === 1 ? stdout : stderr)(text);
        return chunks.reduce((n, c) => n + c.length, 0);
      }
      const d = fds.get(fd);
      if (!d || !(d.node instanceof File)) return -E.BADF;
      const f = d.node;
      let total = 0;
      if (d.append) d.pos = f.size;
      for (const c of chunks) {
        f.ensure(d.pos + c.length);
        f.data.set(c, d.pos);
        d.pos += c.length;
        if (d.pos > f.size) f.size = d.pos;
        total += c.length;
      }
      f.mtime = BigInt(Date.now()) * 1000000n;
      return total;
    };
    const gather = (iovs, iovsLen) => {
      const m = u8();
      return iovecs(iovs, iovsLen).map(([p, l]) => m.slice(p, p + l));
    };
    const scatter = (f, pos, iovs, iovsLen) => {
      const m = u8();
      let read = 0;
      for (const [p, l] of iovecs(iovs, iovsLen)) {
        const n = Math.max(0, Math.min(l, f.size - pos - read));
        m.set(f.data.subarray(pos + read, pos + read + n), p);
        read += n;
        if (n < l) break;
      }
      return read;
    };

    const wasi = {
      args_sizes_get: (c, s) => sizes(argv, c, s),
      args_get: (p, b) => fill(argv, p, b),
      environ_sizes_get: (c, s) => sizes(envv, c, s),
      environ_get: (p, b) => fill(envv, p, b),
      clock_res_get: (_id, ptr) => {
        view().setBigUint64(ptr, 1000n, true);
        return E.SUCCESS;
      },
      clock_time_get: (id, _precision, ptr) => {
        const ns = id === 0
          ? BigInt(Date.now()) * 1000000n
          : BigInt(Math.round(performance.now() * 1000)) * 1000n;
        view().setBigUint64(ptr, ns, true);
        return E.SUCCESS;
      },
      random_get: (ptr, len) => {
        for (let at = 0; at < len; at += 65536) {
          crypto.getRandomValues(u8().subarray(ptr + at, ptr + Math.min(len, at + 65536)));
        }
        return E.SUCCESS;
      },
      proc_exit: (code) => {
        throw new ProcExit(code);
      },
      sched_yield: () => E.SUCCESS,
      poll_oneoff: (_in, _out, _n, nevents) => {
        view().setUint32(nevents, 0, true);
        return E.SUCCESS;
      },
      fd_prestat_get: (fd, ptr) => {
        const d = fds.get(fd);
        if (!d || !d.preopen) return E.BADF;
        const v = view();
        v.setUint8(ptr, 0);
        v.setUint32(ptr + 4, encoder.encode(d.preopen).length, true);
        return E.SUCCESS;
      },
      fd_prestat_dir_name: (fd, ptr, len) => {
        const d = fds.get(fd);
        if (!d || !d.preopen) return E.BADF;
        u8().set(encoder.encode(d.preopen).subarray(0, len), ptr);
        return E.SUCCESS;
      },
      fd_fdstat_get: (fd, ptr) => {
        const v = view();
        const d = fds.get(fd);
        if (fd > 2 && !d) return E.BADF;
        const type = fd <= 2 ? FILETYPE.UNKNOWN
          : d.node instanceof Dir ? FILETYPE.DIRECTORY : FILETYPE.REGULAR_FILE;
        v.setUint8(ptr, type);
        v.setUint16(ptr + 2, d && d.append ? FDFLAGS_APPEND : 0, true);
        v.setBigUint64(ptr + 8, RIGHTS_ALL, true);
        v.setBigUint64(ptr + 16, RIGHTS_ALL, true);
        return E.SUCCESS;
      },
      fd_fdstat_set_flags: () => E.SUCCESS,
      fd_filestat_get: (fd, ptr) => {
        const d = fds.get(fd);
        if (!d) {
          if (fd <= 2) return filestat(ptr, new File());
          return E.BADF;
        }
        return filestat(ptr, d.node);
      },
      fd_filestat_set_size: (fd, size) => {
        const d = fds.get(fd);
        if (!d || !(d.node instanceof File)) return E.BADF;
        d.node.truncate(Number(size));
        return E.SUCCESS;
      },
      fd_filestat_set_times: () => E.SUCCESS,
      fd_advise: () => E.SUCCESS,
      fd_allocate: () => E.SUCCESS,
      fd_sync: () => E.SUCCESS,
      fd_datasync: () => E.SUCCESS,
      fd_close: (fd) => {
        if (fd <= 2) return E.SUCCESS;
        return fds.delete(fd) ? E.SUCCESS : E.BADF;
      },
      fd_write: (fd, iovs, iovsLen, nwritten) => {
        const n = write(fd, gather(iovs, iovsLen));
        if (n < 0) return -n;
        view().setUint32(nwritten, n, true);
        return E.SUCCESS;
      },
      fd_pwrite: (fd, iovs, iovsLen, offset, nwritten) => {
        const d = fds.get(fd);
        if (!d || !(d.node instanceof File)) return E.BADF;
        const keep = d.pos;
        d.pos = Number(offset);
        const n = write(fd, gather(iovs, iovsLen));
        d.pos = keep;
        view().setUint32(nwritten, n, true);
        return E.SUCCESS;
      },
      fd_read: (fd, iovs, iovsLen, nread) => {
        if (fd === 0) {
          view().setUint32(nread, 0, true);
          return E.SUCCESS;
        }
        const d = fds.get(fd);
        if (!d) return E.BADF;
        if (!(d.node instanceof File)) return E.ISDIR;
        const n = scatter(d.node, d.pos, iovs, iovsLen);
        d.pos += n;
        view().setUint32(nread, n, true);
        return E.SUCCESS;
      },
      fd_pread: (fd, iovs, iovsLen, offset, nread) => {
        const d = fds.get(fd);
        if (!d) return E.BADF;
        if (!(d.node instanceof File)) return E.ISDIR;
        view().setUint32(nread, scatter(d.node, Number(offset), iovs, iovsLen), true);
        return E.SUCCESS;
      },
      fd_seek: (fd, offset, whence, ptr) => {
        const d = fds.get(fd);
        if (!d) return fd <= 2 ? E.SPIPE : E.BADF;
        const base = whence === 0 ? 0 : whence === 1 ? d.pos
          : d.node instanceof File ? d.node.size : 0;
        const pos = base + Number(offset);
        if (pos < 0) return E.INVAL;
        d.pos = pos;
        view().setBigUint64(ptr, BigInt(pos), true);
        return E.SUCCESS;
      },
      fd_tell: (fd, ptr) => {
        const d = fds.get(fd);
        if (!d) return E.BADF;
        view().setBigUint64(ptr, BigInt(d.pos), true);
        return E.SUCCESS;
      },
      fd_readdir: (fd, buf, bufLen, cookie, bufused) => {
        const d = fds.get(fd);
        if (!d) return E.BADF;
        if (!(d.node instanceof Dir)) return E.NOTDIR;
        const entries = [[".", d.node], ["..", d.node], ...[...d.node.children].sort()];
        const v = view();
        const m = u8();
        let at = 0;
        for (let i = Number(cookie); i < entries.length && at < bufLen; i++) {
          const [name, node] = entries[i];
          const bytes = encoder.encode(name);
          const head = new Uint8Array(24);
          const hv = new DataView(head.buffer);
          hv.setBigUint64(0, BigInt(i + 1), true);
          hv.setBigUint64(8, BigInt(nodeId(node)), true);
          hv.setUint32(16, bytes.length, true);
          hv.setUint8(20, node instanceof Dir ? FILETYPE.DIRECTORY : FILETYPE.REGULAR_FILE);
          const entry = new Uint8Array(24 + bytes.length);
          entry.set(head);
          entry.set(bytes, 24);
          const n = Math.min(entry.length, bufLen - at);
          m.set(entry.subarray(0, n), buf + at);
          at += n;
        }
        v.setUint32(bufused, at, true);
        return E.SUCCESS;
      },
      fd_renumber: (from, to) => {
        const d = fds.get(from);
        if (!d) return E.BADF;
        fds.set(to, d);
        fds.delete(from);
        return E.SUCCESS;
      },
      path_open: (fd, _lookup, path, pathLen, oflags, _base, _inheriting, fdflags, ptr) => {
        const at = dirOf(fd);
        if (at.errno) return at.errno;
        const p = str(path, pathLen);
        let node = fs.lookup(at.dir, p);
        if (node && oflags & OFLAGS.EXCL && oflags & OFLAGS.CREAT) return E.EXIST;
        if (!node) {
          if (!(oflags & OFLAGS.CREAT)) return E.NOENT;
          const where = fs.parent(at.dir, p);
          if (where.errno) return where.errno;
          node = new File();
          where.parent.children.set(where.name, node);
        }
        if (oflags & OFLAGS.DIRECTORY && !(node instanceof Dir)) return E.NOTDIR;
        if (node instanceof File && oflags & OFLAGS.TRUNC) node.truncate(0);
        const fdNew = nextFd++;
        fds.set(fdNew, { node, pos: 0, append: (fdflags & FDFLAGS_APPEND) !== 0 });
        view().setUint32(ptr, fdNew, true);
        return E.SUCCESS;
      },
      path_filestat_get: (fd, _flags, path, pathLen, ptr) => {
        const at = dirOf(fd);
        if (at.errno) return at.errno;
        const node = fs.lookup(at.dir, str(path, pathLen));
        return node ? filestat(ptr, node) : E.NOENT;
      },
      path_filestat_set_times: () => E.SUCCESS,
      path_create_directory: (fd, path, pathLen) => {
        const e = entry(fd, path, pathLen);
        if (e.errno) return e.errno;
        if (e.node) return E.EXIST;
        e.parent.children.set(e.name, new Dir());
        return E.SUCCESS;
      },
      path_remove_directory: (fd, path, pathLen) => {
        const e = entry(fd, path, pathLen);
        if (e.errno) return e.errno;
        if (!e.node) return E.NOENT;
        if (!(e.node instanceof Dir)) return E.NOTDIR;
        if (e.node.children.size) return E.NOTEMPTY;
        e.parent.children.delete(e.name);
        return E.SUCCESS;
      },
      path_unlink_file: (fd, path, pathLen) => {
        const e = entry(fd, path, pathLen);
        if (e.errno) return e.errno;
        if (!e.node) return E.NOENT;
        if (e.node instanceof Dir) return E.ISDIR;
        e.parent.children.delete(e.name);
        return E.SUCCESS;
      },
      path_rename: (fd, oldPath, oldLen, newFd, newPath, newLen) => {
        const from = entry(fd, oldPath, oldLen);
        const to = entry(newFd, newPath, newLen);
        if (from.errno || to.errno) return from.errno || to.errno;
        if (!from.node) return E.NOENT;
        from.parent.children.delete(from.name);
        to.parent.children.set(to.name, from.node);
        return E.SUCCESS;
      },
      path_readlink: () => E.INVAL,
      path_symlink: () => E.NOSYS,
      path_link: () => E.NOSYS,
    };
    const imports = {
      wasi_snapshot_preview1: new Proxy(wasi, {
        get: (target, name) => (name in target ? target[name] : () => E.NOSYS),
      }),
    };
    const instance = new WebAssembly.Instance(module, imports);
    memory = instance.exports.memory;
    try {
      instance.exports._start();
      return 0;
    } catch (e) {
      if (e instanceof ProcExit) return e.code;
      throw e;
    } finally {
      const rest1 = decoders[1].decode();
      const rest2 = decoders[2].decode();
      if (rest1) stdout(rest1);
      if (rest2) stderr(rest2);
    }
  }

  return { MemFS, run };
}
