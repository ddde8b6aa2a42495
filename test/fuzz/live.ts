/**
 * Live fuzzing: fuzz cases (packets.ts) sent over real sockets to a running gateway, in the cut
 * points of each case (one write per chunk, a macrotask apart so they reach the gateway as
 * separate reads), some half-closed, most left open as nginx does. After every batch a normal
 * request must still get its 200. Each connection must end within socket-timeout plus a margin:
 * a connection still open after that is a hang and fails the run.
 */
import type { Socket } from 'node:net';
import fc from 'fast-check';
import { encodePacket } from '../../gateway/uwsgi/index.js';
import { openSocket, parseResponse, rawRequest, type Target } from '../helpers/uwsgi-client.js';
import { packetCaseArb, splitAt } from './packets.js';

export interface LiveFuzzOptions {
  targets: Target[];
  cases: number;
  /** Connections in flight at once. */
  concurrency: number;
  seed: number;
  /** The gateway's --socket-timeout, seconds: a connection may stay open this long plus a margin. */
  socketTimeout: number;
  /** Throws if the gateway (master and workers) is not up; called after every batch. */
  checkAlive?: () => void | Promise<void>;
  onProgress?: (done: number) => void;
}

export interface LiveFuzzResult {
  cases: number;
  /** Outcome classes: `http 400`, `uwsgi frame`, `closed empty`, `reset`… */
  tally: Record<string, number>;
  /** Normal requests sent between batches, and how many did not get their 200. */
  probes: number;
  probeFailures: string[];
  /** Connections still open after socket-timeout + margin. */
  hangs: string[];
  seconds: number;
}

const HELLO = encodePacket({
  REQUEST_METHOD: 'GET',
  REQUEST_URI: '/hello',
  PATH_INFO: '/hello',
  QUERY_STRING: '',
  SERVER_PROTOCOL: 'HTTP/1.1',
  SERVER_NAME: 'fuzz.local',
  SERVER_PORT: '80',
  CONTENT_LENGTH: '',
});

function classify(data: Buffer, end: string): string {
  if (data.length === 0) return end === 'reset' ? 'reset' : 'closed empty';
  if (data.subarray(0, 9).toString('latin1') === 'HTTP/1.1 ') {
    try {
      return `http ${parseResponse(data).status}`;
    } catch {
      return 'http (cut)';
    }
  }
  if (data.length === 4 && (data[0] === 0x64 || data[0] === 0xff)) return 'uwsgi frame';
  return 'other bytes (echo)';
}

/** Sends one case; resolves with its outcome class, or `hang` when it outlives the deadline. */
function sendCase(
  target: Target,
  chunks: Uint8Array[],
  halfClose: boolean,
  deadlineMs: number,
): Promise<string> {
  return new Promise((resolve) => {
    let socket: Socket;
    try {
      socket = openSocket(target);
    } catch (error) {
      resolve(`connect failed: ${(error as Error).message}`);
      return;
    }
    const parts: Buffer[] = [];
    let settled = false;
    const done = (end: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(end === 'hang' ? 'hang' : classify(Buffer.concat(parts), end));
    };
    const timer = setTimeout(() => done('hang'), deadlineMs);
    socket.on('data', (c: Buffer) => parts.push(c));
    socket.on('end', () => done('close'));
    socket.on('close', () => done('close'));
    socket.on('error', (e: NodeJS.ErrnoException) =>
      done(e.code === 'ECONNRESET' || e.code === 'EPIPE' ? 'reset' : 'close'),
    );
    socket.once('connect', async () => {
      for (const chunk of chunks) {
        if (settled || socket.destroyed) return;
        if (chunk.length > 0) socket.write(chunk);
        await new Promise((r) => setTimeout(r, 0));
      }
      if (halfClose && !socket.destroyed) socket.end();
    });
  });
}

async function probe(target: Target): Promise<string | undefined> {
  const reply = await rawRequest(target, HELLO, { timeoutMs: 10_000 });
  try {
    const response = parseResponse(reply.data);
    if (response.status === 200 && response.body.toString() === 'Hello, world!') return undefined;
    return `probe got ${response.statusLine}`;
  } catch {
    return `probe got ${reply.end} with ${reply.data.length} bytes`;
  }
}

export async function runLiveFuzz(options: LiveFuzzOptions): Promise<LiveFuzzResult> {
  const started = performance.now();
  const tally: Record<string, number> = {};
  const hangs: string[] = [];
  const probeFailures: string[] = [];
  let probes = 0;
  let done = 0;
  // Packets that announce a body and never send it wait for socket-timeout twice at most
  // (vars, then body or drain), plus the scheduling of a loaded run.
  const deadlineMs = options.socketTimeout * 2000 + 10_000;
  const batchSize = options.concurrency * 4;
  for (let batch = 0; done < options.cases; batch++) {
    const size = Math.min(batchSize, options.cases - done);
    const cases = fc.sample(
      fc.tuple(packetCaseArb, fc.boolean(), fc.nat({ max: options.targets.length - 1 })),
      { numRuns: size, seed: options.seed + batch },
    );
    let next = 0;
    const lane = async () => {
      while (next < cases.length) {
        const [c, half, t] = cases[next++]!;
        // A third of the cases half-close after sending; nginx never does, hostile peers might.
        const halfClose = half && c.cuts.length % 3 === 0;
        const outcome = await sendCase(
          options.targets[t]!,
          splitAt(c.bytes, c.cuts),
          halfClose,
          deadlineMs,
        );
        if (outcome === 'hang') {
          hangs.push(`${c.source} ${Buffer.from(c.bytes.subarray(0, 64)).toString('hex')}…`);
        }
        tally[outcome] = (tally[outcome] ?? 0) + 1;
      }
    };
    await Promise.all(Array.from({ length: options.concurrency }, lane));
    done += size;
    for (const target of options.targets) {
      probes++;
      const failure = await probe(target);
      if (failure) probeFailures.push(`after ${done} cases: ${failure}`);
    }
    await options.checkAlive?.();
    options.onProgress?.(done);
  }
  return {
    cases: done,
    tally,
    probes,
    probeFailures,
    hangs,
    seconds: (performance.now() - started) / 1000,
  };
}
