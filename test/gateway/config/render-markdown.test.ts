import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { OPTION_LIST } from '../../../gateway/config/options.js';
import {
  OPTIONS_MD_PATH,
  REGENERATE_COMMAND,
  renderOptionsMarkdown,
} from '../../../gateway/config/render-markdown.js';
import { PYTHON_ONLY_KEYS } from '../../../gateway/config/uwsgi-keys.js';

describe('gateway/config/render-markdown', () => {
  const markdown = renderOptionsMarkdown();

  it(`matches the committed ${OPTIONS_MD_PATH}`, () => {
    const committed = readFileSync(new URL(`../../../${OPTIONS_MD_PATH}`, import.meta.url), 'utf8');
    assert.ok(
      committed === markdown,
      `${OPTIONS_MD_PATH} is stale: run \`${REGENERATE_COMMAND}\` (node --conditions=source --import tsx scripts/gen-options.ts) and commit it`,
    );
  });

  it('says it is generated and how to regenerate it', () => {
    assert.match(markdown, /Generated from gateway\/config\/options\.ts/);
    assert.ok(markdown.includes(REGENERATE_COMMAND));
  });

  it('documents every option with flag, file key, env name, type, default, uWSGI and reload', () => {
    for (const { name, env, spec } of OPTION_LIST) {
      const start = markdown.indexOf(`\n### ${name}\n`);
      assert.ok(start >= 0, `${name} has a section`);
      const block = markdown.slice(start, markdown.indexOf('\n### ', start + 1));
      assert.ok(block.includes(`\`--${name}`), `${name} flag`);
      if (spec.sources.includes('env')) assert.ok(block.includes(`\`${env}\``), `${name} env`);
      for (const row of ['| file key |', '| type |', '| default |', '| uWSGI |', '| reload |']) {
        assert.ok(block.includes(row), `${name} ${row}`);
      }
    }
  });

  it('writes down the precedence and the Python-only advice', () => {
    assert.match(markdown, /1\. the defaults below;\n2\. config files/);
    assert.match(markdown, /3\. environment variables `TSGI_<NAME>`;\n4\. command-line flags\./);
    for (const key of Object.keys(PYTHON_ONLY_KEYS))
      assert.ok(markdown.includes(`| \`${key}\` |`), key);
  });
});
