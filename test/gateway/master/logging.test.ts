/**
 * Logging under the master: --logto FILE gathers the master's and the workers' lines, FIFO `l`
 * (and SIGUSR2) reopens it after logrotate moved it, --log-format uses uWSGI's %(vars),
 * --memory-report prefixes the rss.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { type MasterProcess, startMaster, TEST_APP } from '../../helpers/master.js';
import { uwsgiGet } from '../../helpers/master-request.js';

async function waitForFile(path: string, pattern: RegExp, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
    if (pattern.test(text)) return text;
    if (Date.now() > deadline) throw new Error(`no ${pattern} in ${path}:\n${text}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('gateway/master: logging', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsgi-logging-'));
  let master: MasterProcess | undefined;
  after(async () => {
    await master?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('--logto, --log-format, --memory-report and reopening the file', async () => {
    const sock = join(dir, 'app.sock');
    const logfile = join(dir, 'tsgi.log');
    const fifo = join(dir, 'master.fifo');
    // The master writes to the file, not stdout: start it, then read the file.
    const started = startMaster(
      [
        '--master',
        '--socket',
        sock,
        '--logto',
        logfile,
        '--master-fifo',
        fifo,
        '--memory-report',
        '--log-format',
        '%(addr) "%(method) %(uri) %(proto)" %(status) %(size) %(msecs)ms wid=%(wid) pid=%(pid) ua=%(uagent) ref=%(referer)',
        TEST_APP,
      ],
      { workers: 0 },
    );
    master = await started;
    await waitForFile(logfile, /worker 1 \(pid \d+\) ready/);
    assert.equal((await uwsgiGet(sock, '/?q=1')).status, 200);
    const text = await waitForFile(logfile, /"GET \/\?q=1 HTTP\/1\.1" 200/);
    const line = text.split('\n').find((l) => l.includes('"GET /?q=1'))!;
    assert.match(
      line,
      /^tsgi: \{address space usage: \d+ bytes\/\d+MB\} \{rss usage: \d+ bytes\/\d+MB\} 127\.0\.0\.1 "GET \/\?q=1 HTTP\/1\.1" 200 \d+ \d+ms wid=1 pid=\d+ ua=- ref=-$/,
    );
    // logrotate: move the file away, ask for a reopen, the next lines go to a new file.
    renameSync(logfile, `${logfile}.1`);
    writeFileSync(fifo, 'l');
    await waitForFile(logfile, /fifo "l": log file reopened/);
    assert.equal((await uwsgiGet(sock, '/after-rotate')).status, 200);
    await waitForFile(logfile, /"GET \/after-rotate HTTP\/1\.1" 200/);
    process.kill(master.pid, 'SIGUSR2');
    await waitForFile(logfile, /SIGUSR2: log file reopened/);
  });
});
