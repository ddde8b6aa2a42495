/**
 * docs/index.md explains the README's two commands: the explanation must match what package.json,
 * scripts/setup.sh and README.md actually do.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from '../deploy/lib/tsgi-cli.js';

const page = readFileSync(join(ROOT, 'docs/index.md'), 'utf8').replace(/\s+/g, ' ');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
};

describe('docs/index.md, getting started', () => {
  it('shows the README commands', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    for (const command of ['npm ci && npm start', 'bash scripts/setup.sh && npm test']) {
      assert.ok(readme.includes(command), `README: ${command}`);
      assert.ok(page.includes(command), `docs/index.md: ${command}`);
    }
  });

  it('says what npm start and npm test run', () => {
    assert.ok(page.includes(`\`${pkg.scripts.start}\``), `npm start is ${pkg.scripts.start}`);
    assert.equal(pkg.scripts.prepare, 'npm run build');
    assert.match(
      pkg.scripts.test ?? '',
      /npm run check && npm run build && node scripts\/test\.mjs/,
    );
    assert.match(pkg.scripts.check ?? '', /tsc .*biome ci/);
  });

  it('names the apt packages setup.sh installs', () => {
    const list = /apt_packages=\(([^)]*)\)/.exec(
      readFileSync(join(ROOT, 'scripts/setup.sh'), 'utf8'),
    );
    assert.ok(list);
    for (const p of ['nginx', 'uwsgi', 'wrk', 'systemd', 'logrotate', 'openssl', 'curl']) {
      assert.ok(list[1]!.split(/\s+/).includes(p), `setup.sh installs ${p}`);
      assert.ok(page.includes(p), `docs/index.md mentions ${p}`);
    }
  });
});
