import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { environFromVars } from '../../../gateway/server/uwsgi-environ.js';
import type { UwsgiVar } from '../../../gateway/uwsgi/index.js';

const context = { modifier1: 0, modifier2: 0, multiprocess: false };

describe('gateway/server/uwsgi-environ', () => {
  it('derives PATH_INFO from REQUEST_URI when missing (lighttpd), decoded to latin-1', () => {
    const { environ } = environFromVars(
      [
        ['REQUEST_METHOD', 'GET'],
        ['REQUEST_URI', '/a%20b/caf%C3%A9?x=%2F'],
      ],
      context,
    );
    assert.equal(environ.PATH_INFO, '/a b/caf\u00c3\u00a9');
    assert.equal(environ.QUERY_STRING, 'x=%2F');
    assert.equal(environ.SCRIPT_NAME, '');
  });

  it('leaves PATH_INFO empty when lighttpd puts the whole path in SCRIPT_NAME', () => {
    const { environ } = environFromVars(
      [
        ['REQUEST_METHOD', 'GET'],
        ['SCRIPT_NAME', '/app'],
        ['REQUEST_URI', '/app'],
        ['CONTENT_LENGTH', '0'],
      ],
      context,
    );
    assert.equal(environ.SCRIPT_NAME, '/app');
    assert.equal(environ.PATH_INFO, '');
  });

  it('keeps CGI CONTENT_* and never HTTP_CONTENT_*; drops empty ones', () => {
    const vars: UwsgiVar[] = [
      ['REQUEST_METHOD', 'GET'],
      ['CONTENT_TYPE', ''],
      ['CONTENT_LENGTH', ''],
      ['HTTP_CONTENT_TYPE', 'x/y'],
      ['HTTP_CONTENT_LENGTH', '9'],
    ];
    const { environ, contentLength } = environFromVars(vars, context);
    assert.equal(contentLength, 0);
    assert.ok(!('CONTENT_TYPE' in environ));
    assert.ok(!('CONTENT_LENGTH' in environ));
    assert.ok(!('HTTP_CONTENT_TYPE' in environ));
    assert.ok(!('HTTP_CONTENT_LENGTH' in environ));
  });

  it('keeps HTTP_TRANSFER_ENCODING only when there is no CONTENT_LENGTH', () => {
    const withLength = environFromVars(
      [
        ['REQUEST_METHOD', 'POST'],
        ['CONTENT_LENGTH', '3'],
        ['HTTP_TRANSFER_ENCODING', 'chunked'],
      ],
      context,
    );
    assert.equal(withLength.contentLength, 3);
    assert.ok(!('HTTP_TRANSFER_ENCODING' in withLength.environ));
    const without = environFromVars(
      [
        ['REQUEST_METHOD', 'POST'],
        ['HTTP_TRANSFER_ENCODING', 'chunked'],
      ],
      context,
    );
    assert.equal(without.environ.HTTP_TRANSFER_ENCODING, 'chunked');
  });

  it('refuses two different CONTENT_LENGTH vars and non-digit lengths', () => {
    for (const vars of [
      [
        ['REQUEST_METHOD', 'POST'],
        ['CONTENT_LENGTH', '3'],
        ['CONTENT_LENGTH', '4'],
      ],
      [
        ['REQUEST_METHOD', 'POST'],
        ['CONTENT_LENGTH', '-1'],
      ],
      [
        ['REQUEST_METHOD', 'POST'],
        ['CONTENT_LENGTH', ' 3'],
      ],
    ] as UwsgiVar[][]) {
      assert.throws(() => environFromVars(vars, context), {
        code: 'ERR_UWSGI_BAD_CONTENT_LENGTH',
        status: 400,
      });
    }
  });

  it('ignores every UWSGI_* var and sets the scheme only from HTTPS/REQUEST_SCHEME', () => {
    const { environ } = environFromVars(
      [
        ['REQUEST_METHOD', 'GET'],
        ['UWSGI_SCHEME', 'https'],
        ['UWSGI_FILE', '/etc/passwd'],
        ['HTTP_X_FORWARDED_PROTO', 'https'],
      ],
      context,
    );
    assert.equal(environ['wsgi.url_scheme'], 'http');
    assert.ok(!Object.keys(environ).some((k) => k.startsWith('UWSGI_')));
    for (const https of ['on', 'ON', '1']) {
      const r = environFromVars(
        [
          ['REQUEST_METHOD', 'GET'],
          ['HTTPS', https],
        ],
        context,
      );
      assert.equal(r.environ['wsgi.url_scheme'], 'https');
      assert.equal(r.environ.SERVER_PORT, '443');
    }
  });

  it('fills the CGI keys nginx does not send and the uwsgi.* extension keys', () => {
    const { environ } = environFromVars(
      [
        ['REQUEST_METHOD', 'GET'],
        ['HTTP_HOST', 'example.com:8080'],
      ],
      { modifier1: 5, modifier2: 9, multiprocess: true },
    );
    assert.equal(environ.SERVER_NAME, 'example.com');
    assert.equal(environ['uwsgi.modifier1'], 5);
    assert.equal(environ['uwsgi.modifier2'], 9);
    assert.equal(environ['wsgi.multiprocess'], true);
    assert.deepEqual(environ['wsgi.version'], [1, 0]);
  });

  it('requires REQUEST_METHOD', () => {
    assert.throws(() => environFromVars([['PATH_INFO', '/']], context), {
      code: 'ERR_UWSGI_MISSING_VAR',
      status: 400,
    });
  });
});
