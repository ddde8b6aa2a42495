/**
 * A small systemd unit-file reader: enough to check the keys deploy/tsgi@.service must have and to
 * start the gateway the way systemd would (ExecStart=, Environment=, WorkingDirectory=, with %i).
 */

export type UnitFile = Map<string, Map<string, string[]>>;

/** Sections → keys → values (a key may repeat, e.g. Environment=). Continuation lines are joined. */
export function parseUnit(text: string): UnitFile {
  const unit: UnitFile = new Map();
  let section: Map<string, string[]> | undefined;
  const lines = text.replace(/\\\n/g, ' ').split('\n');
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    const head = /^\[([A-Za-z]+)\]$/.exec(line);
    if (head) {
      section = new Map();
      unit.set(head[1]!, section);
      return;
    }
    const kv = /^([A-Za-z][A-Za-z0-9]*)=(.*)$/.exec(line);
    if (!kv || !section) throw new Error(`line ${i + 1}: not a section or Key=value: ${raw}`);
    const values = section.get(kv[1]!) ?? [];
    values.push(kv[2]!.trim());
    section.set(kv[1]!, values);
  });
  return unit;
}

export function unitValue(unit: UnitFile, section: string, key: string): string | undefined {
  return unit.get(section)?.get(key)?.at(-1);
}

/** Replaces the specifiers tsgi's unit uses: %i (instance) and %% (a literal %). */
export function expandSpecifiers(value: string, instance: string): string {
  return value.replace(/%([i%])/g, (_m, c: string) => (c === 'i' ? instance : '%'));
}

/** Environment= lines → variables (`A=1 B=2` and quoted `"A=1 2"` forms). */
export function unitEnvironment(unit: UnitFile, instance: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of unit.get('Service')?.get('Environment') ?? []) {
    for (const m of expandSpecifiers(line, instance).matchAll(/"([^"]*)"|(\S+)/g)) {
      const item = m[1] ?? m[2]!;
      const eq = item.indexOf('=');
      if (eq > 0) env[item.slice(0, eq)] = item.slice(eq + 1);
    }
  }
  return env;
}

/** ExecStart= split into argv (the unit uses no quoting or $VARIABLES in it). */
export function execStart(unit: UnitFile, instance: string): string[] {
  const line = unitValue(unit, 'Service', 'ExecStart');
  if (line === undefined) throw new Error('no ExecStart=');
  if (/["'$]/.test(line)) throw new Error(`ExecStart= uses quoting or variables: ${line}`);
  return expandSpecifiers(line, instance).split(/\s+/);
}
