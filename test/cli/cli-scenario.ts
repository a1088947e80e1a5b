// A small scenario file for CLI tests, and running the tessera command.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const BIN = fileURLToPath(new URL('../../bin/tessera.js', import.meta.url))

/** A temporary directory holding small.json: VGG16 at 64x64 over three devices. */
export function smallScenarioDir (): string {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-cli-'))
  writeFileSync(join(dir, 'small.json'), JSON.stringify({
    name: 'small',
    model: 'vgg16',
    inputShape: [1, 3, 64, 64],
    requester: { uplinkMbps: 200 },
    devices: [
      { id: 'x', profile: 'xavier', uplinkMbps: 100 },
      { id: 'n', profile: 'nano', uplinkMbps: 200 },
      { id: 't', profile: 'tx2', uplinkMbps: 50 }
    ],
    latencyMs: 1
  }))
  return dir
}

/** Runs `tessera ...args`; returns exit code, stdout and stderr. */
export function tessera (...args: string[]): { code: number, stdout: string, stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' })
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr }
}
