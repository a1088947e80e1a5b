// tessera testbed as a user meets it: help, bad flags and scenarios, no root, --cleanup after a
// killed run, and Ctrl-C in the middle of a run leaving nothing behind.
import { spawn, spawnSync } from 'node:child_process'
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, it, after } from 'node:test'
import assert from 'node:assert/strict'
import { findLeftovers, isClean } from '../../peer/testbed/leftovers.js'
import { SKIP_WITHOUT_ROOT, fixture } from './harness.js'

const BIN = fileURLToPath(new URL('../../bin/tessera.js', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'tessera-testbed-cli-'))
// readable by the unprivileged user of the no-root case
chmodSync(dir, 0o755)

function tessera (args: string[], options: { uid?: number } = {}): { status: number | null, stdout: string, stderr: string } {
  const r = spawnSync(process.execPath, [BIN, 'testbed', ...args], { encoding: 'utf8', timeout: 60_000, ...(options.uid != null ? { uid: options.uid, gid: options.uid, env: { ...process.env, HOME: tmpdir() } } : {}) })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

function scenario (name: string, json: unknown): string {
  const path = join(dir, `${name}.json`)
  writeFileSync(path, JSON.stringify(json))
  return path
}

const good = {
  model: 'resnet18',
  inputShape: [1, 3, 32, 32],
  requester: { uplinkMbps: 100 },
  devices: [{ id: 'a', profile: 'measured', uplinkMbps: 50 }, { id: 'b', profile: 'measured', uplinkMbps: 100 }],
  testbed: { a: { cpuQuota: 0.3 }, b: { cpuQuota: 0.3 } }
}

after(() => { rmSync(dir, { recursive: true, force: true }) })

describe('tessera testbed (command line)', () => {
  it('prints its help', () => {
    const r = tessera(['--help'])
    assert.equal(r.status, 0)
    assert.match(r.stdout, /usage: tessera testbed --scenario/)
    assert.match(r.stdout, /--cleanup/)
  })

  it('without root: a clear message and exit 2', () => {
    const r = process.getuid?.() === 0 ? tessera(['--scenario', scenario('no-root', good)], { uid: 65534 }) : tessera(['--scenario', scenario('no-root', good)])
    assert.equal(r.status, 2)
    assert.match(r.stderr, /the testbed needs root/)
  })

  it('rejects bad flags, naming them', () => {
    const bad = tessera(['--scenario', scenario('flags', good), '--planners', 'offload,bogus'])
    assert.equal(bad.status, 2)
    assert.match(bad.stderr, /unknown planner "bogus"/)
    const zero = tessera(['--scenario', scenario('flags', good), '--requests', '0'])
    assert.equal(zero.status, 2)
    assert.match(zero.stderr, /--requests takes an integer from 1/)
    const flags = tessera(['--scenario', scenario('flags', good), '--node-flags=--trace-gc heap'])
    assert.equal(flags.status, 2)
    assert.match(flags.stderr, /--node-flags takes Node\/V8 flags .*"heap"/)
  })
})

describe('tessera testbed (as root)', { skip: SKIP_WITHOUT_ROOT }, () => {
  it('rejects a scenario it cannot emulate, naming the key, before making anything', () => {
    const builtin = tessera(['--scenario', scenario('builtin', { ...good, devices: [{ ...good.devices[0], profile: 'nano' }, good.devices[1]] })])
    assert.equal(builtin.status, 2)
    assert.match(builtin.stderr, /devices\[0\]\.profile: the testbed runs real peers/)
    const noQuota = tessera(['--scenario', scenario('no-quota', { ...good, testbed: { a: { cpuQuota: 0.3 } } })])
    assert.equal(noQuota.status, 2)
    assert.match(noQuota.stderr, /testbed\.b\.cpuQuota/)
  })

  it('--cleanup removes what a killed run left, and says so', async () => {
    const child = spawn(process.execPath, ['--import', './test/setup.js', fixture('crash-lab.ts')], { stdio: ['ignore', 'pipe', 'inherit'] })
    const runId = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        const m = /ready (\w+)/.exec(d.toString())
        if (m != null) resolve(m[1])
      })
      child.once('exit', (code) => { reject(new Error(`crash-lab exited early (${String(code)})`)) })
    })
    child.kill('SIGKILL')
    await new Promise(resolve => child.once('exit', resolve))
    assert.ok(!isClean(await findLeftovers({ runId })))
    const r = tessera(['--cleanup'])
    assert.equal(r.status, 0, r.stderr)
    assert.match(r.stdout, new RegExp(`namespace ttb${runId}-0-crash-a`))
    assert.ok(isClean(await findLeftovers({ runId, includeLive: true })))
    assert.ok(!tessera(['--cleanup']).stdout.includes(runId), 'a second cleanup finds nothing of that run')
  })

  it('on Ctrl-C mid-run stops the peers and removes every namespace, qdisc and cgroup (exit 130)', async () => {
    const child = spawn(process.execPath, [BIN, 'testbed', '--scenario', fixture('small.json'), '--planners', 'modnn', '--requests', '2'], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stderr = ''
    let runId: string | undefined
    await new Promise<void>((resolve, reject) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString()
        runId ??= /testbed run (\w+)/.exec(stderr)?.[1]
        // interrupt once every peer has been started
        if (/starting c\b/.test(stderr)) resolve()
      })
      child.once('exit', (code) => { reject(new Error(`testbed exited early (${String(code)}): ${stderr}`)) })
    })
    await new Promise(resolve => setTimeout(resolve, 1500))
    child.kill('SIGINT')
    const code = await new Promise<number | null>(resolve => child.once('exit', resolve))
    assert.equal(code, 130, stderr)
    assert.match(stderr, /SIGINT: stopping the peers and removing the testbed/)
    assert.match(stderr, /testbed removed/)
    assert.ok(runId != null, 'the run announced its id')
    assert.ok(isClean(await findLeftovers({ runId, includeLive: true })), 'nothing is left of the interrupted run')
  })
})
