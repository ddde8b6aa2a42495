import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type App,
  createErrors,
  type Environ,
  environFromRequest,
  shiftPathInfo,
  toFetch,
  urlMap,
  validator,
} from 'tsgi';

const where =
  (name: string): App =>
  (environ, startResponse) => {
    startResponse('200 OK', [['Content-Type', 'text/plain']]);
    return [`${name} ${environ.SCRIPT_NAME}|${environ.PATH_INFO}`];
  };

function env(scriptName: string, pathInfo: string): Environ {
  const e = environFromRequest(new Request('http://example.test/'));
  e.SCRIPT_NAME = scriptName;
  e.PATH_INFO = pathInfo;
  return e;
}

describe('src/middleware/url-map: shiftPathInfo', () => {
  const cases: Array<[string, string, string | undefined, string, string]> = [
    // SCRIPT_NAME, PATH_INFO → returned name, new SCRIPT_NAME, new PATH_INFO (wsgiref.util tests)
    ['', '/a/b', 'a', '/a', '/b'],
    ['/app', '/a/b/', 'a', '/app/a', '/b/'],
    ['/app', '/a', 'a', '/app/a', ''],
    ['/app', '/', '', '/app/', ''],
    ['', '', undefined, '', ''],
    ['/app', '//a/./b', 'a', '/app/a', '/b'],
    ['/app', '/../b', '..', '', '/b'],
  ];
  for (const [sn, pi, name, sn2, pi2] of cases) {
    it(`${JSON.stringify(sn)} + ${JSON.stringify(pi)} → ${JSON.stringify(name)}`, () => {
      const e = env(sn, pi);
      assert.equal(shiftPathInfo(e), name);
      assert.deepEqual([e.SCRIPT_NAME, e.PATH_INFO], [sn2, pi2]);
    });
  }
});

describe('src/middleware/url-map: urlMap', () => {
  const app = urlMap({
    '/admin': where('admin'),
    '/admin/users/': where('users'),
    '/': where('root'),
  });
  const fetch = toFetch(app);
  const text = async (url: string) => (await fetch(new Request(url))).text();
  it('sends a request to the longest matching prefix', async () => {
    assert.equal(await text('http://x/admin/users/7'), 'users /admin/users|/7');
    assert.equal(await text('http://x/admin/x'), 'admin /admin|/x');
    assert.equal(await text('http://x/admin'), 'admin /admin|');
  });
  it('matches whole segments only', async () => {
    assert.equal(await text('http://x/administrator'), 'root |/administrator');
  });
  it('stacks on an outer mount point', async () => {
    const outer = toFetch(app, { scriptName: '/site' });
    const res = await outer(new Request('http://x/site/admin/a'));
    assert.equal(await res.text(), 'admin /site/admin|/a');
  });
  it('answers 404 without a match, or calls the fallback', async () => {
    const only = toFetch(urlMap({ '/a': where('a') }));
    assert.equal((await only(new Request('http://x/b'))).status, 404);
    const fb = toFetch(urlMap({ '/a': where('a') }, { fallback: where('fallback') }));
    assert.equal(await (await fb(new Request('http://x/b'))).text(), 'fallback |/b');
  });
  it("leaves the caller's environ alone", async () => {
    const e = env('', '/admin/x');
    app(e, () => async () => {});
    assert.deepEqual([e.SCRIPT_NAME, e.PATH_INFO], ['', '/admin/x']);
  });
  it('composes with the validator', async () => {
    const lines: string[] = [];
    const res = await toFetch(validator(app), {
      environOptions: { errors: createErrors((l) => lines.push(l)) },
    })(new Request('http://x/admin/users/1'));
    assert.equal(await res.text(), 'users /admin/users|/1');
    assert.deepEqual(lines, []);
  });
});
