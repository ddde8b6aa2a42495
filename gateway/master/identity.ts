/** --uid / --gid / --chown-socket: names or numbers, resolved from /etc/passwd and /etc/group. */
import { readFileSync } from 'node:fs';
import { processError } from './errors.js';

function lookupDb(file: string, name: string): { id: number; gid?: number } | null {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f[0] === name && f[2] !== undefined) {
      return { id: Number(f[2]), ...(f[3] !== undefined ? { gid: Number(f[3]) } : {}) };
    }
  }
  return null;
}

export function resolveUser(user: string): { uid: number; gid: number | undefined } {
  if (/^\d+$/.test(user)) return { uid: Number(user), gid: undefined };
  const found = lookupDb('/etc/passwd', user);
  if (!found) throw processError('ERR_MASTER_IDENTITY', `user ${JSON.stringify(user)}`);
  return { uid: found.id, gid: found.gid };
}

export function resolveGroup(group: string): number {
  if (/^\d+$/.test(group)) return Number(group);
  const found = lookupDb('/etc/group', group);
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

/** Drops privileges after binding: group first (needs root), then user. */
export function dropPrivileges(uid: string | null, gid: string | null): string | null {
  const parts: string[] = [];
  if (gid !== null) {
    const g = resolveGroup(gid);
    process.setgroups?.([g]);
    process.setgid?.(g);
    parts.push(`gid ${g}`);
  }
  if (uid !== null) {
    const u = resolveUser(uid);
    if (gid === null && u.gid !== undefined) {
      process.setgroups?.([u.gid]);
      process.setgid?.(u.gid);
      parts.push(`gid ${u.gid}`);
    }
    process.setuid?.(u.uid);
    parts.push(`uid ${u.uid}`);
  }
  return parts.length > 0 ? parts.join(', ') : null;
}
