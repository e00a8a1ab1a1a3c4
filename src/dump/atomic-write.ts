import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * The file-system calls of an atomic write. Internal seam, not exported by the package: tests
 * wrap these to observe the order of the calls (that the temporary file is fsync'ed before the
 * rename, which nothing short of a power cut would otherwise show).
 */
export const atomicWriteFs = {
  openSync: fs.openSync,
  writeSync: fs.writeSync as (fd: number, buf: Buffer, offset: number, length: number) => number,
  fsyncSync: fs.fsyncSync,
  closeSync: fs.closeSync,
  renameSync: fs.renameSync,
  unlinkSync: fs.unlinkSync,
  /** Opens a file; the asynchronous form syncs with the handle's `sync()`. */
  open: fsp.open,
  rename: fsp.rename,
  unlink: fsp.unlink,
};

let sequence = 0;

/**
 * This process's token in its temporary names. The pid alone does not tell writers apart:
 * processes in containers sharing a volume may all be pid 1.
 */
const TOKEN = randomBytes(8).toString('hex');

/** The temporary files this process is writing now (never cleaned up as stale). */
const inFlight = new Set<string>();

/**
 * How old a temporary file of a process that still runs must be to count as stale: such a file
 * is normally another writer's write in progress, unless the pid was reused (a container's pid 1).
 */
const STALE_TEMPORARY_AGE_MS = 10 * 60_000;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function isAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The stale temporary files of `target` among `names` (its directory's entries): named as
 * {@link temporaryPathFor} names them for this very target (or as earlier versions did, without
 * the token), not being written by this process, last modified before `startedMs` (the start of
 * the current write), and either this process's own (its token), or left by a pid that is gone
 * on this host, or untouched for 10 minutes. A file with a live pid and another token (another
 * container's pid 1 writing to a shared volume) is kept until then. Files of other names, and
 * other targets' temporary files, are never touched.
 */
function staleTemporaries(target: string, names: readonly string[], mtimeMs: (path: string) => number | undefined, startedMs: number): string[] {
  const pattern = new RegExp(`^\\.${escapeRegExp(basename(target))}\\.(\\d+)\\.(?:([0-9a-f]{16})\\.)?(\\d+)\\.tmp$`);
  const out: string[] = [];
  for (const name of names) {
    const m = pattern.exec(name);
    if (m === null) continue;
    const path = join(dirname(target), name);
    if (inFlight.has(path)) continue;
    const modified = mtimeMs(path);
    if (modified === undefined || !(modified < startedMs)) continue;
    const pid = Number(m[1]);
    const ours = pid === process.pid && m[2] === TOKEN;
    if (ours || !isAlive(pid) || startedMs - modified > STALE_TEMPORARY_AGE_MS) out.push(path);
  }
  return out;
}

/** Removes the stale temporary files of `target` (left by writers killed mid-write); best effort, never throws. */
function removeStaleTemporariesSync(target: string, startedMs: number): void {
  try {
    const stale = staleTemporaries(
      target,
      fs.readdirSync(dirname(target)),
      (path) => {
        try {
          return fs.lstatSync(path).mtimeMs;
        } catch {
          return undefined;
        }
      },
      startedMs,
    );
    for (const path of stale) {
      try {
        fs.unlinkSync(path);
      } catch {
        // gone already, or not ours to remove
      }
    }
  } catch {
    // the directory cannot be listed: nothing to clean
  }
}

async function removeStaleTemporaries(target: string, startedMs: number): Promise<void> {
  try {
    const names = await fsp.readdir(dirname(target));
    const times = new Map<string, number>();
    const pattern = `.${basename(target)}.`;
    for (const name of names) {
      if (!name.startsWith(pattern) || !name.endsWith('.tmp')) continue;
      const path = join(dirname(target), name);
      const st = await fsp.lstat(path).catch(() => undefined);
      if (st !== undefined) times.set(path, st.mtimeMs);
    }
    for (const path of staleTemporaries(target, names, (p) => times.get(p), startedMs)) await fsp.unlink(path).catch(() => {});
  } catch {
    // the directory cannot be listed: nothing to clean
  }
}

/**
 * The temporary file name used while `target` is written: hidden, in the same directory (so
 * the rename stays on one file system), unique per process (pid and a random token) and write,
 * and not ending in `.json` so that directory readers never pick it up:
 * `.<name>.<pid>.<token>.<n>.tmp`.
 */
export function temporaryPathFor(target: string): string {
  sequence = (sequence + 1) % Number.MAX_SAFE_INTEGER;
  return join(dirname(target), `.${basename(target)}.${process.pid}.${TOKEN}.${sequence}.tmp`);
}

/**
 * How many temporary names a write tries. A name can be taken by a file left behind by a killed
 * earlier process with the same pid (in a container the app is often pid 1 at every start).
 */
const TEMPORARY_NAME_ATTEMPTS = 100;

function isNameTaken(err: unknown): boolean {
  return (err as NodeJS.ErrnoException)?.code === 'EEXIST';
}

/** Creates a new temporary file for `target` (exclusively); returns its path and descriptor. */
function openTemporarySync(target: string): { tmp: string; fd: number } {
  for (let attempt = 1; ; attempt++) {
    const tmp = temporaryPathFor(target);
    inFlight.add(tmp);
    try {
      return { tmp, fd: atomicWriteFs.openSync(tmp, 'wx', 0o644) };
    } catch (err) {
      inFlight.delete(tmp);
      if (!isNameTaken(err) || attempt >= TEMPORARY_NAME_ATTEMPTS) throw err;
    }
  }
}

async function openTemporary(target: string): Promise<{ tmp: string; handle: import('node:fs/promises').FileHandle }> {
  for (let attempt = 1; ; attempt++) {
    const tmp = temporaryPathFor(target);
    inFlight.add(tmp);
    try {
      return { tmp, handle: await atomicWriteFs.open(tmp, 'wx', 0o644) };
    } catch (err) {
      inFlight.delete(tmp);
      if (!isNameTaken(err) || attempt >= TEMPORARY_NAME_ATTEMPTS) throw err;
    }
  }
}

function syncDirectorySync(dir: string): void {
  // Makes the rename itself durable. Some file systems refuse fsync on a directory: best effort.
  let fd: number | undefined;
  try {
    fd = atomicWriteFs.openSync(dir, 'r');
    atomicWriteFs.fsyncSync(fd);
  } catch {
    // ignored: the data is in place, only its durability across a power cut is weaker
  } finally {
    if (fd !== undefined) atomicWriteFs.closeSync(fd);
  }
}

/**
 * Replaces `target` with `data` atomically: writes a temporary file in the same directory,
 * fsyncs it, renames it over `target`, then fsyncs the directory. A reader sees the old file or
 * the new one, never a partial one, even if the process dies mid-write. A temporary name that
 * is already taken (a file left by a killed process with the same pid) is skipped for the next.
 * On failure the temporary file is removed and the error is thrown. After a write, the stale
 * temporary files of `target` left by writers killed mid-write (same naming, older than this
 * write, of this process or of a process that is gone, or 10 minutes old) are removed.
 */
export function writeFileAtomicSync(target: string, data: string): void {
  const startedMs = Date.now();
  const opened = openTemporarySync(target);
  const tmp = opened.tmp;
  let fd: number | undefined = opened.fd;
  try {
    const buf = Buffer.from(data, 'utf8');
    let off = 0;
    while (off < buf.length) off += atomicWriteFs.writeSync(fd, buf, off, buf.length - off);
    atomicWriteFs.fsyncSync(fd);
    atomicWriteFs.closeSync(fd);
    fd = undefined;
    atomicWriteFs.renameSync(tmp, target);
  } catch (err) {
    if (fd !== undefined) {
      try {
        atomicWriteFs.closeSync(fd);
      } catch {
        // already failing
      }
    }
    try {
      atomicWriteFs.unlinkSync(tmp);
    } catch {
      // it may not exist
    }
    throw err;
  } finally {
    inFlight.delete(tmp);
  }
  syncDirectorySync(dirname(target));
  removeStaleTemporariesSync(target, startedMs);
}

async function writeAll(handle: import('node:fs/promises').FileHandle, text: string): Promise<void> {
  const buf = Buffer.from(text, 'utf8');
  let off = 0;
  while (off < buf.length) off += (await handle.write(buf, off, buf.length - off)).bytesWritten;
}

/** Bytes gathered from the pieces of an iterable before each write. */
const WRITE_BATCH_CHARS = 64 * 1024;

/**
 * The asynchronous form of {@link writeFileAtomicSync} (same guarantees). `data` may be a string
 * or pieces of text: pieces are gathered into writes of about 64 KiB, and every write lets the
 * event loop run, so a large file built piece by piece never blocks it for long.
 */
export async function writeFileAtomic(target: string, data: string | Iterable<string>): Promise<void> {
  const startedMs = Date.now();
  const opened = await openTemporary(target);
  const tmp = opened.tmp;
  let handle: import('node:fs/promises').FileHandle | undefined = opened.handle;
  try {
    if (typeof data === 'string') await handle.writeFile(data, 'utf8');
    else {
      let batch = '';
      for (const piece of data) {
        batch += piece;
        if (batch.length >= WRITE_BATCH_CHARS) {
          await writeAll(handle, batch);
          batch = '';
        }
      }
      if (batch !== '') await writeAll(handle, batch);
    }
    await handle.sync();
    await handle.close();
    handle = undefined;
    await atomicWriteFs.rename(tmp, target);
  } catch (err) {
    await handle?.close().catch(() => {});
    await atomicWriteFs.unlink(tmp).catch(() => {});
    throw err;
  } finally {
    inFlight.delete(tmp);
  }
  let dir: import('node:fs/promises').FileHandle | undefined;
  try {
    dir = await atomicWriteFs.open(dirname(target), 'r');
    await dir.sync();
  } catch {
    // best effort, as in the synchronous form
  } finally {
    await dir?.close().catch(() => {});
  }
  await removeStaleTemporaries(target, startedMs);
}
