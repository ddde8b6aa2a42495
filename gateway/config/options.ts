/**
 * THE option table of the gateway. Edit here: CLI flags, config-file keys, TSGI_* variables,
 * `--help`, `--print-config`, gateway/OPTIONS.md and the uWSGI migration table are derived from
 * it, and `GatewayConfig` is its value type, so an option cannot exist in code without an entry.
 *
 * Names are mechanical: key `maxRequests` → flag `--max-requests`, file key `max-requests`,
 * env `TSGI_MAX_REQUESTS`. `status: 'planned'` marks options that are known but not implemented
 * yet: the loader rejects them by name until the helper who implements one removes the mark.
 */
import { availableParallelism } from 'node:os';
import { LOG_FORMAT_VARIABLES, unknownLogVariable } from '../logging/log-format.js';
import { MAX_DATASIZE } from '../uwsgi/packet.js';
import {
  boolean,
  bytes,
  choice,
  int,
  intList,
  list,
  megabytes,
  mode,
  type OptionSpec,
  parseText,
  seconds,
  string,
  ValueError,
  type ValueOf,
} from './option-types.js';
import { checkSocketAddress } from './socket-address.js';
import { suggest } from './suggest.js';

/** --log-format: a typo in a %(name) is a config error here, not a worker that cannot start. */
function checkLogFormat(value: string): void {
  const name = unknownLogVariable(value);
  if (name === undefined) return;
  const near = suggest(name, LOG_FORMAT_VARIABLES);
  throw new ValueError(
    `unknown variable %(${name})${near ? ` (did you mean %(${near})?)` : ''}; the variables are listed under log-format in gateway/OPTIONS.md, and %(var.NAME) reads a request var`,
  );
}

/** `ADDR,CERT,KEY` as uWSGI's ssl-socket takes it. */
function parseSslSocket(raw: string): string {
  const parts = parseText(raw).split(',');
  if (parts.length !== 3 || parts.some((p) => p.trim() === '')) {
    throw new ValueError('expected ADDR,CERT,KEY (address, certificate file, key file)');
  }
  checkSocketAddress(parts[0]!);
  return raw;
}

/** One socket address (checked here, so a typo is a config error that names the option). */
function parseSocketAddress(raw: string): string {
  checkSocketAddress(parseText(raw));
  return raw;
}

/** `name=value`, as set-placeholder takes it. */
function parseNameValue(raw: string): string {
  const eq = raw.indexOf('=');
  if (eq <= 0 || raw.slice(0, eq).trim() === '') throw new ValueError('expected NAME=VALUE');
  return raw;
}

export const OPTIONS = {
  // Application
  app: string({
    section: 'Application',
    meta: 'APP',
    summary:
      'The TSGI app to serve: path/to/module[:export] (.js, .mjs or .ts; export defaults to `default`).',
    description:
      'Also the positional argument (`tsgi [options] APP`), so a config file can name the app. A relative path is resolved against the working directory after `chdir`.',
    uwsgi: 'module, wsgi-file',
    uwsgiNote:
      'Replaces module/wsgi-file/callable: `module = app:application` becomes `app = app.ts:application`.',
    reload: 'hup',
  }),
  chdir: string({
    section: 'Application',
    meta: 'DIR',
    summary:
      'Change to this directory at start-up, before the sockets are bound and the app is loaded.',
    description:
      'As in uWSGI: config files, `pidfile`, `daemonize` and `logto` are relative to the directory tsgi was started in; the app, unix `socket`/`http-socket`/`http`/`ssl-socket` paths and certificates, `stats`, `master-fifo`, `touch-reload` and `touch-chain-reload` are relative to `chdir`. A relative `chdir` is relative to the start directory.',
    uwsgi: 'chdir',
    reload: 'restart',
  }),
  overrideGlobalResponse: boolean({
    section: 'Application',
    default: true,
    summary:
      "Before the app loads, replace the global Response with a lightweight one, which fromFetch/fromHono write without a stream (--no-override-global-response keeps Node's own).",
    description:
      "Node's Response wraps every body in a ReadableStream when it is made, which on Node 20 costs more than the rest of a small request. The lightweight Response keeps a string or bytes body, the status and the headers as given and builds Node's Response only when something needs it (`body`, `clone()`, `text()`, …); a stream, Blob or form-data body gets Node's Response at once. `instanceof Response`, `Response.json`/`error`/`redirect`, `clone()` and streamed bodies behave as before. On by default, as @hono/node-server's `overrideGlobalObjects`: a Fetch app cannot tell the difference, and a Hono route answers in a fraction of the CPU. One difference: a Headers object taken from `response.headers` before something made the lightweight Response build Node's is copied then, so later changes to that object no longer reach the response. Turn it off if an app relies on that, or if something else must own `globalThis.Response`.",
    uwsgi: null,
    uwsgiNote:
      "tsgi only (uWSGI serves no Fetch apps); the same idea as @hono/node-server's `overrideGlobalObjects`, on by default there too.",
    reload: 'hup',
  }),

  // Sockets
  socket: list({
    item: parseSocketAddress,
    short: 's',
    section: 'Sockets',
    meta: 'ADDR',
    summary:
      'Accept uwsgi-protocol connections (from nginx uwsgi_pass) on host:port, :port or a unix socket path. Repeatable.',
    description:
      'A uwsgi socket bound to a non-loopback address logs a warning: the protocol has no authentication.',
    aliases: ['uwsgi-socket'],
    uwsgi: 'socket',
    reload: 'restart',
  }),
  sslSocket: list({
    section: 'Sockets',
    meta: 'ADDR,CERT,KEY',
    item: parseSslSocket,
    summary:
      'Accept uwsgi over TLS (nginx `uwsgi_pass suwsgi://`) on ADDR with this certificate and key. Repeatable.',
    uwsgi: 'ssl-socket',
    reload: 'restart',
  }),
  httpSocket: list({
    item: parseSocketAddress,
    section: 'Sockets',
    meta: 'ADDR',
    summary: 'Accept HTTP/1.1 (keep-alive) on ADDR, for a proxy that speaks HTTP. Repeatable.',
    uwsgi: 'http-socket',
    reload: 'restart',
  }),
  http: list({
    item: parseSocketAddress,
    section: 'Sockets',
    meta: 'ADDR',
    summary:
      'Accept HTTP/1.1 directly from clients on ADDR (development, or behind a load balancer). Repeatable.',
    uwsgi: 'http',
    uwsgiNote:
      'uWSGI starts a separate HTTP router process for `http`; tsgi serves it in the workers, like http-socket.',
    reload: 'restart',
  }),
  chmodSocket: mode({
    short: 'C',
    section: 'Sockets',
    summary: 'Set the mode of unix sockets (3 octal digits; given alone: 666).',
    aliases: ['chmod'],
    uwsgi: 'chmod-socket',
    reload: 'restart',
  }),
  chownSocket: string({
    section: 'Sockets',
    meta: 'USER[:GROUP]',
    summary: 'Set the owner of unix sockets.',
    uwsgi: 'chown-socket',
    reload: 'restart',
    impliesMaster: true,
  }),
  listen: int({
    short: 'l',
    section: 'Sockets',
    default: 1024,
    min: 1,
    summary: 'Listen backlog of each socket.',
    uwsgi: 'listen',
    uwsgiNote:
      'uWSGI defaults to 100 and refuses to start above net.core.somaxconn; tsgi defaults to 1024 and lets the kernel clamp.',
    reload: 'restart',
  }),

  // Requests
  bufferSize: bytes({
    short: 'b',
    section: 'Requests',
    default: MAX_DATASIZE,
    max: MAX_DATASIZE,
    summary: 'Largest request head accepted; a larger one gets 431.',
    description:
      'uwsgi sockets: the vars block nginx sends (request line, headers and server variables), in bytes. HTTP sockets: the request target plus every header name and value (with any whitespace after a value), as node:http counts its maxHeaderSize; the method, the version, colons, the whitespace before a value and line ends are not counted. Both HTTP transports count it this way (the raw handle and node:http, --disable-fast-transport or not), so a head gets the same answer on either.',
    uwsgi: 'buffer-size',
    uwsgiNote:
      'Default 65535 (the protocol maximum) instead of 4096, and an oversized request gets a 431 instead of a 502.',
    reload: 'hup',
  }),
  maxVars: int({
    short: 'v',
    section: 'Requests',
    default: 1000,
    min: 1,
    summary: 'Most key/value pairs accepted in one uwsgi vars block; more get 431.',
    uwsgi: 'max-vars',
    reload: 'hup',
  }),
  limitPost: bytes({
    section: 'Requests',
    summary: 'Largest request body accepted (0 = no limit); larger ones get 413.',
    uwsgi: 'limit-post',
    uwsgiNote: 'uWSGI drops the connection (nginx answers 502); tsgi answers 413.',
    reload: 'hup',
  }),
  socketTimeout: seconds({
    short: 'z',
    section: 'Requests',
    default: 30,
    summary: 'Time allowed for reading the vars, each body read and each response write.',
    uwsgi: 'socket-timeout',
    uwsgiNote: 'Default 30 s instead of 4 s (nginx waits 60 s).',
    reload: 'hup',
  }),
  httpKeepalive: seconds({
    section: 'Requests',
    default: 5,
    summary:
      "How long an idle keep-alive connection on --http/--http-socket waits for its next request. Sent to clients as 'Keep-Alive: timeout=N'; the connection is closed one second after that, so a client reusing it at the last moment does not race the close. A request that has begun is bounded by --socket-timeout instead; 0 closes the connection after each response. Default 5 s, as node:http: above gunicorn's 2 s (which assumes a proxy in front that reopens cheaply) for direct clients, and below the 60 s idle timeout of nginx's upstream keepalive, so nginx should set keepalive_timeout below it.",
    uwsgi: 'http-keepalive',
    uwsgiNote:
      "uWSGI's HTTP router takes the keep-alive on/off; here the value is its idle timeout in seconds. gunicorn's --keep-alive is an alias.",
    aliases: ['keep-alive'],
    reload: 'hup',
  }),
  postBuffering: bytes({
    section: 'Requests',
    summary:
      'Read bodies up to this size into memory before calling the app, larger ones into a temp file (0 = stream).',
    uwsgi: 'post-buffering',
    reload: 'hup',
    impliesMaster: true,
  }),
  workerConnections: int({
    section: 'Requests',
    default: 0,
    min: 0,
    summary:
      'Most connections one worker keeps open (0 = the open-files limit less 64). At the cap, or out of file descriptors, the oldest idle connection is closed to admit a new one; if none is idle the new one gets 503.',
    uwsgi: null,
    uwsgiNote:
      "gunicorn's --worker-connections. uWSGI has no per-worker cap; like nginx, tsgi reuses idle connections under pressure.",
    reload: 'hup',
  }),
  forwardedAllowIps: list({
    section: 'Requests',
    meta: 'IPS',
    summary:
      "Peers trusted to set X-Forwarded-For and X-Forwarded-Proto on --http/--http-socket (comma-separated or repeated; '*' = any). Empty (the default): the headers are ignored.",
    uwsgi: null,
    uwsgiNote:
      "gunicorn's --forwarded-allow-ips (uvicorn: --proxy-headers). Behind nginx on --socket, nginx sets REMOTE_ADDR and the scheme itself.",
    reload: 'hup',
  }),
  disableFastTransport: boolean({
    section: 'Requests',
    summary:
      'Serve every uwsgi and plain HTTP connection through a net.Socket (HTTP: node:http), not on its libuv handle (the fast transport relies on Node internals; the start-up log and the stats say whether it is on and why not).',
    uwsgi: null,
    uwsgiNote: 'tsgi only: uWSGI has no such layer.',
    reload: 'hup',
  }),
  modifier1: intList({
    section: 'Requests',
    max: 255,
    summary: 'Extra uwsgi modifier1 values served as HTTP requests, besides 0. Repeatable.',
    uwsgi: null,
    uwsgiNote:
      'uWSGI routes modifier1 to plugins; tsgi has one app, so it only needs an allow-list.',
    reload: 'hup',
  }),
  harakiri: seconds({
    short: 't',
    section: 'Requests',
    summary:
      'Deadline of each request: past it the request gets a 504 (0 = off); a blocked worker is replaced.',
    uwsgi: 'harakiri',
    uwsgiNote:
      'uWSGI SIGKILLs the whole worker (nginx answers 502); tsgi times out only that request and kills the worker only when its event loop is blocked.',
    reload: 'hup',
    impliesMaster: true,
  }),
  websocketsMaxSize: int({
    section: 'Requests',
    default: 1024,
    min: 1,
    summary:
      'Largest incoming WebSocket message, in kilobytes; a larger one closes the socket with 1009.',
    uwsgi: 'websockets-max-size',
    uwsgiNote: 'Same unit and default as uWSGI (KB, 1024).',
    reload: 'hup',
  }),
  websocketsPingFreq: seconds({
    section: 'Requests',
    default: 30,
    summary: 'Seconds between the pings the gateway sends each open WebSocket (0 = none).',
    uwsgi: 'websockets-ping-freq',
    reload: 'hup',
  }),
  websocketsPongTolerance: seconds({
    section: 'Requests',
    default: 3,
    summary: 'Seconds a WebSocket peer may take to answer a ping before it is dropped.',
    uwsgi: 'websockets-pong-tolerance',
    reload: 'hup',
  }),
  harakiriVerbose: boolean({
    section: 'Requests',
    summary: 'Log more about each harakiri (the request, what the worker was doing).',
    uwsgi: 'harakiri-verbose',
    reload: 'hup',
  }),

  // Processes
  master: boolean({
    short: 'M',
    section: 'Processes',
    summary: 'Run a master process that supervises the workers.',
    uwsgi: 'master',
    reload: 'restart',
    impliesMaster: true,
  }),
  processes: int({
    short: 'p',
    section: 'Processes',
    default: 1,
    min: 1,
    auto: availableParallelism,
    summary:
      'Number of worker processes (the maximum when cheaper is on); `auto` = the number of CPUs.',
    aliases: ['workers'],
    uwsgi: 'processes, workers',
    reload: 'hup',
    impliesMaster: true,
  }),

  // Reloading
  reloadMercy: seconds({
    section: 'Reloading',
    default: 60,
    summary: 'Longest a whole reload or shutdown may take before the remaining workers are killed.',
    uwsgi: 'reload-mercy',
    uwsgiNote:
      'In uWSGI 2.0 it only bounds the Emperor and attached daemons; tsgi applies it to the workers.',
    reload: 'hup',
  }),
  workerReloadMercy: seconds({
    section: 'Reloading',
    default: 60,
    summary:
      'Time each worker gets to finish its in-flight requests on reload or shutdown before SIGKILL.',
    uwsgi: 'worker-reload-mercy',
    reload: 'hup',
  }),
  shutdownTimeout: seconds({
    section: 'Reloading',
    default: 30,
    summary:
      "Time a stopping worker gives its tsgi.waitUntil work, then the app's shutdown hook, each; what is cut is logged.",
    uwsgi: null,
    uwsgiNote:
      'uWSGI has no background work after the response; its atexit hooks have no deadline. worker-reload-mercy still bounds the whole stop.',
    reload: 'hup',
  }),
  touchReload: list({
    section: 'Reloading',
    meta: 'FILE',
    summary: 'Gracefully reload when this file is touched (mtime changes). Repeatable.',
    uwsgi: 'touch-reload',
    reload: 'hup',
    impliesMaster: true,
  }),
  touchChainReload: list({
    section: 'Reloading',
    meta: 'FILE',
    summary: 'Reload the workers one at a time when this file is touched. Repeatable.',
    uwsgi: 'touch-chain-reload',
    reload: 'hup',
    impliesMaster: true,
  }),
  autoreload: seconds({
    section: 'Reloading',
    summary:
      "Development: every N seconds, reload the workers if the app's own files changed (0 = off).",
    uwsgi: null,
    uwsgiNote: "uWSGI's `py-autoreload` is read as this option, with a warning.",
    reload: 'hup',
    impliesMaster: true,
  }),
  masterFifo: list({
    section: 'Reloading',
    meta: 'PATH',
    summary:
      "Create a FIFO that takes uWSGI's one-letter master commands (r R w W c q Q s + -). Repeatable.",
    uwsgi: 'master-fifo',
    reload: 'restart',
    impliesMaster: true,
  }),

  // Recycling
  maxRequests: int({
    short: 'R',
    section: 'Recycling',
    summary: 'Recycle a worker gracefully after this many requests (0 = off).',
    uwsgi: 'max-requests',
    reload: 'hup',
    impliesMaster: true,
  }),
  maxRequestsDelta: int({
    section: 'Recycling',
    summary:
      'Random extra requests (0..N) added per worker to max-requests, so workers do not all recycle at once.',
    uwsgi: 'max-requests-delta',
    uwsgiNote: 'uWSGI adds (worker id - 1) × N; tsgi adds a random jitter.',
    reload: 'hup',
  }),
  maxWorkerLifetime: seconds({
    section: 'Recycling',
    summary: 'Recycle a worker gracefully after it has run this long (0 = off).',
    uwsgi: 'max-worker-lifetime',
    reload: 'hup',
    impliesMaster: true,
  }),
  minWorkerLifetime: seconds({
    section: 'Recycling',
    default: 10,
    summary: 'A worker younger than this is not recycled by max-requests or reload-on-*.',
    uwsgi: 'min-worker-lifetime',
    reload: 'hup',
  }),
  reloadOnRss: megabytes({
    section: 'Recycling',
    summary:
      'Recycle a worker gracefully when its RSS exceeds this many megabytes (checked on a timer; 0 = off).',
    uwsgi: 'reload-on-rss',
    uwsgiNote: 'uWSGI checks only after a request completes; tsgi also checks on a timer.',
    reload: 'hup',
    impliesMaster: true,
  }),
  reloadOnAs: megabytes({
    section: 'Recycling',
    summary:
      'Recycle a worker gracefully when its address space exceeds this many megabytes (0 = off).',
    uwsgi: 'reload-on-as',
    reload: 'hup',
    impliesMaster: true,
  }),
  evilReloadOnRss: megabytes({
    section: 'Recycling',
    summary: 'Kill a worker at once (SIGKILL) when its RSS exceeds this many megabytes (0 = off).',
    uwsgi: 'evil-reload-on-rss',
    reload: 'hup',
    impliesMaster: true,
  }),

  // Cheaper
  cheaper: int({
    section: 'Cheaper (adaptive worker count)',
    summary:
      'Minimum number of workers when adapting the count to the load (0 = off; must be below processes).',
    uwsgi: 'cheaper',
    reload: 'hup',
    impliesMaster: true,
  }),
  cheaperInitial: int({
    section: 'Cheaper (adaptive worker count)',
    summary: 'Workers started at boot when cheaper is on (0 = the cheaper value).',
    uwsgi: 'cheaper-initial',
    reload: 'hup',
  }),
  cheaperStep: int({
    section: 'Cheaper (adaptive worker count)',
    default: 1,
    min: 1,
    summary: 'Workers spawned at once when more are needed.',
    uwsgi: 'cheaper-step',
    reload: 'hup',
  }),
  cheaperOverload: int({
    section: 'Cheaper (adaptive worker count)',
    default: 3,
    min: 1,
    summary: 'Seconds (master cycles) of overload or idleness before the cheaper algorithm acts.',
    uwsgi: 'cheaper-overload',
    reload: 'hup',
  }),
  cheaperAlgo: choice({
    section: 'Cheaper (adaptive worker count)',
    choices: ['spare', 'busyness'],
    default: 'spare',
    summary:
      'How the worker count adapts: spare (spawn when all are busy) or busyness (average busy time).',
    uwsgi: 'cheaper-algo',
    uwsgiNote: 'backlog and manual are not offered; busyness is built in (a plugin in uWSGI).',
    reload: 'hup',
  }),
  idle: seconds({
    section: 'Cheaper (adaptive worker count)',
    summary:
      'After this many seconds without a request, stop all workers but one until traffic returns (0 = off).',
    uwsgi: 'idle',
    reload: 'hup',
    impliesMaster: true,
  }),

  // Monitoring
  stats: string({
    section: 'Monitoring',
    check: checkSocketAddress,
    meta: 'ADDR',
    summary: 'Serve uWSGI-compatible stats JSON (uwsgitop) on host:port or a unix path.',
    uwsgi: 'stats',
    reload: 'restart',
    impliesMaster: true,
  }),
  statsHttp: boolean({
    section: 'Monitoring',
    summary: 'Serve the stats over HTTP (JSON, plus Prometheus text at /metrics).',
    uwsgi: 'stats-http',
    reload: 'restart',
  }),
  memoryReport: boolean({
    short: 'm',
    section: 'Monitoring',
    summary: 'Add the worker RSS to each request log line.',
    uwsgi: 'memory-report',
    reload: 'hup',
  }),

  // Logging
  disableLogging: boolean({
    short: 'L',
    section: 'Logging',
    summary: 'Do not log one line per request (errors are still logged).',
    uwsgi: 'disable-logging',
    reload: 'hup',
  }),
  logto: string({
    section: 'Logging',
    meta: 'FILE',
    summary:
      'Append the log to this file instead of stderr (reopened on a signal or FIFO command).',
    uwsgi: 'logto',
    reload: 'restart',
    impliesMaster: true,
  }),
  logXForwardedFor: boolean({
    section: 'Logging',
    summary:
      'Request lines show the X-Forwarded-For header, as received, instead of the client address (%(addr) too).',
    description:
      'The header is what the client and every proxy on the way wrote: trust it only behind a proxy that sets it (nginx: `uwsgi_param HTTP_X_FORWARDED_FOR $proxy_add_x_forwarded_for`). A request without it shows the address as usual. It changes the log only; for REMOTE_ADDR itself see forwarded-allow-ips.',
    uwsgi: 'log-x-forwarded-for',
    reload: 'hup',
  }),
  logReqEncoder: choice({
    section: 'Logging',
    choices: ['plain', 'json'],
    default: 'plain',
    summary:
      'json: request log lines are JSON objects that always parse (values escaped, no "tsgi: " prefix); with --log-format, each %(name) value is JSON-escaped inside your template.',
    uwsgi: 'log-req-encoder',
    uwsgiNote:
      'Only the json encoder, applied to request lines; uWSGI chains encoders. It turns the master on, as uWSGI does (its encoders run in the log master).',
    reload: 'hup',
    impliesMaster: true,
  }),
  logFormat: string({
    section: 'Logging',
    meta: 'FORMAT',
    summary:
      "Request log line with uWSGI's %(name) variables: uri method status size msecs addr pid wid proto uagent referer.",
    description: `Every variable: ${LOG_FORMAT_VARIABLES.map((v) => `%(${v})`).join(' ')}, and %(var.NAME) for any request var (REMOTE_ADDR, HTTP_X_REQUEST_ID...). A value that is missing or empty is \`-\`. The line is made in one place for every request, refused ones included (docs/logging.md).`,
    check: checkLogFormat,
    uwsgi: 'log-format',
    reload: 'hup',
  }),

  // Daemon and identity
  pidfile: string({
    section: 'Daemon and identity',
    meta: 'FILE',
    summary: 'Write the master pid to this file.',
    uwsgi: 'pidfile',
    reload: 'restart',
    impliesMaster: true,
  }),
  daemonize: string({
    short: 'd',
    section: 'Daemon and identity',
    meta: 'LOGFILE',
    summary: 'Detach from the terminal and log to this file.',
    uwsgi: 'daemonize',
    reload: 'restart',
  }),
  disableParentWatch: boolean({
    section: 'Daemon and identity',
    summary:
      'Keep serving when the process that started tsgi exits. By default the gateway then stops gracefully, as on SIGTERM (`npx tsgi` under a supervisor that signals only npx); never under init/systemd or --daemonize. Set it for `nohup tsgi … &`.',
    uwsgi: null,
    uwsgiNote:
      'tsgi only: uWSGI keeps running as an orphan; gunicorn workers watch their master the same way.',
    reload: 'restart',
  }),
  vacuum: boolean({
    section: 'Daemon and identity',
    summary: 'Remove unix sockets, the pidfile and FIFOs at exit.',
    description:
      'A graceful stop (SIGTERM, SIGINT, FIFO q) removes the unix sockets the master bound whether or not this is set, so a load balancer sees clean connect failures instead of resets (docs/signals.md); vacuum also covers the pidfile, FIFOs, the stats socket and socket files after an immediate stop.',
    uwsgi: 'vacuum',
    reload: 'restart',
    impliesMaster: true,
  }),
  uid: string({
    section: 'Daemon and identity',
    meta: 'USER',
    summary: 'Switch to this user (name or number) after binding the sockets.',
    uwsgi: 'uid',
    reload: 'restart',
    impliesMaster: true,
  }),
  gid: string({
    section: 'Daemon and identity',
    meta: 'GROUP',
    summary: 'Switch to this group (name or number) after binding the sockets.',
    uwsgi: 'gid',
    reload: 'restart',
    impliesMaster: true,
  }),

  // Config files
  ini: list({
    section: 'Config files',
    meta: 'FILE[:SECTION]',
    summary:
      'Load options from an INI file (section [tsgi], else [uwsgi], unless one is named). Repeatable.',
    uwsgi: 'ini',
    reload: 'hup',
    sources: ['cli', 'file'],
  }),
  json: list({
    short: 'j',
    section: 'Config files',
    meta: 'FILE[:KEY]',
    summary:
      'Load options from a JSON file (the object under "tsgi", else "uwsgi", else the top level). Repeatable.',
    uwsgi: 'json',
    reload: 'hup',
    sources: ['cli', 'file'],
  }),

  setPlaceholder: list({
    section: 'Config files',
    meta: 'NAME=VALUE',
    item: parseNameValue,
    aliases: ['set-ph'],
    summary:
      'Define the placeholder %(NAME) without an option of that name (how to set one on the command line, or under strict). Repeatable.',
    uwsgi: 'set-placeholder, set-ph',
    reload: 'hup',
  }),
  strict: boolean({
    section: 'Config files',
    summary:
      'Refuse what would otherwise be a warning: uWSGI keys tsgi ignores, comments after values, keys used as placeholders without set-placeholder.',
    uwsgi: 'strict',
    uwsgiNote:
      'uWSGI refuses unknown keys under --strict; tsgi always does, and also refuses what it otherwise only warns about.',
    reload: 'hup',
  }),

  // Actions
  printConfig: boolean({
    section: 'Actions',
    summary: 'Print every option with its value and where it came from, then exit.',
    uwsgi: 'show-config',
    uwsgiNote: 'uWSGI --show-config prints the values without their sources.',
    reload: 'none',
    sources: ['cli'],
  }),
  help: boolean({
    short: 'h',
    section: 'Actions',
    summary: 'Show this help and exit.',
    uwsgi: 'help',
    reload: 'none',
    sources: ['cli'],
  }),
  version: boolean({
    section: 'Actions',
    summary: 'Print the version and exit.',
    uwsgi: 'version',
    reload: 'none',
    sources: ['cli'],
  }),
  stop: string({
    section: 'Actions',
    meta: 'PIDFILE',
    summary: 'Gracefully stop the gateway whose master pid is in PIDFILE (SIGTERM), then exit.',
    uwsgi: 'stop',
    uwsgiNote: 'uWSGI sends SIGINT (immediate); tsgi sends SIGTERM, a graceful shutdown.',
    reload: 'none',
    sources: ['cli'],
  }),
  reload: string({
    section: 'Actions',
    meta: 'PIDFILE',
    summary: 'Gracefully reload the gateway whose master pid is in PIDFILE (SIGHUP), then exit.',
    uwsgi: 'reload',
    reload: 'none',
    sources: ['cli'],
  }),
  connectAndRead: string({
    section: 'Actions',
    meta: 'ADDR',
    summary: 'Connect to ADDR (a stats socket), print what it sends, then exit.',
    uwsgi: 'connect-and-read',
    reload: 'none',
    sources: ['cli'],
  }),
} satisfies Record<string, OptionSpec<unknown>>;

export type OptionKey = keyof typeof OPTIONS;

/** The resolved, frozen configuration: one value per table entry. */
export type GatewayConfig = { readonly [K in OptionKey]: ValueOf<(typeof OPTIONS)[K]> };

/** The table as a list of entries, in table order, each with its derived names. */
export interface OptionEntry {
  readonly key: OptionKey;
  /** kebab-case: the CLI flag (without --) and the config-file key. */
  readonly name: string;
  readonly env: string;
  readonly spec: OptionSpec<unknown>;
}

export const ENV_PREFIX = 'TSGI_';

export const toOptionName = (key: string): string =>
  key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

export const toEnvName = (name: string): string =>
  ENV_PREFIX + name.toUpperCase().replace(/-/g, '_');

export const OPTION_LIST: readonly OptionEntry[] = Object.entries(OPTIONS).map(([key, spec]) => {
  const name = toOptionName(key);
  return { key: key as OptionKey, name, env: toEnvName(name), spec: spec as OptionSpec<unknown> };
});

const byName = new Map<string, OptionEntry>();
for (const entry of OPTION_LIST) {
  byName.set(entry.name, entry);
  for (const alias of entry.spec.aliases ?? []) byName.set(alias, entry);
}

/** The entry for a file key or flag name (canonical or alias), if any. */
export function findOption(name: string): OptionEntry | undefined {
  return byName.get(name);
}

/** Every canonical name and alias: what "did you mean" chooses from. */
export function knownNames(): string[] {
  return [...byName.keys()];
}

export function defaultConfig(): GatewayConfig {
  return Object.fromEntries(
    OPTION_LIST.map((e) => [e.key, e.spec.default]),
  ) as unknown as GatewayConfig;
}
