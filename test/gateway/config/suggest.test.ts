import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { editDistance, suggest } from '../../../gateway/config/suggest.js';

describe('gateway/config/suggest', () => {
  it('counts insertions, deletions and substitutions', () => {
    assert.equal(editDistance('harakri', 'harakiri'), 1);
    assert.equal(editDistance('socket', 'sockets'), 1);
    assert.equal(editDistance('listen', 'lisent'), 2);
    assert.equal(editDistance('', 'abc'), 3);
    assert.equal(editDistance('same', 'same'), 0);
  });

  it('suggests the nearest name when it is close enough to be a typo', () => {
    const names = ['harakiri', 'harakiri-verbose', 'socket', 'max-requests'];
    assert.equal(suggest('harakri', names), 'harakiri');
    assert.equal(suggest('max-request', names), 'max-requests');
    assert.equal(suggest('sockte', names), 'socket');
  });

  it('suggests nothing for a name far from every candidate', () => {
    assert.equal(suggest('completely-different', ['socket', 'harakiri']), undefined);
  });
});
