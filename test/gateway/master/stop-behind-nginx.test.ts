/**
 * A bare SIGTERM (docker stop, kill) to one of two masters behind one nginx upstream, under a POST
 * load: no request may fail. nginx retries a request on the other server when connect() fails, but
 * never a POST it has already sent; so the master must remove its socket file before its workers
 * stop accepting, and the workers must accept what was already queued (gateway/worker/accept-
 * drain.ts). Without that, connections queued during the drain are reset: 502s. The requests keep
 * the workers' event loops busy (/block) so connections do queue: with the socket file removed
 * but no accept drain, about 40 of ~2500 POSTs failed here; with neither, 14-31.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type MasterProcess, startMaster, TEST_APP } from '../../helpers/master.js';
import { type Nginx, startNginx } from '../../helpers/nginx.js';

interface PostLoad {
  total: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}
type Autocannon = (opts: Record<string, unknown>) => Promise<{
  requests: { total: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

/** `connections` clients POSTing for `durationS` seconds (bounded); every failure counts. */
async function postLoad(url: string, connections: number, durationS: number): Promise<PostLoad> {
  const r = await autocannon({
    url,
    connections,
    duration: durationS,
    timeout: 10,
    requests: [
      { method: 'POST', path: '/echo', body: 'field=value&other=1' },
      { method: 'POST', path: '/block?ms=3', body: 'field=value' },
    ],
  });
  return { total: r.requests.total, non2xx: r.non2xx, errors: r.errors, timeouts: r.timeouts };
}

describe('graceful stop behind nginx (two masters, one upstream)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsgi-stop-nginx-'));
  const socks = [join(dir, 'a.sock'), join(dir, 'b.sock')];
  const masters: MasterProcess[] = [];
  let nginx: Nginx;

  before(async () => {
    for (const sock of socks) {
      // No --vacuum: the graceful stop removes the socket file anyway.
      masters.push(
        await startMaster(['--master', '--processes', '2', '--socket', sock, TEST_APP], {
          workers: 2,
        }),
      );
    }
    nginx = await startNginx({
      http: `upstream pair { ${socks.map((s) => `server unix:${s};`).join(' ')} }`,
      upstreams: [{ name: 'pair', pass: 'pair' }],
    });
  });

  after(async () => {
    await nginx?.stop();
    for (const m of masters) await m.stop('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('a bare SIGTERM to one master under a POST load: 0 failed requests', async () => {
    const running = postLoad(`http://127.0.0.1:${nginx.ports.pair}`, 64, 4);
    await new Promise((r) => setTimeout(r, 1500));
    const stopped = masters[0]!;
    const code = await stopped.stop('SIGTERM');
    const result = await running;
    console.log(`# bare SIGTERM under POST load: ${JSON.stringify(result)}`);
    const drains = stopped.lines.filter((l) => /stopped accepting after/.test(l));
    console.log(`# ${drains.join('\n# ')}`);
    assert.equal(code, 0, stopped.lines.join('\n'));
    assert.ok(result.total > 100, `enough requests to mean something (${result.total})`);
    assert.equal(result.errors + result.timeouts + result.non2xx, 0, nginx.errorLog());
    assert.match(stopped.lines.join('\n'), /removed .*a\.sock: new connections are refused/);
    assert.equal(existsSync(socks[0]!), false, 'socket file removed without --vacuum');
    assert.equal(existsSync(socks[1]!), true, 'the other instance keeps its socket');
  });
});
