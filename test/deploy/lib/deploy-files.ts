/**
 * deploy/'s files use the paths of a real server. The tests rewrite these placeholders into a
 * temp dir (deploy/README.md lists them) and fail if one is left, so the files stay runnable.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OPTION_LIST } from '../../../gateway/config/index.js';
import { iniKeys, ROOT } from './tsgi-cli.js';

export const DEPLOY = join(ROOT, 'deploy');

export interface DeployPaths {
  /** Replaces /srv/myapp: the app (app.ts, static/, node_modules/.bin/tsgi). */
  app: string;
  /** Replaces /run/tsgi: RuntimeDirectory= (sockets, pidfiles). */
  run: string;
  /** Replaces /var/log/tsgi: LogsDirectory= (logto files). */
  log: string;
  /** Replaces /etc/tsgi: the tsgi.ini. */
  etc: string;
  /** Where the templated deploy files are written (nginx.conf, the site, the unit...). */
  conf: string;
  /** The root of all of the above. */
  root: string;
}

/** The placeholders, in the order they are replaced. */
export const PLACEHOLDERS = ['/srv/myapp', '/run/tsgi', '/var/log/tsgi', '/etc/tsgi'] as const;

export function makePaths(prefix = 'tsgi-deploy-'): DeployPaths {
  const root = mkdtempSync(join(tmpdir(), prefix));
  const paths = {
    app: join(root, 'srv-myapp'),
    run: join(root, 'run'),
    log: join(root, 'log'),
    etc: join(root, 'etc'),
    conf: join(root, 'conf'),
    root,
  };
  for (const dir of [paths.app, paths.run, paths.log, paths.etc, paths.conf]) {
    mkdirSync(dir, { recursive: true });
  }
  return paths;
}

/** A deploy file with its placeholders replaced; throws if one survives. */
export function template(text: string, paths: DeployPaths, extra: Record<string, string> = {}) {
  let out = text
    .replaceAll('/srv/myapp', paths.app)
    .replaceAll('/run/tsgi', paths.run)
    .replaceAll('/var/log/tsgi', paths.log)
    .replaceAll('/etc/tsgi', paths.etc);
  for (const [from, to] of Object.entries(extra)) {
    if (!out.includes(from)) throw new Error(`placeholder ${from} is not in the file`);
    out = out.replaceAll(from, to);
  }
  for (const p of PLACEHOLDERS) {
    if (out.includes(p)) throw new Error(`${p} left after templating`);
  }
  return out;
}

export function readDeploy(name: string): string {
  return readFileSync(join(DEPLOY, name), 'utf8');
}

/** Options the table still marks `planned` (the loader refuses them until they land). */
export function plannedKeys(): Set<string> {
  return new Set(OPTION_LIST.filter((e) => e.spec.status === 'planned').map((e) => e.name));
}

/** deploy/tsgi.ini at /etc/tsgi/myapp.ini, as shipped (a key the loader would refuse fails here). */
export function installIni(paths: DeployPaths): string {
  const text = template(readDeploy('tsgi.ini'), paths);
  const planned = iniKeys(text).filter((k) => plannedKeys().has(k.key));
  if (planned.length > 0) {
    throw new Error(
      `deploy/tsgi.ini uses options not implemented yet: ${planned.map((k) => k.key)}`,
    );
  }
  const path = join(paths.etc, 'myapp.ini');
  writeFileSync(path, text);
  return path;
}

/** The app under /srv/myapp: app.ts (the test app), static/hello.txt, node_modules/.bin/tsgi. */
export function installApp(paths: DeployPaths, launcher: string): void {
  const fixture = join(ROOT, 'test/deploy/fixtures/app.ts');
  writeFileSync(join(paths.app, 'app.ts'), `export { default } from ${JSON.stringify(fixture)};\n`);
  mkdirSync(join(paths.app, 'static'), { recursive: true });
  writeFileSync(join(paths.app, 'static/hello.txt'), 'static hello from nginx\n');
  mkdirSync(join(paths.app, 'node_modules/.bin'), { recursive: true });
  const bin = join(paths.app, 'node_modules/.bin/tsgi');
  writeFileSync(bin, launcher, { mode: 0o755 });
}

export function copyUwsgiParams(paths: DeployPaths): void {
  copyFileSync('/etc/nginx/uwsgi_params', join(paths.conf, 'uwsgi_params'));
}
