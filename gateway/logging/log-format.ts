/**
 * uWSGI's --log-format: `%(name)` variables in a template, compiled once into a function.
 * Supported: uri method status size msecs micros secs addr host proto uagent referer pid wid
 * rss rssM vsz vszM time ltime epoch ctime cl user werr, tsgi's outcome, and %(var.NAME) for any
 * environ key.
 */
import { loggingError } from './errors.js';

export interface LogFields {
  environ: Record<string, unknown>;
  /** %(addr) when set (--log-x-forwarded-for); REMOTE_ADDR otherwise. */
  addr?: string | undefined;
  status: number;
  /** Response body bytes. */
  size: number;
  ms: number;
  pid: number;
  wid: number;
  rss: number;
  vsz: number;
  /** Epoch ms at the request start. */
  since: number;
  /** How the request ended when not simply answered: 'aborted' or 'client gone'. */
  outcome?: string | undefined;
}

type Getter = (f: LogFields) => string;

const env =
  (key: string): Getter =>
  (f) => {
    const v = f.environ[key];
    return v === undefined || v === null || v === '' ? '-' : String(v);
  };

const remoteAddr = env('REMOTE_ADDR');

const MONTHS = 'Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec'.split(' ');
function apacheTime(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  const tz = `${sign}${pad(Math.floor(Math.abs(off) / 60))}${pad(Math.abs(off) % 60)}`;
  return `${pad(d.getDate())}/${MONTHS[d.getMonth()]}/${d.getFullYear()}:${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())} ${tz}`;
}

const VARIABLES: Record<string, Getter> = {
  uri: (f) => String(f.environ.REQUEST_URI ?? f.environ.PATH_INFO ?? '-'),
  method: env('REQUEST_METHOD'),
  status: (f) => String(f.status),
  size: (f) => String(f.size),
  rsize: (f) => String(f.size),
  cl: env('CONTENT_LENGTH'),
  msecs: (f) => String(Math.round(f.ms)),
  micros: (f) => String(Math.round(f.ms * 1000)),
  secs: (f) => (f.ms / 1000).toFixed(3),
  addr: (f) => f.addr ?? remoteAddr(f),
  host: env('HTTP_HOST'),
  proto: env('SERVER_PROTOCOL'),
  uagent: env('HTTP_USER_AGENT'),
  referer: env('HTTP_REFERER'),
  user: env('REMOTE_USER'),
  pid: (f) => String(f.pid),
  wid: (f) => String(f.wid),
  rss: (f) => String(f.rss),
  rssM: (f) => String(Math.round(f.rss / (1024 * 1024))),
  vsz: (f) => String(f.vsz),
  vszM: (f) => String(Math.round(f.vsz / (1024 * 1024))),
  time: (f) => String(Math.floor(f.since / 1000)),
  epoch: () => String(Math.floor(Date.now() / 1000)),
  ctime: (f) => new Date(f.since).toString(),
  ltime: (f) => apacheTime(f.since),
  tmsecs: (f) => String(f.since),
  tmicros: (f) => String(f.since * 1000),
  // uWSGI's count of write errors: the response was cut short (aborted, or the client gone).
  werr: (f) => (f.outcome ? '1' : '0'),
  outcome: (f) => f.outcome ?? '-',
};

export const LOG_FORMAT_VARIABLES: readonly string[] = Object.keys(VARIABLES);

/** What --log-req-encoder json writes when no --log-format is given. */
export const DEFAULT_JSON_LOG_FORMAT =
  '{"time":%(time),"addr":"%(addr)","method":"%(method)","uri":"%(uri)","proto":"%(proto)","status":%(status),"size":%(size),"msecs":%(msecs),"host":"%(host)","uagent":"%(uagent)","referer":"%(referer)","pid":%(pid),"wid":%(wid)}';

/**
 * A value as the inside of a JSON string: quotes, backslashes and control bytes escaped (DEL
 * too, which JSON allows raw but the log writer would escape as `\x7f`, not valid JSON).
 */
function jsonEscape(value: string): string {
  const quoted = JSON.stringify(value);
  return (quoted.indexOf('\x7f') === -1 ? quoted : quoted.replaceAll('\x7f', '\\u007f')).slice(
    1,
    -1,
  );
}

const VARIABLE = /%\(([^)]*)\)/g;

/** The getter of %(name): own keys only (`%(constructor)` is no variable). */
function variable(name: string): Getter | undefined {
  if (name.startsWith('var.')) return env(name.slice(4));
  return Object.hasOwn(VARIABLES, name) ? VARIABLES[name] : undefined;
}

/** The first %(name) of a template that is neither a variable above nor %(var.NAME). */
export function unknownLogVariable(format: string): string | undefined {
  for (const m of format.matchAll(VARIABLE)) {
    if (!variable(m[1] ?? '')) return m[1] ?? '';
  }
  return undefined;
}

/**
 * Compiles a template; throws ERR_LOG_FORMAT naming the first unknown variable. With `json`,
 * every value is JSON-escaped, so a template that is a JSON object gives a line that parses
 * whatever a client put in its path or headers.
 */
export function compileLogFormat(
  format: string,
  options: { json?: boolean } = {},
): (fields: LogFields) => string {
  const parts: Array<string | Getter> = [];
  let last = 0;
  for (const m of format.matchAll(VARIABLE)) {
    if (m.index > last) parts.push(format.slice(last, m.index));
    const name = m[1] ?? '';
    const getter = variable(name);
    if (!getter) throw loggingError('ERR_LOG_FORMAT', `%(${name}) in ${JSON.stringify(format)}`);
    parts.push(options.json ? (f) => jsonEscape(getter(f)) : getter);
    last = m.index + m[0].length;
  }
  if (last < format.length) parts.push(format.slice(last));
  return (fields) => {
    let out = '';
    for (const p of parts) out += typeof p === 'string' ? p : p(fields);
    return out;
  };
}

const MEMORY_VARIABLE = /%\((?:rss|vsz)M?\)/;

/** Whether a template shows the process memory (reading it is a /proc read per request). */
export function usesMemory(format: string): boolean {
  return MEMORY_VARIABLE.test(format);
}

/** uWSGI's memory-report prefix: `{address space usage: N bytes/NMB} {rss usage: N bytes/NMB} `. */
export function memoryPrefix(rss: number, vsz: number): string {
  const mb = (n: number) => Math.round(n / (1024 * 1024));
  return `{address space usage: ${vsz} bytes/${mb(vsz)}MB} {rss usage: ${rss} bytes/${mb(rss)}MB} `;
}
