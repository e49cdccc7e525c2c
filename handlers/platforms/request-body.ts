import type { IncomingMessage } from 'node:http';

/**
 * Bytes of request bodies held at once while they are being read, over all requests of an
 * endpoint: Slack's and Teams' own payloads take a few kB each. A request's signature or token is
 * checked once its body is whole, so without a bound a client could make the server hold a whole
 * body's limit (1 MB) on each connection it may open (4,096: some 4 GB) for as long as it may take
 * to send a request, no credentials needed.
 */
export const MAX_BUFFERED_BYTES = 32_000_000;

/** An allowance of bytes shared by the request bodies being read: taken as they come, given back once each is read or dropped. */
export class ByteBudget {
  private used = 0;
  constructor(readonly max: number = MAX_BUFFERED_BYTES) {}
  /** Bytes held now. */
  get inUse(): number {
    return this.used;
  }
  /** Takes `n` bytes of the allowance; false (nothing taken) when they would go over it. */
  take(n: number): boolean {
    if (this.used + n > this.max) return false;
    this.used += n;
    return true;
  }
  give(n: number): void {
    this.used = Math.max(0, this.used - n);
  }
}

/**
 * A request's body: its bytes, `too large` past `limit`, or `busy` as soon as the bodies being
 * read would hold more than `budget` allows. Past the limit, or once busy, the rest is read and
 * dropped, so the client gets its answer rather than a reset (and a request cut off mid-stream
 * would keep the server from closing cleanly). Rejects with the stream's error when the client
 * goes away, or is cut off for sending too slowly, before the body is whole.
 */
export function readBody(req: IncomingMessage, limit: number, budget: ByteBudget): Promise<Buffer | 'too large' | 'busy'> {
  return new Promise((ok, fail) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let held = 0;
    let settled = false;
    const release = () => {
      budget.give(held);
      held = 0;
      chunks.length = 0;
    };
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (settled || size > limit) return release();
      if (!budget.take(c.length)) {
        settled = true;
        release();
        ok('busy');
        return;
      }
      held += c.length;
      chunks.push(c);
    });
    req.on('end', () => {
      if (settled) return;
      settled = true;
      const body = size > limit ? 'too large' : chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      release();
      ok(body);
    });
    req.on('error', (e) => {
      release();
      if (settled) return;
      settled = true;
      fail(e);
    });
    req.on('close', release);
  });
}
