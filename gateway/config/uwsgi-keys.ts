/**
 * uWSGI option names that tsgi knows but does not take, each with the advice an operator needs
 * when migrating a uwsgi.ini. Python-only keys and keys whose job tsgi always does are warnings
 * (an operator migrating a fleet wants them reported, not fatal; `strict` makes them errors);
 * keys whose meaning would be lost by ignoring them (static files, env, routes) stay errors.
 */

const USE_APP = 'use `app = path/to/app.ts[:export]` (or the APP argument)';
const NO_VENV =
  'Node has no virtualenv: install the dependencies with npm next to the app (node_modules) and use `chdir` to run from there';
const NO_PATH =
  'Node resolves imports from node_modules and relative paths; there is no search path to set';
const NO_PLUGINS =
  'tsgi has no plugins: the uwsgi protocol, HTTP and the app loader are built in; remove the line';

/** Keys that only mean something to uWSGI's Python plugin. */
export const PYTHON_ONLY_KEYS: Readonly<Record<string, string>> = {
  module: `${USE_APP}; \`module = app:application\` becomes \`app = app.ts:application\``,
  wsgi: USE_APP,
  'wsgi-file': `${USE_APP}; \`wsgi-file = app.py\` becomes \`app = app.ts\``,
  file: USE_APP,
  callable: 'name the export after the path: `app = path/to/app.ts:application`',
  home: NO_VENV,
  virtualenv: NO_VENV,
  venv: NO_VENV,
  pyhome: NO_VENV,
  pythonpath: NO_PATH,
  'python-path': NO_PATH,
  pp: NO_PATH,
  plugins: NO_PLUGINS,
  plugin: NO_PLUGINS,
  'plugins-dir': NO_PLUGINS,
  'plugin-dir': NO_PLUGINS,
  'need-plugin': NO_PLUGINS,
  'need-plugins': NO_PLUGINS,
  'py-autoreload':
    "read as tsgi's `autoreload` with the same seconds (reload the workers when the app's own files change)",
  'python-autoreload':
    "read as tsgi's `autoreload` with the same seconds (reload the workers when the app's own files change)",
  vhost: 'tsgi serves one app per gateway (route virtual hosts in nginx); remove the line',
  'no-site': 'Node has no site-packages; remove the line',
  'py-programname': 'remove the line',
  'wsgi-env-behaviour': 'remove the line',
  'py-call-osafterfork': 'remove the line',
  'enable-threads':
    'a Node worker runs one event loop and has no GIL to release; remove the line (use processes for parallelism)',
  'single-interpreter': 'each worker runs exactly one app; remove the line',
  pyargv: 'the app reads its own settings (e.g. process.env); remove the line',
  'py-tracebacker': 'remove the line; app errors are logged with their stack',
};

/** Python-only keys that tsgi reads as one of its own options (with a warning saying so). */
export const PYTHON_ALIASES: Readonly<Record<string, string>> = {
  'py-autoreload': 'autoreload',
  'python-autoreload': 'autoreload',
};

/** Short uWSGI flags of Python-only options (`uwsgi -w app:application -H venv`). */
export const PYTHON_ONLY_SHORTS: Readonly<Record<string, string>> = {
  w: 'module',
  H: 'home',
  T: 'enable-threads',
  i: 'single-interpreter',
};

const REMOVE = 'remove the line';

/** General uWSGI keys whose job tsgi always does (or that change nothing here): warnings. */
export const BUILT_IN_UWSGI_KEYS: Readonly<Record<string, string>> = {
  'die-on-term': `SIGTERM always shuts tsgi down gracefully; ${REMOVE}`,
  'need-app': `tsgi always exits non-zero when the app cannot load; ${REMOVE}`,
  'lazy-apps': `workers always load the app themselves (the master never does); ${REMOVE}`,
  lazy: `workers always load the app themselves (the master never does); ${REMOVE}`,
  'thunder-lock': `workers share the listening sockets without a lock; ${REMOVE}`,
  threads:
    'a worker is one event loop that serves many requests at once; use `processes` for more CPUs',
  'log-master': `the master always collects the workers' logs; ${REMOVE}`,
  'max-fd': 'raise the open-files limit in the systemd unit (LimitNOFILE=)',
  procname: `${REMOVE}`,
  'auto-procname': `${REMOVE}`,
  'harakiri-graceful-timeout':
    'tsgi answers the timed-out request with a 504 and keeps the worker; remove the line',
  'post-buffering-bufsize': `${REMOVE}`,
  'buffer-size-max': `${REMOVE}`,
  async: `the event loop is built in; ${REMOVE}`,
  gevent: `the event loop is built in; ${REMOVE}`,
  ugreen: `the event loop is built in; ${REMOVE}`,
  'offload-threads': `static files belong to nginx; ${REMOVE}`,
  'cgi-mode': 'tsgi always writes a real HTTP status line; remove the line',
};

/** Flags among the ignored keys that take no value on the command line. */
export const FLAG_ONLY_IGNORED_KEYS: ReadonlySet<string> = new Set([
  'enable-threads',
  'single-interpreter',
  'no-site',
  'die-on-term',
  'need-app',
  'lazy-apps',
  'lazy',
  'thunder-lock',
  'log-master',
  'auto-procname',
  'vhost',
]);

/** General uWSGI keys with no tsgi equivalent whose loss would change behaviour: errors. */
export const UNSUPPORTED_UWSGI_KEYS: Readonly<Record<string, string>> = {
  emperor: 'run one tsgi per app under systemd (see deploy/) instead of an Emperor',
  'check-static': 'let nginx serve static files (`location /static/ { alias ...; }` or try_files)',
  'static-map': 'let nginx serve static files (`location /static/ { alias ...; }`)',
  'static-map2': 'let nginx serve static files (`location /static/ { alias ...; }`)',
  env: 'set environment variables in the systemd unit (Environment=) or the shell that starts tsgi',
  'add-header': 'set response headers in the app, or with nginx `add_header`',
  route: 'route in nginx or in the app',
  mount: 'mount the app under a prefix in nginx (`uwsgi_param SCRIPT_NAME`) or in the app',
  'manage-script-name': 'set SCRIPT_NAME in nginx (`uwsgi_param SCRIPT_NAME /prefix;`)',
  pidfile2: 'use `pidfile`',
  'safe-pidfile': 'use `pidfile` (tsgi writes it once the master is up)',
  'safe-pidfile2': 'use `pidfile`',
  logto2: 'use `logto`',
  daemonize2: 'use `daemonize`',
  'log-date': 'use `log-format` (e.g. with %(ltime))',
  'show-config': 'use `--print-config`',
  include: 'use `ini = other.ini` or `json = other.json`',
  xml: 'tsgi reads INI and JSON config files; convert the file',
  yaml: 'tsgi reads INI and JSON config files; convert the file',
  yml: 'tsgi reads INI and JSON config files; convert the file',
  'if-env': 'config logic is not supported; use $(VAR) in values or generate the file',
  'if-not-env': 'config logic is not supported; use $(VAR) in values or generate the file',
  'if-exists': 'config logic is not supported; generate the file',
  'if-not-exists': 'config logic is not supported; generate the file',
  'if-file': 'config logic is not supported; generate the file',
  'if-dir': 'config logic is not supported; generate the file',
  'if-opt': 'config logic is not supported; generate the file',
  endif: 'config logic is not supported; generate the file',
  for: 'config loops are not supported; generate the file',
  endfor: 'config loops are not supported; generate the file',
  set: 'use `set-placeholder name=value` for a placeholder, or the option name for an option',
  'declare-option': 'custom options are not supported; remove the line',
};
