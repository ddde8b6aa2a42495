import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type App, toFetch } from 'tsgi';

test('toFetch runs a hello app', async () => {
  const app: App = (environ, startResponse) => {
    startResponse('200 OK', [['Content-Type', 'text/plain']]);
    return [`hello ${environ.PATH_INFO}`];
  };
  const res = await toFetch(app)(new Request('http://x/caf%C3%A9'));
  assert.equal(res.status, 200);
  assert.equal(await res.text(), 'hello /caf\u00c3\u00a9');
});

test('toFetch streams a generator and write()', async () => {
  const app: App = async (_environ, startResponse) => {
    const write = startResponse('200 OK', [['Content-Type', 'text/plain']]);
    await write('a');
    return (async function* () {
      yield 'b';
      yield new Uint8Array([99]);
    })();
  };
  const res = await toFetch(app)(new Request('http://x/'));
  assert.equal(await res.text(), 'abc');
});

test('toFetch turns a throw into a 500', async () => {
  const lines: string[] = [];
  const app: App = () => {
    throw new Error('boom');
  };
  const res = await toFetch(app, {
    environOptions: { errors: { write: (s) => lines.push(s), writelines() {}, flush() {} } },
  })(new Request('http://x/'));
  assert.equal(res.status, 500);
  assert.match(lines.join(''), /boom/);
});
