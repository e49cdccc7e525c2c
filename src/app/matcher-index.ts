import { closeSync, existsSync, openSync, readdirSync, readSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Logger } from 'pino';
import { AccountMatcher, MATCHER_SNAPSHOT_FORMAT, type MatcherSnapshot, type StringPool } from '../core/matching/matcher.js';
import type { AccountsRepo } from '../core/ports.js';

/**
 * The account matcher of a database file, kept on disk beside it (`<database>.matcher`):
 * - a restart reads the index instead of indexing every account again (a million accounts
 *   take seconds to index, and a fraction of a second to read);
 * - the accounts' own strings (ids, names, aliases, domains: most of the index's bytes) stay in
 *   the file and are read from it for the few accounts a query returns, so they take no memory;
 *   up to {@link STRINGS_IN_MEMORY_BYTES} of them (about 250,000 accounts) are read into memory
 *   instead, which spares a system call per account a query returns at little cost.
 * The file names the accounts' fingerprint (count and update times) and the index format it
 * was made for; when either differs, or the file cannot be read, the index is built from the
 * database and written anew. `roe import accounts` writes it for the accounts it imported, so
 * the next start (and a running server) reads it instead of indexing them. It is derived data:
 * deleting it only costs one rebuild.
 */
export function indexPath(databasePath: string): string | null {
  return databasePath === ':memory:' || databasePath === '' ? null : `${databasePath}.matcher`;
}

const MAGIC = 'ROEMATCH';
/** Account strings up to this many bytes are held in memory rather than read from the file. */
export const STRINGS_IN_MEMORY_BYTES = 16 * 1024 * 1024;
const STRINGS = 'strings.bytes';
type ArrayKind = 'i32' | 'u8' | 'u16';
interface Header {
  format: number;
  fingerprint: string;
  numbers: Record<string, number>;
  arrays: { name: string; kind: ArrayKind; offset: number; length: number }[];
}

const align8 = (n: number) => (n + 7) & ~7;
const BYTES: Record<ArrayKind, number> = { i32: 4, u16: 2, u8: 1 };

function kindOf(a: Int32Array | Uint8Array | Uint16Array): ArrayKind {
  return a instanceof Int32Array ? 'i32' : a instanceof Uint16Array ? 'u16' : 'u8';
}

/**
 * A temporary index file untouched for this long is a process's that was killed while it wrote
 * it (a write takes seconds at most, and renames or deletes its file as it ends).
 */
const ABANDONED_AFTER_MS = 60_000;

/**
 * Deletes the temporary index files (`<index>.<pid>.tmp`) that processes killed while writing
 * them left behind: named by a process id that the next start does not have, each would
 * otherwise stay for good, as large as the index, and a bot killed again and again as it
 * writes one (out of memory) would fill the disk with them. One of another process is kept
 * while it may still be written (see ABANDONED_AFTER_MS): that process may be in another
 * container on the same volume, where its id says nothing.
 */
function removeAbandoned(path: string, now = Date.now()): void {
  const prefix = `${basename(path)}.`;
  let names: string[];
  try {
    names = readdirSync(dirname(path));
  } catch {
    return;
  }
  for (const name of names) {
    const pid = name.startsWith(prefix) && name.endsWith('.tmp') ? name.slice(prefix.length, -'.tmp'.length) : null;
    if (pid === null || !/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
    const file = join(dirname(path), name);
    try {
      if (now - statSync(file).mtimeMs > ABANDONED_AFTER_MS) rmSync(file, { force: true });
    } catch {
      // Gone meanwhile, or not ours to delete: it is never read either way.
    }
  }
}

/** Writes the matcher's snapshot for this fingerprint (atomically: a temporary file, then rename). */
export function saveIndex(path: string, matcher: AccountMatcher, fingerprint: string): void {
  removeAbandoned(path);
  const snap = matcher.snapshot();
  const entries = Object.entries(snap.arrays);
  const arrays: Header['arrays'] = [];
  let offset = 0;
  for (const [name, a] of entries) {
    arrays.push({ name, kind: kindOf(a), offset, length: a.length });
    offset = align8(offset + a.byteLength);
  }
  const header = Buffer.from(JSON.stringify({ format: snap.format, fingerprint, numbers: snap.numbers, arrays } satisfies Header), 'utf8');
  const dataStart = align8(MAGIC.length + 4 + header.length);
  const head = Buffer.alloc(dataStart);
  head.write(MAGIC, 0, 'latin1');
  head.writeUInt32LE(header.length, MAGIC.length);
  header.copy(head, MAGIC.length + 4);
  const tmp = `${path}.${process.pid}.tmp`;
  // It lists every account (names, aliases, domains): readable by the bot's account alone, as the database is.
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, head, 0, head.length, 0);
    entries.forEach(([, a], i) => {
      const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
      for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done, dataStart + arrays[i]!.offset + done);
    });
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

function readFully(fd: number, into: Uint8Array, position: number): void {
  for (let done = 0; done < into.length; ) {
    const n = readSync(fd, into, done, into.length - done, position + done);
    if (n === 0) throw new RangeError('matcher index: the file ends early');
    done += n;
  }
}

/** An open index file: the matcher, and the file its strings are read from (null: read into memory). */
interface OpenIndex {
  matcher: AccountMatcher;
  fd: number | null;
}

/**
 * The matcher in the file when it was made for this fingerprint and format, its strings left
 * in the file (read through the returned descriptor) when there are more than `inMemoryUpTo`
 * bytes of them; otherwise null.
 */
export function readIndex(path: string, fingerprint: string, inMemoryUpTo = STRINGS_IN_MEMORY_BYTES): OpenIndex | null {
  if (!existsSync(path)) return null;
  const fd = openSync(path, 'r');
  try {
    const top = Buffer.alloc(MAGIC.length + 4);
    readFully(fd, top, 0);
    if (top.toString('latin1', 0, MAGIC.length) !== MAGIC) throw new RangeError('matcher index: not an index file');
    const headerBytes = Buffer.alloc(top.readUInt32LE(MAGIC.length));
    readFully(fd, headerBytes, top.length);
    const header = JSON.parse(headerBytes.toString('utf8')) as Header;
    if (header.format !== MATCHER_SNAPSHOT_FORMAT || header.fingerprint !== fingerprint) {
      closeSync(fd);
      return null;
    }
    const dataStart = align8(top.length + headerBytes.length);
    const snap: MatcherSnapshot = { format: header.format, numbers: header.numbers, arrays: {} };
    let pool: StringPool | undefined;
    for (const a of header.arrays) {
      const at = dataStart + a.offset;
      if (a.name === STRINGS && a.length > inMemoryUpTo) {
        pool = filePool(fd, at, a.length);
        continue;
      }
      const buf = new ArrayBuffer(a.length * BYTES[a.kind]);
      readFully(fd, new Uint8Array(buf), at);
      snap.arrays[a.name] = a.kind === 'i32' ? new Int32Array(buf) : a.kind === 'u16' ? new Uint16Array(buf) : new Uint8Array(buf);
    }
    const matcher = AccountMatcher.fromSnapshot(snap, pool);
    if (pool) return { matcher, fd };
    closeSync(fd);
    return { matcher, fd: null };
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}

/** The strings section of an index file, read in place. */
function filePool(fd: number, at: number, length: number): StringPool {
  return { length, read: (offset, n, into) => readFully(fd, into.subarray(0, n), at + offset) };
}

/**
 * The account index of one database: read from its file when current, else built (streaming
 * the accounts) and written for the next start. {@link refresh} brings it up to date after
 * accounts change; the matcher it holds may then be another object, so read {@link matcher}
 * at each use.
 */
export class AccountIndex {
  private current: AccountMatcher;
  private fd: number | null;
  /** The accounts' fingerprint the matcher holds. */
  private made: string;

  private constructor(
    matcher: AccountMatcher,
    private readonly path: string | null,
    fd: number | null,
    fingerprint: string,
    private readonly accounts: AccountsRepo,
    private readonly logger: Logger,
    private readonly inMemoryUpTo: number,
  ) {
    this.current = matcher;
    this.fd = fd;
    this.made = fingerprint;
  }

  /** The matcher of the accounts as of the last open or refresh. */
  get matcher(): AccountMatcher {
    return this.current;
  }

  /** `stringsInMemoryUpTo`: see {@link STRINGS_IN_MEMORY_BYTES} (tests pass 0 to read them from the file at any size). */
  static open(databasePath: string, accounts: AccountsRepo, logger: Logger, { stringsInMemoryUpTo = STRINGS_IN_MEMORY_BYTES } = {}): AccountIndex {
    const path = indexPath(databasePath);
    // The fingerprint before the accounts: a change in between makes the file look older than
    // it is (one more rebuild), never newer.
    const fingerprint = accounts.fingerprint();
    if (path !== null) {
      try {
        const read = readIndex(path, fingerprint, stringsInMemoryUpTo);
        if (read) return new AccountIndex(read.matcher, path, read.fd, fingerprint, accounts, logger, stringsInMemoryUpTo);
      } catch (err) {
        logger.warn({ err, path }, 'account index unreadable; rebuilding it');
      }
    }
    const started = performance.now();
    const index = new AccountIndex(new AccountMatcher(accounts.matchable(), accounts.count()), path, null, fingerprint, accounts, logger, stringsInMemoryUpTo);
    const ms = Math.round(performance.now() - started);
    logger[ms >= 1000 ? 'info' : 'debug']({ accounts: index.matcher.size, ms }, 'account index built');
    index.save(fingerprint);
    return index;
  }

  /**
   * Brings the index up to date with the accounts; false when they had not changed. When
   * another process (`roe import accounts`) wrote the index file for the accounts as they are
   * now, that file is read; otherwise every account is upserted (only changed ones cost any
   * indexing) and the file written anew.
   */
  refresh(): boolean {
    const fingerprint = this.accounts.fingerprint();
    if (fingerprint === this.made) return false;
    if (this.path !== null) {
      try {
        const read = readIndex(this.path, fingerprint, this.inMemoryUpTo);
        if (read) {
          this.closeFile();
          this.current = read.matcher;
          this.fd = read.fd;
          this.made = fingerprint;
          return true;
        }
      } catch (err) {
        this.logger.warn({ err, path: this.path }, 'account index unreadable; indexing the accounts again');
      }
    }
    for (const a of this.accounts.matchable()) this.current.upsert(a);
    this.made = fingerprint;
    this.save(fingerprint);
    return true;
  }

  /**
   * Writes the index file for the accounts as they are now, and reads the strings from it
   * from then on unless they are few enough to stay in memory. A failure (read-only folder,
   * full disk) keeps them in memory and only costs a rebuild at the next start.
   */
  private save(fingerprint: string): void {
    if (this.path === null) return;
    try {
      saveIndex(this.path, this.current, fingerprint);
      const fd = openSync(this.path, 'r');
      const top = Buffer.alloc(MAGIC.length + 4);
      readFully(fd, top, 0);
      const headerBytes = Buffer.alloc(top.readUInt32LE(MAGIC.length));
      readFully(fd, headerBytes, top.length);
      const header = JSON.parse(headerBytes.toString('utf8')) as Header;
      const strings = header.arrays.find((a) => a.name === STRINGS)!;
      if (strings.length <= this.inMemoryUpTo && !this.current.stringsInFile) {
        closeSync(fd);
        this.closeFile();
        return;
      }
      this.current.useStringPool(filePool(fd, align8(top.length + headerBytes.length) + strings.offset, strings.length));
      this.closeFile();
      this.fd = fd;
    } catch (err) {
      this.logger.warn({ err, path: this.path }, 'could not write the account index; the next start rebuilds it');
      try {
        rmSync(`${this.path}.${process.pid}.tmp`, { force: true });
      } catch {
        // Left behind, it is never read: only the renamed file is.
      }
    }
  }

  private closeFile(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  close(): void {
    this.closeFile();
  }
}
