/**
 * A worker process: forked by the master, it receives the boot message and the listening handles,
 * loads the app (only workers do), serves, heartbeats, and recycles itself when a limit says so.
 * Exit codes: 0 done, 3 could not serve (WORKER_EXIT.BOOT), 4 app failed to load (APP_LOAD).
 */
import { createServer, type Server } from 'node:net';
import { installLightweightResponse } from '../app/lightweight-response.js';
import { loadApp } from '../app/load-app.js';
import { BackgroundWork } from '../extensions/background-work.js';
import { loadHooks, runShutdown, runStartup } from '../extensions/lifespan.js';
import { withExtensions } from '../extensions/with-extensions.js';
import { createLogger } from '../logging/logger.js';
import { requestLineFormat } from '../logging/request-line.js';
import { handleCounts } from '../server/handle-transport.js';
import type { Listener, ListenerSpec } from '../server/listeners.js';
import { listenerSpecs } from '../server/listeners.js';
import { probeFastTransport } from '../server/node-internals.js';
import { resolveServerOptions } from '../server/options.js';
import { type Serving, serveListeners } from '../server/serve-listeners.js';
import { uwsgiSignals } from '../server/uwsgi-signals.js';
import { websocketSettings } from '../server/websocket-settings.js';
import { websocketUpgrade } from '../server/websocket-upgrade.js';
import { readMemory } from '../stats/proc.js';
import { WebSocketRegistry } from '../websocket/registry.js';
import { acceptDrain, watchAccepts } from './accept-drain.js';
import { type BootMessage, type MasterMessage, WORKER_EXIT, type WorkerMessage } from './ipc.js';
import { postBuffering } from './post-buffering.js';
import { recycleReason } from './recycle.js';
import { RequestTracker } from './request-tracker.js';
import { serverOptionsFromConfig } from './server-options.js';
import { superviseApp } from './supervise-app.js';

function send(message: WorkerMessage): void {
  if (process.connected) process.send?.(message);
}

function describe(error: unknown): string {
  const e = error as { message?: string; cause?: { message?: string } };
  const cause =
    e?.cause?.message && !e.message?.includes(e.cause.message)
      ? ` (cause: ${e.cause.message})`
      : '';
  return `${e?.message ?? String(error)}${cause}`;
}

async function listenOn(handle: unknown, backlog: number): Promise<Server> {
  const server = createServer({ allowHalfOpen: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(handle as never, backlog, () => resolve());
  });
  return server;
}

/** Collects the boot message and the handles that follow it. */
function receiveBoot(): Promise<{
  boot: BootMessage;
  handles: unknown[];
  specs: Array<ListenerSpec | undefined>;
}> {
  return new Promise((resolve) => {
    let boot: BootMessage | undefined;
    const handles: unknown[] = [];
    const specs: Array<ListenerSpec | undefined> = [];
    const onMessage = (message: MasterMessage, handle: unknown) => {
      if (message.type === 'boot') boot = message;
      else if (message.type === 'listener') {
        handles[message.index] = handle;
        specs[message.index] = message.spec;
      }
      if (boot && handles.filter(Boolean).length === boot.listeners) {
        process.off('message', onMessage);
        resolve({ boot, handles, specs });
      }
    };
    process.on('message', onMessage);
    send({ type: 'hello' });
  });
}

async function main(): Promise<number> {
  // The terminal sends SIGINT/SIGQUIT to the whole process group: the master decides, not us.
  for (const signal of ['SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGUSR1'] as const)
    process.on(signal, () => {});
  // The master went away before we were serving: nothing to finish.
  const orphaned = () => process.exit(WORKER_EXIT.OK);
  process.once('disconnect', orphaned);
  const { boot, handles, specs: sent } = await receiveBoot();
  const { config } = boot;
  const startedAt = Date.now();
  const log = createLogger({ disableLogging: true });

  let app: Awaited<ReturnType<typeof loadApp>>;
  let hooks: Awaited<ReturnType<typeof loadHooks>>;
  let state: unknown;
  try {
    if (config.overrideGlobalResponse) installLightweightResponse();
    app = await loadApp(boot.app, process.cwd(), { log: (line) => log.info(line) });
    hooks = await loadHooks(boot.app);
    // Before accepting: a worker whose start-up failed never becomes ready.
    state = await runStartup(hooks, boot.app);
  } catch (error) {
    log.error(`worker ${boot.id} (pid ${process.pid}): ${describe(error)}`);
    return WORKER_EXIT.APP_LOAD;
  }

  const options = resolveServerOptions({ ...serverOptionsFromConfig(config), multiprocess: true });
  const tracker = new RequestTracker();
  const background = new BackgroundWork(log);
  const supervised = postBuffering(
    superviseApp(withExtensions(app, background.waitUntil, state), tracker, {
      harakiri: config.harakiri,
      harakiriVerbose: config.harakiriVerbose,
      log: (line) => log.error(line),
    }),
    config.postBuffering,
  );
  if (config.harakiri > 0) {
    tracker.onBegin = (r) =>
      send({ type: 'request-start', request: { method: r.method, uri: r.uri, since: r.since } });
  }

  let listeners: Listener[];
  try {
    // The master's list (it knows the sockets systemd passed); the config's for an older master.
    const specs: ListenerSpec[] = sent.every(Boolean)
      ? (sent as ListenerSpec[])
      : listenerSpecs(options);
    listeners = [];
    for (const [i, spec] of specs.entries()) {
      const server = await listenOn(handles[i], options.listen);
      listeners.push({ ...spec, server, bound: spec.address });
    }
  } catch (error) {
    log.error(`worker ${boot.id} (pid ${process.pid}) cannot serve: ${describe(error)}`);
    return WORKER_EXIT.BOOT;
  }
  const websockets = new WebSocketRegistry();
  const connectionLog = createLogger({
    disableLogging: options.disableLogging,
    bareRequests: config.logReqEncoder === 'json',
  });
  const serving: Serving = serveListeners(listeners, {
    app: supervised,
    options,
    log: connectionLog,
    requestLine: requestLineFormat({ ...config, wid: boot.id, readMemory }),
    signals: uwsgiSignals,
    upgrade: websocketUpgrade(
      websocketSettings(serverOptionsFromConfig(config), connectionLog.warn),
      websockets,
    ),
  });
  const accepts = watchAccepts(listeners.map((l) => l.server));
  const fast = probeFastTransport(options.disableFastTransport);

  let retiring: string | null = null;
  let stopped: (code: number) => void = () => {};
  const done = new Promise<number>((resolve) => (stopped = resolve));
  // Heartbeats go on while draining: the master must not take a draining worker for a blocked one.
  let stopping: 'graceful' | 'forced' | null = null;
  const stop = async (graceful: boolean, drainQueue = false) => {
    if (stopping === 'forced' || (stopping === 'graceful' && graceful)) return;
    stopping = graceful ? 'graceful' : 'forced';
    // Open WebSockets hear 1001 now, not when reload-mercy runs out: their clients reconnect.
    websockets.goAway();
    // Shutdown: accept what already waits in the listen queue before closing (accept-drain.ts).
    if (graceful && drainQueue) {
      const t0 = performance.now();
      const n0 = accepts.accepted();
      await acceptDrain(accepts);
      log.info(
        `worker ${boot.id} (pid ${process.pid}) stopped accepting after a ${Math.round(performance.now() - t0)} ms drain (${accepts.accepted() - n0} queued connection(s) accepted)`,
      );
    }
    if (stopping === 'forced' && graceful) return; // a forced stop came during the drain
    await serving.close({ force: !graceful });
    if (graceful && stopping === 'graceful') {
      await background.finish(config.shutdownTimeout);
      const problem = await runShutdown(hooks, state, config.shutdownTimeout);
      if (problem) log.error(`worker ${boot.id} (pid ${process.pid}): ${problem}`);
    }
    stopped(WORKER_EXIT.OK);
  };
  const retire = (reason: string) => {
    if (retiring) return;
    retiring = reason;
    log.info(`worker ${boot.id} (pid ${process.pid}) recycling: ${reason}`);
    // Keep serving: the master sends `stop` once a replacement accepts, so nothing waits in the
    // listen queue. Without a master channel there is nobody to ask: stop now.
    if (process.connected) send({ type: 'retiring', reason });
    else void stop(true);
  };
  const limits = {
    maxRequests: boot.maxRequests,
    maxWorkerLifetime: config.maxWorkerLifetime,
    minWorkerLifetime: config.minWorkerLifetime,
    reloadOnRss: config.reloadOnRss,
    reloadOnAs: config.reloadOnAs,
  };
  const check = (rss: number, vsz: number) => {
    const reason = recycleReason(limits, {
      requests: tracker.requests,
      age: (Date.now() - startedAt) / 1000,
      rss,
      vsz,
    });
    if (reason) retire(reason);
  };

  tracker.onEnd = () => {
    if (limits.maxRequests > 0 && tracker.requests >= limits.maxRequests) check(0, 0);
  };

  const beat = () => {
    const rss = process.memoryUsage.rss();
    const counters = {
      ...tracker.snapshot(rss),
      background: background.pending,
      fastTransport: { on: fast.on, reason: fast.reason, acceptReads: handleCounts.readAtAccept },
      websockets: websockets.size,
    };
    send({ type: 'heartbeat', counters, running: tracker.runningList() });
    const needVsz = limits.reloadOnAs > 0;
    check(rss, needVsz ? readMemory().vsz : 0);
  };
  setInterval(beat, boot.heartbeatMs);

  process.on('message', (message: MasterMessage) => {
    if (message.type === 'stop') void stop(message.graceful, message.drainQueue === true);
    else if (message.type === 'go-away') websockets.goAway(false);
  });
  // systemd's KillMode=control-group or a kill of the group: the master removes the socket files.
  process.on('SIGTERM', () => void stop(true, true));
  // The master is gone (is_parent_alive in gunicorn): finish what we have, then exit.
  process.off('disconnect', orphaned);
  process.on('disconnect', () => void stop(true));

  send({ type: 'ready' });
  beat();
  return done;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`tsgi: worker fatal: ${(error as Error)?.stack ?? error}\n`);
    process.exit(WORKER_EXIT.BOOT);
  },
);
