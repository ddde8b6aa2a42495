// gateway/server/request-cycle.ts: the contract every protocol and transport relies on. The
// exchange here is an in-memory transport (bytes into an array, drain on demand) because the
// contract is between the cycle and that interface; the real transports are exercised by
// uwsgi-server, uwsgi-fast-accept and nginx tests.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { App } from 'tsgi';
import { gatewayError } from '../../../gateway/errors.js';
import type { ConnectionContext } from '../../../gateway/server/connection-context.js';
import { resolveServerOptions } from '../../../gateway/server/options.js';
import {
  type Exchange,
  refuseRequest,
  serveRequest,
} from '../../../gateway/server/request-cycle.js';
import { uwsgiResponse } from '../../../gateway/server/uwsgi-response.js';
import { uwsgiSignals } from '../../../gateway/server/uwsgi-signals.js';

class MemoryExchange implements Exchange {
  readonly codec = uwsgiResponse;
  readonly startedAt = 0;
  closed = false;
  /** write() answers false (buffer full) for this many more writes. */
  full = 0;
  /** What waitDrain resolves with; undefined: stays pending until drain() is called. */
  drainAnswer: boolean | undefined = true;
  readonly chunks: Buffer[] = [];
  readonly outcomes: boolean[] = [];
  #waiter: ((ok: boolean) => void) | undefined;

  write(bytes: Uint8Array): boolean {
    this.chunks.push(Buffer.from(bytes));
    if (this.full > 0) {
      this.full--;
      return false;
    }
    return true;
  }

  waitDrain(): Promise<boolean> {
    if (this.drainAnswer !== undefined) return Promise.resolve(this.drainAnswer);
    return new Promise((resolve) => {
      this.#waiter = resolve;
    });
  }

  drain(ok: boolean): void {
    this.#waiter?.(ok);
  }

  responded(ok: boolean): void {
    this.outcomes.push(ok);
  }

  text(): string {
    return Buffer.concat(this.chunks).toString('latin1');
  }
}

function setup(app: App, limitPost = 0) {
  const lines: string[] = [];
  const counted: number[] = [];
  const context: ConnectionContext = {
    app,
    options: resolveServerOptions({ limitPost }),
    log: {
      info: (m) => lines.push(`info: ${m}`),
      warn: (m) => lines.push(`warn: ${m}`),
      error: (m) => lines.push(`error: ${m}`),
      request: (m) => lines.push(`request: ${m}`),
    },
    signals: uwsgiSignals,
    onRequestDone: (status) => counted.push(status),
  };
  return { context, lines, counted, exchange: new MemoryExchange() };
}

function environ(method = 'GET', extra: Record<string, string> = {}) {
  return {
    REQUEST_METHOD: method,
    SCRIPT_NAME: '',
    PATH_INFO: '/p',
    REQUEST_URI: '/p?q',
    QUERY_STRING: 'q',
    SERVER_NAME: 'test',
    SERVER_PORT: '80',
    SERVER_PROTOCOL: 'HTTP/1.1',
    REMOTE_ADDR: '10.0.0.1',
    'wsgi.version': [1, 0],
    'wsgi.url_scheme': 'http',
    'wsgi.errors': { write() {}, writelines() {}, flush() {} },
    'wsgi.multithread': false,
    'wsgi.multiprocess': false,
    'wsgi.run_once': false,
    ...extra,
  } as never;
}

const hello: App = (_env, start) => {
  start('200 OK', [['Content-Type', 'text/plain']]);
  return ['hello'];
};

/** Lets every pending promise and timer of the cycle settle. */
const settle = () => new Promise((r) => setTimeout(r, 10));

const requestLines = (lines: string[]) => lines.filter((l) => l.startsWith('request: '));

describe('gateway/server/request-cycle', () => {
  it('serves an array body in the same turn: written, logged, counted and responded once', () => {
    const { context, lines, counted, exchange } = setup(hello);
    serveRequest(context, exchange, environ(), 0, undefined);
    // No await: the hot path has no promise hop.
    assert.match(exchange.text(), /^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nhello$/);
    assert.deepEqual(exchange.outcomes, [true]);
    assert.deepEqual(counted, [200]);
    assert.deepEqual(requestLines(lines).length, 1);
    assert.match(requestLines(lines)[0]!, /10\.0\.0\.1 GET \/p\?q => 200 5 bytes/);
  });

  it('serves an async app and a streamed body once each, waiting for drain', async () => {
    const streamed: App = async (_env, start) => {
      start('200 OK', []);
      return (async function* () {
        yield 'a';
        yield 'b';
        yield 'c';
      })();
    };
    const { context, lines, counted, exchange } = setup(streamed);
    exchange.full = 1;
    exchange.drainAnswer = undefined;
    serveRequest(context, exchange, environ(), 0, undefined);
    await settle();
    assert.deepEqual(exchange.outcomes, [], 'waits for the peer');
    exchange.drainAnswer = true;
    exchange.drain(true);
    await settle();
    assert.match(exchange.text(), /\r\n\r\nabc$/);
    assert.deepEqual(exchange.outcomes, [true]);
    assert.deepEqual(counted, [200]);
    assert.equal(requestLines(lines).length, 1);
    assert.match(requestLines(lines)[0]!, /=> 200 3 bytes/);
  });

  it('a peer that stops reading: the response is cut short, logged as aborted, the connection closed', async () => {
    const streamed: App = (_env, start) => {
      start('200 OK', []);
      return (function* () {
        for (let i = 0; i < 5; i++) yield 'x';
      })();
    };
    const { context, lines, counted, exchange } = setup(streamed);
    exchange.full = 100;
    exchange.drainAnswer = false;
    serveRequest(context, exchange, environ(), 0, undefined);
    await settle();
    assert.deepEqual(exchange.outcomes, [false]);
    assert.deepEqual(counted, [200]);
    assert.equal(requestLines(lines).length, 1);
    assert.match(requestLines(lines)[0]!, /=> 200 \(aborted\)/);
  });

  it('a peer gone before the response: "client gone", nothing written, closed once', async () => {
    let finish: () => void = () => {};
    const slow: App = async (_env, start) => {
      await new Promise<void>((r) => {
        finish = r;
      });
      start('200 OK', []);
      return ['late'];
    };
    const { context, lines, exchange } = setup(slow);
    serveRequest(context, exchange, environ(), 0, undefined);
    exchange.closed = true;
    finish();
    await settle();
    assert.equal(exchange.chunks.length, 0);
    assert.deepEqual(exchange.outcomes, [false]);
    assert.match(requestLines(lines)[0]!, /=> 200 \(client gone\)/);
    assert.equal(requestLines(lines).length, 1);
  });

  it('HEAD gets the head only', () => {
    const { context, exchange } = setup(hello);
    serveRequest(context, exchange, environ('HEAD'), 0, undefined);
    assert.ok(exchange.text().endsWith('\r\n\r\n'));
    assert.deepEqual(exchange.outcomes, [true]);
  });

  it('over limit-post: 413 before the app runs, logged with the option, not counted', async () => {
    let ran = false;
    const app: App = (env, start) => {
      ran = true;
      return hello(env, start);
    };
    const { context, lines, counted, exchange } = setup(app, 100);
    serveRequest(context, exchange, environ('POST'), 101, undefined);
    await settle();
    assert.equal(ran, false);
    assert.match(exchange.text(), /^HTTP\/1\.1 413 /);
    assert.ok(
      lines.some((l) =>
        /ERR_UWSGI_BODY_TOO_LARGE.*CONTENT_LENGTH 101, 100 bytes \(limit-post\)/.test(l),
      ),
    );
    assert.deepEqual(counted, []);
    assert.equal(requestLines(lines).length, 1);
    assert.match(requestLines(lines)[0]!, /POST \/p\?q => 413/);
    assert.deepEqual(exchange.outcomes, [true]);
  });

  it('a refusal answers with the error status; one without a status just closes', async () => {
    const { context, lines, counted, exchange } = setup(hello);
    refuseRequest(context, exchange, gatewayError('ERR_UWSGI_VARS_TIMEOUT', '1 s'));
    await settle();
    assert.match(exchange.text(), /^HTTP\/1\.1 408 /);
    assert.deepEqual(exchange.outcomes, [true]);
    assert.deepEqual(counted, []);
    assert.equal(requestLines(lines).length, 1);

    const quiet = setup(hello);
    refuseRequest(quiet.context, quiet.exchange, gatewayError('ERR_UWSGI_UNKNOWN_MODIFIER', 'x'));
    await settle();
    assert.equal(quiet.exchange.chunks.length, 0);
    assert.deepEqual(quiet.exchange.outcomes, [false]);
    assert.equal(requestLines(quiet.lines).length, 0);
  });
});
