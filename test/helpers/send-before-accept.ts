/**
 * Requests that are there before the gateway accepts them, as behind nginx under load: a client
 * in a child process connects and writes while this process (the gateway's) holds its event
 * loop, so the bytes wait in the listen backlog and the fast transport reads them at accept.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Target } from './uwsgi-client.js';

/** Connects once per request, writes it (then half-closes if asked), prints every reply. */
const CLIENT = `
const net = require('node:net');
const fs = require('node:fs');
const { target, requests, marker } = JSON.parse(fs.readFileSync(process.argv[1], 'utf8'));
let written = 0;
const replies = requests.map((r) => new Promise((resolve) => {
  const socket = net.connect(target);
  const chunks = [];
  socket.on('data', (c) => chunks.push(c));
  socket.on('error', () => {});
  socket.on('close', () => resolve(Buffer.concat(chunks).toString('hex')));
  const done = () => { if (++written === requests.length) fs.writeFileSync(marker, ''); };
  if (r.hex === null) { socket.on('connect', () => { socket.destroy(); done(); }); return; }
  socket.write(Buffer.from(r.hex, 'hex'), done);
  if (r.halfClose) socket.end();
}));
Promise.all(replies).then((all) => process.stdout.write(JSON.stringify(all)));
`;

export interface EarlyRequest {
  /** null: connect and close without sending anything. */
  bytes: Uint8Array | null;
  halfClose?: boolean;
}

let markers = 0;

/** Sends every request before this process accepts any of them; resolves with the replies. */
export async function sendBeforeAccept(dir: string, target: Target, requests: EarlyRequest[]) {
  const marker = join(dir, `written-${markers++}`);
  const spec = {
    target,
    marker,
    requests: requests.map((r) => ({
      hex: r.bytes === null ? null : Buffer.from(r.bytes).toString('hex'),
      halfClose: r.halfClose ?? false,
    })),
  };
  const specFile = `${marker}.json`;
  writeFileSync(specFile, JSON.stringify(spec));
  const child = spawn(process.execPath, ['-e', CLIENT, specFile], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (c) => {
    out += c;
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  // Holds the event loop (the gateway's too) until the client has written everything.
  const pause = new Int32Array(new SharedArrayBuffer(4));
  const deadline = Date.now() + 30_000;
  while (!existsSync(marker) && Date.now() < deadline) Atomics.wait(pause, 0, 0, 5);
  assert.ok(existsSync(marker), 'the client did not write its requests within 30 s');
  assert.equal(await exited, 0);
  return (JSON.parse(out) as string[]).map((hex) => Buffer.from(hex, 'hex'));
}
