/**
 * What `npm pack` ships: the license and changelog, the package.json fields a registry page shows,
 * no run-time dependency a Workers or Lambda user does not need, and docs whose relative links
 * resolve to files inside the package (a link to a file the tarball lacks is a 404 on npm's page
 * and in node_modules).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { before, describe, it } from 'node:test';
import { linksOf } from '../docs/lib/markdown-links.js';
import { ROOT } from '../helpers/built.js';
import { packedFiles } from '../helpers/tarball.js';

interface Manifest {
  license?: string;
  repository?: { url?: string };
  homepage?: string;
  bugs?: { url?: string };
  keywords?: string[];
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Manifest;

describe('the packed package', () => {
  let files: Set<string>;
  before(() => {
    files = new Set(packedFiles());
  });

  it('ships LICENSE (MIT, as package.json says), CHANGELOG.md and README.md', () => {
    for (const f of ['LICENSE', 'CHANGELOG.md', 'README.md', 'package.json']) {
      assert.ok(files.has(f), `${f} is not in the tarball`);
    }
    assert.equal(manifest.license, 'MIT');
    assert.match(readFileSync(join(ROOT, 'LICENSE'), 'utf8'), /^MIT License/);
  });

  it('package.json has repository, homepage, bugs and keywords, all for one project', () => {
    const repo = manifest.repository?.url ?? '';
    assert.match(repo, /^git\+https:\/\/github\.com\/[\w-]+\/[\w-]+\.git$/);
    const base = repo.replace(/^git\+/, '').replace(/\.git$/, '');
    assert.equal(manifest.homepage, `${base}#readme`);
    assert.equal(manifest.bugs?.url, `${base}/issues`);
    assert.ok((manifest.keywords ?? []).length >= 3);
  });

  it('tsx is an optional peer, not a dependency (no esbuild for Workers and Lambda users)', () => {
    assert.equal(manifest.dependencies?.tsx, undefined);
    assert.ok(manifest.peerDependencies?.tsx);
    assert.equal(manifest.peerDependenciesMeta?.tsx?.optional, true);
  });

  it('every relative link in a shipped .md file resolves to a shipped file', () => {
    const broken: string[] = [];
    for (const page of [...files].filter((f) => f.endsWith('.md'))) {
      const text = readFileSync(join(ROOT, page), 'utf8');
      for (const link of linksOf(text)) {
        if (/^[a-z]+:/i.test(link) || link.startsWith('#')) continue;
        const path = decodeURI(link.split('#')[0]!);
        const target = posix.normalize(posix.join(posix.dirname(page), path)).replace(/\/$/, '');
        const shipped = files.has(target) || [...files].some((f) => f.startsWith(`${target}/`));
        if (!shipped) broken.push(`${page}: ${link}`);
      }
    }
    assert.deepEqual(broken, []);
  });
});
