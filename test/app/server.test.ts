import { Agent, request, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { serve, type PlatformHost } from '../../src/app/serve.js';
import { MAX_CONNECTIONS } from '../../src/app/server.js';
import { testRuntime } from '../support/runtime.js';

/** A platform whose `POST /hook` reads its body and answers once `release()` is called. */
function gatedPlatform() {
  let release: () => void = () => undefined;
  const gate = new Promise<void>((ok) => (release = ok));
  let entered: () => void = () => undefined;
  const inside = new Promise<void>((ok) => (entered = ok));
  const host: PlatformHost = {
    name: 'slack',
    routes: {
      'POST /hook': async (req, res) => {
        for await (const _ of req);
        entered();
        await gate;
        res.end('done');
      },
    },
    deliver: async () => undefined,
  };
  return { host, release, inside };
}

/**
 * Writes `head`, then `drip` every 50 ms, and never finishes the request: what the server
 * answered before it closed the connection, or null if it is still open after `giveUpMs`
 * (far beyond the timeouts the test configures).
 */
function trickle(port: number, head: string, drip: string, giveUpMs = 10_000): Promise<string | null> {
  return new Promise((ok) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    const timer = setInterval(() => socket.writable && socket.write(drip), 50);
    const giveUp = setTimeout(() => {
      clearInterval(timer);
      socket.destroy();
      ok(null);
    }, giveUpMs);
    socket.on('data', (d) => (answer += String(d)));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(timer);
      clearTimeout(giveUp);
      ok(answer);
    });
    socket.on('connect', () => socket.write(head));
  });
}

function send(agent: Agent, port: number, method: string, path: string): Promise<{ status: number; headers: IncomingHttpHeaders; body: string; reused: boolean }> {
  return new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port, method, path, agent }, (res) => {
      let body = '';
      res.on('data', (d) => (body += String(d)));
      res.on('end', () => ok({ status: res.statusCode ?? 0, headers: res.headers, body, reused: req.reusedSocket }));
    });
    req.on('error', fail);
    req.end(method === 'POST' ? '{}' : undefined);
  });
}

describe('a client that trickles its request (slowloris)', () => {
  const httpTimeouts = { headersTimeout: 300, requestTimeout: 600, connectionsCheckingInterval: 50 };

  it('by default has far less time than Node gives (a minute for the headers, five for the request)', async () => {
    const rt = testRuntime({ demo: false });
    const serving = await serve(rt, [], 0);
    try {
      expect(serving.server.headersTimeout).toBeLessThan(60_000);
      expect(serving.server.requestTimeout).toBeLessThan(300_000);
      expect(serving.server.headersTimeout).toBeLessThanOrEqual(serving.server.requestTimeout);
    } finally {
      await serving.stop();
      rt.close();
    }
  });

  it.each([
    ['its headers', 'GET /healthz HTTP/1.1\r\nHost: x\r\n', 'X-Slow: 1\r\n'],
    ['its body', 'POST /hook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n', ' '],
    ['a chunked body', 'POST /hook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n', '1\r\n \r\n'],
  ])('trickling %s, gets 408 and its connection closed once the configured timeout passes', async (_what, head, drip) => {
    const rt = testRuntime({ demo: false });
    const { host, release } = gatedPlatform();
    const serving = await serve(rt, [host], 0, { httpTimeouts });
    try {
      const answer = await trickle(serving.port, head, drip);
      expect(answer, 'the connection is still open').not.toBeNull();
      expect(answer).toMatch(/^HTTP\/1\.1 408 /);
      // the server still answers others
      expect((await fetch(`http://127.0.0.1:${serving.port}/healthz`)).status).toBe(200);
    } finally {
      release();
      await serving.stop();
      rt.close();
    }
  });
});

describe('stopping', () => {
  it('a request sent on a kept-alive connection while the server stops is answered, and its connection closed after it', async () => {
    const rt = testRuntime({ demo: false });
    const { host, release, inside } = gatedPlatform();
    const serving = await serve(rt, [host], 0);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      // A request under way when the stop begins, on a kept-alive connection (as Slack's, Bot Framework's or a load balancer's).
      const first = send(agent, serving.port, 'POST', '/hook');
      await inside;
      const stopped = serving.stop();
      release();
      expect((await first).status).toBe(200);
      // The client sends its next request on the same connection: answered, with Connection: close.
      const next = await send(agent, serving.port, 'GET', '/healthz');
      expect(next.reused).toBe(true);
      expect(next.status).toBe(200);
      expect(next.headers.connection).toBe('close');
      await stopped;
    } finally {
      agent.destroy();
      rt.close();
    }
  });
});

describe('many connections held open at once', () => {
  it('the server holds at most MAX_CONNECTIONS (Node sets no limit), a few thousand', async () => {
    const rt = testRuntime({ demo: false });
    const serving = await serve(rt, [], 0);
    try {
      expect(serving.server.maxConnections).toBe(MAX_CONNECTIONS);
      expect(MAX_CONNECTIONS).toBeGreaterThanOrEqual(1_000);
      expect(MAX_CONNECTIONS).toBeLessThanOrEqual(10_000);
    } finally {
      await serving.stop();
      rt.close();
    }
  });

  it('a connection over the limit is refused (and logged) while those open keep being served', async () => {
    const rt = testRuntime({ demo: false });
    const serving = await serve(rt, [], 0);
    // The limit lowered to two for the test: the same check Node makes at MAX_CONNECTIONS.
    serving.server.maxConnections = 2;
    const agents = [0, 1, 2].map(() => new Agent({ keepAlive: true, maxSockets: 1 }));
    try {
      // two clients, each keeping its connection open after its first request
      for (const agent of agents.slice(0, 2)) expect((await send(agent, serving.port, 'GET', '/healthz')).status).toBe(200);
      // a third is closed as it connects: no answer
      await expect(send(agents[2]!, serving.port, 'GET', '/healthz')).rejects.toThrow();
      expect(rt.logs.lines.filter((l) => l.includes('connections refused'))).toHaveLength(1);
      // the two open connections are still served, on the same connections
      for (const agent of agents.slice(0, 2)) {
        const again = await send(agent, serving.port, 'GET', '/healthz');
        expect(again.status).toBe(200);
        expect(again.reused).toBe(true);
      }
    } finally {
      for (const agent of agents) agent.destroy();
      await serving.stop();
      rt.close();
    }
  });

  it('drops after the first warning are counted and told once the server stops, not left unsaid', async () => {
    const rt = testRuntime({ demo: false });
    const serving = await serve(rt, [], 0);
    serving.server.maxConnections = 1;
    const agents = [0, 1, 2, 3].map(() => new Agent({ keepAlive: true, maxSockets: 1 }));
    const refused = () => rt.logs.lines.filter((l) => l.includes('connections refused')).map((l) => (JSON.parse(l) as { refused: number }).refused);
    try {
      expect((await send(agents[0]!, serving.port, 'GET', '/healthz')).status).toBe(200);
      // three refused in a burst: the first is told at once, the two after it within the minute are counted
      for (const agent of agents.slice(1)) await expect(send(agent, serving.port, 'GET', '/healthz')).rejects.toThrow();
      expect(refused()).toEqual([1]);
    } finally {
      for (const agent of agents) agent.destroy();
      await serving.stop();
    }
    expect(refused()).toEqual([1, 2]);
    rt.close();
  });
});
