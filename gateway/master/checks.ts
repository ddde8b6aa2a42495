/**
 * The master's checks on its workers (uWSGI's master_checks): a worker that never became ready,
 * an event loop blocked past harakiri (heartbeats stopped), and RSS over evil-reload-on-rss. Each
 * ends the worker through the pool; the loop replaces it.
 */
import { readFileSync } from 'node:fs';
import type { GatewayConfig } from '../config/index.js';
import type { Logger } from '../logging/logger.js';
import { readMemory } from '../stats/proc.js';
import { processError } from './errors.js';
import type { WorkerPool } from './pool.js';
import type { WorkerHandle } from './worker-handle.js';

/** Longest a worker may take to load the app and listen. */
const STARTUP_TIMEOUT_MS = 60_000;

/** Start-up timeout and blocked event loops (harakiri): checked on every wake-up of the loop. */
export function checkDeadlines(pool: WorkerPool, config: GatewayConfig, log: Logger): void {
  const harakiri = config.harakiri;
  const now = performance.now();
  for (const w of pool.workers.values()) {
    if (w.killed) continue;
    if (w.state === 'starting') {
      if (Date.now() - w.spawnedAt > STARTUP_TIMEOUT_MS && !w.expectedExit) {
        log.error(
          `master: worker ${w.id} (pid ${w.pid}) did not become ready in ${STARTUP_TIMEOUT_MS / 1000} s: SIGKILL`,
        );
        // Not expected: its exit counts as a failure for the respawn backoff.
        pool.kill(w);
      }
      continue;
    }
    if (harakiri > 0 && now - w.lastSeen > harakiri * 1000) {
      const silent = ((now - w.lastSeen) / 1000).toFixed(1);
      // The blocking request is the newest one started: nothing can start after the loop blocks.
      const candidates = [...w.running, ...(w.lastRequestStart ? [w.lastRequestStart] : [])];
      const req = candidates.sort((a, b) => b.since - a.since)[0];
      const what = req
        ? `running ${req.method} ${req.uri} since ${new Date(req.since).toISOString()}`
        : 'no request known';
      log.error(
        `${processError('ERR_HARAKIRI_BLOCKED').message}: worker ${w.id} (pid ${w.pid}) sent no heartbeat for ${silent} s (harakiri ${harakiri} s), ${what}`,
      );
      if (config.harakiriVerbose) logProcState(w, log);
      pool.terminate(w, 'harakiri: event loop blocked');
    }
  }
}

/** harakiri-verbose: what the kernel says the blocked process is doing, and its requests. */
function logProcState(w: WorkerHandle, log: Logger): void {
  for (const file of ['wchan', 'syscall']) {
    try {
      const text = readFileSync(`/proc/${w.pid}/${file}`, 'utf8').trim();
      log.error(`master: HARAKIRI worker ${w.id} ${file}> ${text}`);
    } catch {
      // Not Linux, or the process is gone.
    }
  }
  for (const r of w.running) {
    log.error(
      `master: HARAKIRI worker ${w.id} in flight: ${r.method} ${r.uri} since ${new Date(r.since).toISOString()}`,
    );
  }
}

/** evil-reload-on-rss: the master reads each worker's RSS (once a second) and kills the fat ones. */
export function checkMemory(pool: WorkerPool, config: GatewayConfig, log: Logger): void {
  const evil = config.evilReloadOnRss;
  if (evil <= 0) return;
  for (const w of pool.workers.values()) {
    if (w.state === 'stopping') continue;
    const { rss } = readMemory(w.pid);
    if (rss > evil * 1024 * 1024) {
      log.warn(
        `master: worker ${w.id} (pid ${w.pid}) rss ${Math.round(rss / 1048576)} MB over evil-reload-on-rss ${evil} MB: SIGKILL`,
      );
      pool.terminate(w, 'evil-reload-on-rss');
    }
  }
}
