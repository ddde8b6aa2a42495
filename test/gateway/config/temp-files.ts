// Test helper: writes small config fixtures into a fresh temp dir and removes it afterwards.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after } from 'node:test';
import { ConfigErrors } from '../../../gateway/config/errors.js';
import type { TsgiError } from '../../../src/errors.js';

/** A temp dir holding `files` (relative path → text); deleted in the suite's `after` hook. */
export function tempFiles(files: Readonly<Record<string, string>>): string {
  const dir = mkdtempSync(join(tmpdir(), 'tsgi-config-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(files)) {
    const path = join(dir, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
  return dir;
}

export const HOST = { cpus: 8, hostname: 'testhost' } as const;

/** The coded errors a config load throws (each one of a ConfigErrors). */
export function errorsOf(fn: () => unknown): TsgiError[] {
  try {
    fn();
  } catch (error) {
    return error instanceof ConfigErrors ? [...error.errors] : [error as TsgiError];
  }
  assert.fail('expected loadConfig to throw');
}
