/** Where a raw setting came from, for error messages and for --print-config's source column. */

export type Origin =
  | { readonly kind: 'default' }
  | { readonly kind: 'ini'; readonly path: string; readonly line: number }
  | { readonly kind: 'json'; readonly path: string; readonly key: string }
  | { readonly kind: 'env'; readonly name: string }
  | { readonly kind: 'cli'; readonly flag: string };

/** One `key = value` as a source gave it, before the value is parsed. */
export interface RawSetting {
  /** The name as written (file key, flag name without dashes, or env name turned into a key). */
  readonly name: string;
  /** null: the key was given without a value (bare ini key, boolean flag). */
  readonly value: string | null;
  readonly origin: Origin;
}

/** For messages: `uwsgi.ini:7`, `uwsgi.json (key "harakiri")`, `env TSGI_X`, `--x on the command line`. */
export function describeOrigin(origin: Origin): string {
  switch (origin.kind) {
    case 'default':
      return 'the defaults';
    case 'ini':
      return `${origin.path}:${origin.line}`;
    case 'json':
      return `${origin.path} (key "${origin.key}")`;
    case 'env':
      return `env ${origin.name}`;
    case 'cli':
      return origin.flag === 'APP' ? 'the APP argument' : `${origin.flag} on the command line`;
  }
}

/** The compact label stored in LoadResult.sources: default, ini:PATH:LINE, json:PATH, env:NAME, cli. */
export function sourceLabel(origin: Origin): string {
  switch (origin.kind) {
    case 'default':
      return 'default';
    case 'ini':
      return `ini:${origin.path}:${origin.line}`;
    case 'json':
      return `json:${origin.path}`;
    case 'env':
      return `env:${origin.name}`;
    case 'cli':
      return 'cli';
  }
}

/** `in uwsgi.ini:7`, `in env TSGI_X`, `on the command line`: follows the name in a message. */
export function placeOf(origin: Origin): string {
  if (origin.kind === 'cli')
    return origin.flag === 'APP' ? 'in the APP argument' : 'on the command line';
  return `in ${describeOrigin(origin)}`;
}
