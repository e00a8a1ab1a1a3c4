import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

let sequence = 0;

/**
 * The temporary file name used while `target` is written: hidden, in the same directory (so
 * the rename stays on one file system), unique per process and write, and not ending in `.json`
 * so that directory readers never pick it up.
 */
export function temporaryPathFor(target: string): string {
  sequence = (sequence + 1) % Number.MAX_SAFE_INTEGER;
  return join(dirname(target), `.${basename(target)}.${process.pid}.${sequence}.tmp`);
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
    try {
      return { tmp, fd: openSync(tmp, 'wx', 0o644) };
    } catch (err) {
      if (!isNameTaken(err) || attempt >= TEMPORARY_NAME_ATTEMPTS) throw err;
    }
  }
}

async function openTemporary(target: string): Promise<{ tmp: string; handle: import('node:fs/promises').FileHandle }> {
  for (let attempt = 1; ; attempt++) {
    const tmp = temporaryPathFor(target);
    try {
      return { tmp, handle: await open(tmp, 'wx', 0o644) };
    } catch (err) {
      if (!isNameTaken(err) || attempt >= TEMPORARY_NAME_ATTEMPTS) throw err;
    }
  }
}

function syncDirectorySync(dir: string): void {
  // Makes the rename itself durable. Some file systems refuse fsync on a directory: best effort.
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // ignored: the data is in place, only its durability across a power cut is weaker
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Replaces `target` with `data` atomically: writes a temporary file in the same directory,
 * fsyncs it, renames it over `target`, then fsyncs the directory. A reader sees the old file or
 * the new one, never a partial one, even if the process dies mid-write. A temporary name that
 * is already taken (a file left by a killed process with the same pid) is skipped for the next.
 * On failure the temporary file is removed and the error is thrown.
 */
export function writeFileAtomicSync(target: string, data: string): void {
  const opened = openTemporarySync(target);
  const tmp = opened.tmp;
  let fd: number | undefined = opened.fd;
  try {
    const buf = Buffer.from(data, 'utf8');
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, target);
  } catch (err) {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        // already failing
      }
    }
    try {
      unlinkSync(tmp);
    } catch {
      // it may not exist
    }
    throw err;
  }
  syncDirectorySync(dirname(target));
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
    await rename(tmp, target);
  } catch (err) {
    await handle?.close().catch(() => {});
    await unlink(tmp).catch(() => {});
    throw err;
  }
  let dir: import('node:fs/promises').FileHandle | undefined;
  try {
    dir = await open(dirname(target), 'r');
    await dir.sync();
  } catch {
    // best effort, as in the synchronous form
  } finally {
    await dir?.close().catch(() => {});
  }
}
