import { Writable } from 'node:stream';

/** A stream that keeps what is written to it (a logger's destination in tests). */
export function sink(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

/** Once what was logged so far has been written. */
export const flush = () => new Promise((ok) => setImmediate(ok));
