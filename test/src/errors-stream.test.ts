import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createErrors } from 'tsgi';

describe('src/errors-stream: wsgi.errors', () => {
  it('hands whole lines to the sink; flush sends the rest', () => {
    const lines: string[] = [];
    const errors = createErrors((l) => lines.push(l));
    errors.write('one\ntw');
    errors.write('o\n');
    errors.writelines(['three', '\n', 'four']);
    assert.deepEqual(lines, ['one', 'two', 'three']);
    errors.flush();
    assert.deepEqual(lines, ['one', 'two', 'three', 'four']);
    errors.flush();
    assert.equal(lines.length, 4);
  });
});
