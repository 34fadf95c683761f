// The local, append-only file where decision records wait while Kafka is unreachable: one
// JSON record per line, and beside it the byte offset up to which lines have been sent.
// Writes are synchronous and synced, so that a line is on disk before the pump moves on;
// a torn last line (a crash mid-write) is cut at open. One replica per directory: a lock
// file holds the owner's pid.
import {
  closeSync,
  existsSync,
  fdatasyncSync,
  fstatSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';

export class SpoolInUseError extends Error {
  constructor(dir: string, pid: number) {
    super(`SPOOL_DIR ${dir} is in use by process ${pid}; give each replica its own SPOOL_DIR`);
    this.name = 'SpoolInUseError';
  }
}

const READ_CHUNK_BYTES = 1024 * 1024;
const NEWLINE = 0x0a;

export interface SpoolBatch {
  readonly lines: string[];
  /** Offset to commit once the lines are sent. */
  readonly end: number;
}

export class RecordSpool {
  private fd = -1;
  private size = 0;
  private cursor = 0;
  private readonly dataPath: string;
  private readonly cursorPath: string;
  private readonly lockPath: string;

  constructor(readonly dir: string) {
    this.dataPath = join(dir, 'records.jsonl');
    this.cursorPath = join(dir, 'records.cursor');
    this.lockPath = join(dir, 'lock');
  }

  open(): void {
    mkdirSync(this.dir, { recursive: true });
    this.lock();
    this.fd = openSync(this.dataPath, 'a+');
    this.size = fstatSync(this.fd).size;
    this.cursor = existsSync(this.cursorPath) ? Number(readFileSync(this.cursorPath, 'utf8')) || 0 : 0;
    if (this.cursor > this.size) this.cursor = this.size;
    this.cutTornTail();
    if (this.cursor === this.size && this.size > 0) this.reset();
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
    rmSync(this.lockPath, { force: true });
  }

  /** Bytes written and not yet sent. */
  get pendingBytes(): number {
    return this.size - this.cursor;
  }

  get drained(): boolean {
    return this.size === this.cursor;
  }

  /** Appends the lines (each one JSON record, no newline inside) and syncs them to disk. */
  append(lines: readonly string[]): void {
    const data = Buffer.from(`${lines.join('\n')}\n`, 'utf8');
    let written = 0;
    try {
      while (written < data.length)
        written += writeSync(this.fd, data, written, data.length - written, this.size + written);
      fdatasyncSync(this.fd);
    } catch (error) {
      // Leave no partial line behind: the caller keeps the lines and tries again.
      try {
        ftruncateSync(this.fd, this.size);
      } catch {
        // the next open cuts a torn tail
      }
      throw error;
    }
    this.size += data.length;
  }

  /** Up to `maxLines` complete lines from the cursor, or null when drained. */
  read(maxLines: number): SpoolBatch | null {
    if (this.drained) return null;
    const length = Math.min(READ_CHUNK_BYTES, this.size - this.cursor);
    const buffer = Buffer.alloc(length);
    const got = readSync(this.fd, buffer, 0, length, this.cursor);
    const lines: string[] = [];
    let start = 0;
    while (lines.length < maxLines) {
      const newline = buffer.indexOf(NEWLINE, start);
      if (newline < 0 || newline >= got) break;
      if (newline > start) lines.push(buffer.toString('utf8', start, newline));
      start = newline + 1;
    }
    if (start === 0) {
      // A single line longer than the chunk: read it whole.
      const rest = readFileSync(this.dataPath).subarray(this.cursor);
      const newline = rest.indexOf(NEWLINE);
      if (newline < 0) return null;
      return { lines: [rest.toString('utf8', 0, newline)], end: this.cursor + newline + 1 };
    }
    return { lines, end: this.cursor + start };
  }

  /** Marks everything before `end` as sent. */
  commit(end: number): void {
    this.cursor = end;
    const tmp = `${this.cursorPath}.tmp`;
    writeFileSync(tmp, String(end));
    renameSync(tmp, this.cursorPath);
  }

  /** Empties a drained spool so that it does not grow across outages. */
  reset(): void {
    if (!this.drained) throw new Error('spool reset with unsent records');
    ftruncateSync(this.fd, 0);
    this.size = 0;
    this.commit(0);
  }

  private cutTornTail(): void {
    if (this.size === 0) return;
    const last = Buffer.alloc(1);
    readSync(this.fd, last, 0, 1, this.size - 1);
    if (last[0] === NEWLINE) return;
    const data = readFileSync(this.dataPath);
    const end = data.lastIndexOf(NEWLINE) + 1;
    ftruncateSync(this.fd, end);
    this.size = end;
    if (this.cursor > end) this.cursor = end;
  }

  private lock(): void {
    try {
      writeFileSync(this.lockPath, String(process.pid), { flag: 'wx' });
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = Number(readFileSync(this.lockPath, 'utf8'));
    if (Number.isSafeInteger(owner) && owner > 0 && owner !== process.pid && alive(owner))
      throw new SpoolInUseError(this.dir, owner);
    writeFileSync(this.lockPath, String(process.pid)); // a dead owner's lock
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
