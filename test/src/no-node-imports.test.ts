import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

// src/ must run in workerd: no Node modules, no Node globals (biome.json enforces it too).
const root = new URL('../../src/', import.meta.url).pathname;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const NODE_BUILTINS = new Set([
  'assert',
  'buffer',
  'child_process',
  'crypto',
  'events',
  'fs',
  'http',
  'https',
  'net',
  'os',
  'path',
  'process',
  'stream',
  'string_decoder',
  'timers',
  'tls',
  'url',
  'util',
  'worker_threads',
  'zlib',
]);

describe('src/ imports nothing from Node', () => {
  const all = files(root);
  it('finds the source files', () => {
    assert.ok(all.length >= 12);
  });
  for (const file of all) {
    it(file.slice(root.length), () => {
      const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      for (const m of text.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)) {
        const spec = m[1]!;
        assert.ok(!spec.startsWith('node:'), `${spec} is a Node module`);
        assert.ok(!NODE_BUILTINS.has(spec.split('/')[0]!), `${spec} is a Node module`);
        assert.ok(
          spec.startsWith('./') || spec.startsWith('../'),
          `${spec}: src/ imports only src/`,
        );
      }
      assert.doesNotMatch(text, /\b(?:process|Buffer|require|__dirname|__filename)\b/);
    });
  }
});
