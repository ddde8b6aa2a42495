/**
 * --uid / --gid / --chown-socket: names or numbers, resolved through the system's user and group
 * databases (getent, so NSS sources such as LDAP count; /etc/passwd and /etc/group where getent
 * is missing).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { processError } from './errors.js';

interface DbEntry {
  name: string;
  id: number;
  /** passwd only: the primary group. */
  gid?: number;
}

function parseEntry(line: string): DbEntry | null {
  const f = line.split(':');
  if (f[0] === undefined || f[2] === undefined || !/^\d+$/.test(f[2])) return null;
  const gid = f[3] !== undefined && /^\d+$/.test(f[3]) ? Number(f[3]) : undefined;
  return { name: f[0], id: Number(f[2]), ...(gid !== undefined ? { gid } : {}) };
}

/** One entry of `db` (passwd or group) by name or by number, or null when there is none. */
function lookupDb(db: 'passwd' | 'group', key: string): DbEntry | null {
  try {
    const out = execFileSync('getent', [db, key], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return parseEntry(out.split('\n')[0] ?? '');
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { status?: number };
    if (e.code !== 'ENOENT') return null; // getent ran: exit 2 is "not found"
  }
  let text = '';
  try {
    text = readFileSync(`/etc/${db}`, 'utf8');
  } catch {
    return null;
  }
  const byNumber = /^\d+$/.test(key);
  for (const line of text.split('\n')) {
    const entry = parseEntry(line);
    if (entry && (byNumber ? entry.id === Number(key) : entry.name === key)) return entry;
  }
  return null;
}

export function resolveUser(user: string): { uid: number; gid: number | undefined } {
  const found = lookupDb('passwd', user);
  if (found) return { uid: found.id, gid: found.gid };
  if (/^\d+$/.test(user)) return { uid: Number(user), gid: undefined };
  throw processError('ERR_MASTER_IDENTITY', `user ${JSON.stringify(user)}`);
}

export function resolveGroup(group: string): number {
  if (/^\d+$/.test(group)) return Number(group);
  const found = lookupDb('group', group);
  if (!found) throw processError('ERR_MASTER_IDENTITY', `group ${JSON.stringify(group)}`);
  return found.id;
}

/** `user[:group]` as uWSGI's chown-socket takes it; the group defaults to the user's. */
export function resolveOwner(spec: string): { uid: number; gid: number } {
  const [user = '', group] = spec.split(':');
  const u = resolveUser(user);
  const gid = group ? resolveGroup(group) : (u.gid ?? process.getgid?.() ?? 0);
  return { uid: u.uid, gid };
}

/** Who the master and its workers become after binding. */
export interface Identity {
  uid: number | null;
  gid: number | null;
  /** The user's name, for initgroups; null when the uid has no passwd entry. */
  user: string | null;
}

/**
 * Resolves --uid/--gid before anything is bound. Without --gid the group is the user's primary
 * group (as uWSGI and gunicorn's `--user NAME` do): a number counts the same as a name. A uid the
 * user database does not know has no group to take, so it needs --gid; keeping root's group 0
 * would leave the process able to read and write root's group files.
 */
export function resolveIdentity(uid: string | null, gid: string | null): Identity {
  const group = gid !== null ? resolveGroup(gid) : null;
  if (uid === null) return { uid: null, gid: group, user: null };
  const entry = lookupDb('passwd', uid);
  if (entry) return { uid: entry.id, gid: group ?? entry.gid ?? null, user: entry.name };
  if (!/^\d+$/.test(uid)) throw processError('ERR_MASTER_IDENTITY', `user ${JSON.stringify(uid)}`);
  if (group === null) {
    throw processError(
      'ERR_MASTER_IDENTITY',
      `uid ${uid} has no user database entry, so its group is unknown: give --gid too`,
    );
  }
  return { uid: Number(uid), gid: group, user: null };
}

/** Present on POSIX since Node 0.9; missing from some @types/node versions. */
type Initgroups = { initgroups?: (user: string, extraGroup: number) => void };

/**
 * Drops privileges after binding: groups first (they need root), then the user. Supplementary
 * groups are the user's own (initgroups, as uWSGI does), or only the chosen group for a uid
 * without an entry: root's never survive the drop.
 */
export function dropPrivileges(identity: Identity): string | null {
  const parts: string[] = [];
  const root = process.geteuid?.() === 0;
  if (identity.gid !== null) {
    if (root) {
      if (identity.user !== null && identity.uid !== null)
        (process as Initgroups).initgroups?.(identity.user, identity.gid);
      else process.setgroups?.([identity.gid]);
    }
    process.setgid?.(identity.gid);
    parts.push(`gid ${identity.gid}`);
  }
  if (identity.uid !== null) {
    process.setuid?.(identity.uid);
    parts.push(`uid ${identity.uid}`);
  }
  return parts.length > 0 ? parts.join(', ') : null;
}
