/** What the numbers were measured on, stored with every result so runs can be compared. */
import { spawnSync } from 'node:child_process';
import { cpus, freemem, loadavg, release, totalmem } from 'node:os';
import { autocannonVersion } from './autocannon.js';
import { ROOT, uwsgiVersion } from './backends.js';
import { nginxVersion } from './nginx.js';

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  freeMemoryGiB: number;
  loadAvg: number[];
  os: string;
  node: string;
  nginx: string | null;
  uwsgi: string | null;
  wrk: string | null;
  autocannon: string;
  gitCommit: string | null;
  gitDirty: boolean | null;
}

function firstLine(cmd: string, args: string[]): string | null {
  const r = spawnSync(cmd, args, { encoding: 'utf8', cwd: ROOT });
  if (r.error || r.status !== 0) return null;
  return `${r.stdout}${r.stderr}`.trim().split('\n')[0] ?? null;
}

export function machineInfo(): MachineInfo {
  const cpu = cpus();
  const wrk = spawnSync('wrk', ['--version'], { encoding: 'utf8' });
  const dirty = firstLine('git', ['status', '--porcelain', '--untracked-files=no']);
  const gitOk = firstLine('git', ['rev-parse', 'HEAD']);
  return {
    cpuModel: cpu[0]?.model.trim() ?? 'unknown',
    cores: cpu.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    freeMemoryGiB: Math.round((freemem() / 2 ** 30) * 10) / 10,
    loadAvg: loadavg().map((x) => Math.round(x * 100) / 100),
    os: `${process.platform} ${release()}`,
    node: process.version,
    nginx: nginxVersion(),
    uwsgi: uwsgiVersion(),
    wrk: wrk.error ? null : (/wrk (\S+)/.exec(`${wrk.stdout}${wrk.stderr}`)?.[1] ?? 'unknown'),
    autocannon: autocannonVersion(),
    gitCommit: gitOk,
    gitDirty: gitOk === null ? null : dirty !== null && dirty !== '',
  };
}
