import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig } from '../../../gateway/config/load.js';
import { renderPrintConfig } from '../../../gateway/config/render-print-config.js';
import { HOST, tempFiles } from './temp-files.js';

describe('gateway/config/render-print-config', () => {
  const dir = tempFiles({
    'u.ini': '[uwsgi]\nsocket = /run/a.sock\nsocket = :3031\nchmod-socket = 660\n',
  });
  const result = loadConfig({
    argv: ['--ini', 'u.ini', '--print-config', '--listen', '128', 'app.ts'],
    env: { TSGI_LIMIT_POST: '1m' },
    cwd: dir,
    host: HOST,
  });
  const text = renderPrintConfig(result);

  it('shows each set value under the source that set it', () => {
    assert.ok(
      text.includes('; from ini:u.ini:2, ini:u.ini:3\nsocket = /run/a.sock\nsocket = :3031\n'),
      text,
    );
    assert.ok(text.includes('; from ini:u.ini:4\nchmod-socket = 660\n'));
    assert.ok(text.includes('; from cli\nlisten = 128\n'));
    assert.ok(text.includes('; from env:TSGI_LIMIT_POST\nlimit-post = 1048576\n'));
    assert.ok(text.includes('; from cli\napp = app.ts\n'));
  });

  it('shows defaults as comments', () => {
    assert.match(text, /^;buffer-size = 65535 {2}\(default\)$/m);
    assert.match(text, /^;http-socket = \(not set\) {2}\(default\)$/m);
  });

  it('loads back with --ini to the same values', () => {
    writeFileSync(join(dir, 'printed.ini'), text);
    const again = loadConfig({ argv: ['--ini', 'printed.ini'], cwd: dir, host: HOST });
    assert.deepEqual(
      { ...again.config, ini: [] },
      { ...result.config, ini: [], printConfig: false },
    );
  });
});
