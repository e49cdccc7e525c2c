import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { serve } from '../../../src/app/serve.js';
import { createTeamsHost } from '../../../src/app/teams.js';
import { testRuntime, type TestRuntime } from '../../support/runtime.js';

/**
 * Requests to /api/messages whose bodies are not sent whole, or not yet.
 *
 * A client that starts a request to /api/messages and never finishes its body (it goes away, or
 * trickles it until the server's time for a request runs out) is nothing the bot did wrong: a
 * warning in the log, never an error line with a stack. Anyone may do it without a token, and an
 * error line is what wakes people up.
 */
const APP_ID = '00000000-1111-4222-8333-444444444444';
const httpTimeouts = { headersTimeout: 300, requestTimeout: 600, connectionsCheckingInterval: 50 };

/** Sends the headers and part of a 1,000-byte JSON body, then `end` does what it does to the socket; what the server answered. */
function partial(port: number, headers: string, end: 'go away' | 'trickle'): Promise<string> {
  return new Promise((ok) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(`POST /api/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n${headers}\r\n{"type":"message",`);
      if (end === 'go away') setTimeout(() => socket.destroy(), 100);
    });
    let answer = '';
    const drip = end === 'trickle' ? setInterval(() => socket.writable && socket.write(' '), 50) : undefined;
    socket.on('data', (d) => (answer += String(d)));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(drip);
      ok(answer);
    });
  });
}

const levelOf = (line: string) => (JSON.parse(line) as { level: number }).level;
/** The log lines at warning level or above, once the request's line is written. */
async function warnings(rt: TestRuntime, from: number): Promise<string[]> {
  for (let i = 0; i < 40 && !rt.logs.lines.slice(from).some((l) => levelOf(l) >= 40); i++) await new Promise((r) => setTimeout(r, 50));
  return rt.logs.lines.slice(from).filter((l) => levelOf(l) >= 40);
}

describe('Teams: a request whose body never comes whole', () => {
  it.each([
    ['unauthenticated (trying the bot locally), the client going away', {}, '', 'go away'],
    ['with MICROSOFT_APP_ID and a bearer token, the client going away', { MICROSOFT_APP_ID: APP_ID, MICROSOFT_APP_PASSWORD: 'not-a-real-secret-value' }, 'Authorization: Bearer abc\r\n', 'go away'],
    ['with MICROSOFT_APP_ID and a bearer token, trickled until the server’s time for it runs out', { MICROSOFT_APP_ID: APP_ID, MICROSOFT_APP_PASSWORD: 'not-a-real-secret-value' }, 'Authorization: Bearer abc\r\n', 'trickle'],
  ] as const)('%s: one warning saying so, no error in the log', async (_name, env, headers, end) => {
    const rt = testRuntime({ env: { MICROSOFT_APP_TENANT_ID: '5b1f3c1e-0000-4000-8000-0000000000aa', ...env } });
    const serving = await serve(rt, [createTeamsHost(rt)], 0, { httpTimeouts });
    try {
      const from = rt.logs.lines.length;
      const answer = await partial(serving.port, headers, end);
      if (end === 'trickle') expect(answer).toMatch(/^HTTP\/1\.1 408 /);
      const logged = await warnings(rt, from);
      expect(logged.filter((l) => levelOf(l) >= 50)).toEqual([]);
      expect(logged.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(['teams request could not be read: the client went away, or sent its body too slowly']);
      // the server still answers others
      expect((await fetch(`http://127.0.0.1:${serving.port}/healthz`)).status).toBe(200);
    } finally {
      await serving.stop();
      rt.close();
    }
  });
});

describe('Teams: the request bodies held at once are bounded', () => {
  const env = { MICROSOFT_APP_TENANT_ID: '5b1f3c1e-0000-4000-8000-0000000000aa', MICROSOFT_APP_ID: APP_ID, MICROSOFT_APP_PASSWORD: 'not-a-real-secret-value' };

  /** Sends the headers of a 1 MB request with a made-up token and `bytes` of its body, never the rest; what the server answered (within 3 s). */
  function stalled(port: number, bytes: number): { socket: Socket; answer: Promise<string> } {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    let answer = '';
    const answered = new Promise<string>((ok) => {
      setTimeout(() => ok(answer || 'no answer'), 3_000);
      socket.on('data', (d) => {
        answer += String(d);
        if (answer.includes('\r\n\r\n')) ok(answer);
      });
    });
    socket.write(`POST /api/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\nAuthorization: Bearer made-up\r\n\r\n`);
    socket.write(' '.repeat(bytes));
    return { socket, answer: answered };
  }

  it('a body that would take them past the allowance gets 503 at once, before any token check; once they are gone, requests are read again', async () => {
    const rt = testRuntime({ env });
    const serving = await serve(rt, [createTeamsHost(rt, { maxBufferedBytes: 100_000 })], 0, { httpTimeouts: { headersTimeout: 5_000, requestTimeout: 10_000, connectionsCheckingInterval: 50 } });
    try {
      const first = stalled(serving.port, 60_000);
      await new Promise((r) => setTimeout(r, 200));
      const second = stalled(serving.port, 60_000);
      expect(await second.answer).toMatch(/^HTTP\/1\.1 503 [^]*\r\nretry-after: 1\r\n[^]*the server is busy: try again in a moment/i);
      second.socket.destroy();
      first.socket.destroy();
      await new Promise((r) => setTimeout(r, 200));
      // a whole request is read again, and refused for its token as ever
      const res = await fetch(`http://127.0.0.1:${serving.port}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer made-up' }, body: ' '.repeat(90_000) + '{}' });
      expect(res.status).toBe(401);
    } finally {
      await serving.stop();
      rt.close();
    }
  });
});
