// The host-emulation layer as root, on this machine: link caps and CPU caps measured for real,
// multicast across the bridge, no route out, and nothing left behind after close or a crash.
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { ip } from '../../peer/testbed/command.js'
import { listLinks, listQdiscs } from '../../peer/testbed/netns.js'
import { Lab } from '../../peer/testbed/lab.js'
import { findLeftovers, isClean, removeLeftovers } from '../../peer/testbed/leftovers.js'
import { SKIP_WITHOUT_ROOT, firstJson, fixture, waitForLine } from './harness.js'
import type { LabNode } from '../../peer/testbed/lab.js'

/** Whether `pid` runs (a zombie, killed but not yet reaped by init, does not). */
function isRunning (pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z'
  } catch (err: any) {
    if (err?.code === 'ENOENT') return false
    throw err
  }
}

const within = (measured: number, expected: number, tolerance: number): boolean => Math.abs(measured - expected) / expected <= tolerance

async function throughput (lab: Lab, from: LabNode, to: LabNode, bytes: number): Promise<number> {
  const sink = lab.start(to, process.execPath, [fixture('throughput.mjs'), 'sink', to.address, '5201'], { label: `sink in ${to.label}` })
  await waitForLine(sink, l => l === 'listening')
  const source = lab.start(from, process.execPath, [fixture('throughput.mjs'), 'source', to.address, '5201', String(bytes)], { label: `source in ${from.label}` })
  const result = await firstJson<{ bytes: number, mbps: number }>(sink, 60_000)
  await source.wait()
  assert.equal(result.bytes, bytes)
  return result.mbps
}

describe('testbed lab (namespaces, tc, cgroups)', { skip: SKIP_WITHOUT_ROOT }, () => {
  let lab: Lab
  let slowUp: LabNode
  let free: LabNode
  let slowDown: LabNode
  let capped: LabNode

  before(async () => {
    lab = await Lab.create()
    slowUp = await lab.addNode({ label: 'slow-up', uplinkMbps: 20 })
    free = await lab.addNode({ label: 'free' })
    slowDown = await lab.addNode({ label: 'slow-down', downlinkMbps: 40 })
    capped = await lab.addNode({ label: 'capped', cpuQuota: 0.25 })
  })

  after(async () => {
    if (lab != null) assert.deepEqual(await lab.close(), [])
  })

  it('caps a node\'s uplink: 20 Mbps measures within 15%', async (t) => {
    const mbps = await throughput(lab, slowUp, free, 5_000_000)
    t.diagnostic(`uplink cap 20 Mbps: measured ${mbps.toFixed(1)} Mbps`)
    assert.ok(within(mbps, 20, 0.15), `measured ${mbps.toFixed(1)} Mbps through a 20 Mbps uplink cap`)
  })

  it('caps a node\'s downlink: 40 Mbps measures within 15%, and a path takes the smaller of uplink and downlink', async (t) => {
    const down = await throughput(lab, free, slowDown, 10_000_000)
    t.diagnostic(`downlink cap 40 Mbps: measured ${down.toFixed(1)} Mbps`)
    assert.ok(within(down, 40, 0.15), `measured ${down.toFixed(1)} Mbps into a 40 Mbps downlink cap`)
    const path = await throughput(lab, slowUp, slowDown, 5_000_000)
    assert.ok(within(path, 20, 0.15), `measured ${path.toFixed(1)} Mbps from a 20 Mbps uplink into a 40 Mbps downlink`)
  })

  it('leaves an uncapped path far faster than the caps', async () => {
    const mbps = await throughput(lab, free, capped, 50_000_000)
    assert.ok(mbps > 200, `measured ${mbps.toFixed(1)} Mbps on an uncapped path`)
  })

  it('caps a node\'s CPU: a busy loop under a 0.25 quota gets 0.25 of a core within 15%', async (t) => {
    const p = lab.start(capped, process.execPath, [fixture('busy-loop.mjs'), '2000'], { label: 'busy loop' })
    const { wallMs, cpuMs } = await firstJson<{ wallMs: number, cpuMs: number }>(p)
    const share = cpuMs / wallMs
    t.diagnostic(`CPU quota 0.25: the busy loop got ${share.toFixed(3)} of a core (${cpuMs.toFixed(0)} ms CPU in ${wallMs.toFixed(0)} ms)`)
    assert.ok(within(share, 0.25, 0.15), `busy loop got ${share.toFixed(3)} of a core under a 0.25 quota`)
    const stat = await capped.cgroup!.stat()
    assert.ok(stat.nr_throttled > 0, 'the group was throttled')
  })

  it('measures a longer receive delay under a 0.25 quota than on a free core', async (t) => {
    const setup = fileURLToPath(new URL('../setup.js', import.meta.url))
    const delay = async (node: LabNode): Promise<number> => {
      const p = lab.start(node, process.execPath, ['--import', setup, fixture('receive-delay.ts')], { label: `receive delay in ${node.label}` })
      return (await firstJson<{ receiveMs: number }>(p, 60_000)).receiveMs
    }
    const capped4 = await delay(capped)
    const uncapped = await delay(free)
    t.diagnostic(`receive delay while computing: ${capped4.toFixed(2)} ms under a 0.25 quota, ${uncapped.toFixed(2)} ms uncapped`)
    // the stream shares a quarter of a core with the busy compute thread: it waits out the compute's share of each period
    assert.ok(capped4 > 2 * uncapped, `${capped4.toFixed(2)} ms under the quota against ${uncapped.toFixed(2)} ms uncapped`)
  })

  it('carries multicast between namespaces (what mDNS needs)', async () => {
    const listener = lab.start(free, process.execPath, [fixture('multicast.mjs'), 'listen', free.address], { label: 'multicast listener' })
    await waitForLine(listener, l => l === 'listening')
    lab.start(slowDown, process.execPath, [fixture('multicast.mjs'), 'send', slowDown.address], { label: 'multicast sender' })
    const got = await firstJson<{ text: string, from: string }>(listener)
    assert.equal(got.from, slowDown.address)
    assert.equal(got.text, `hello from ${slowDown.address}`)
  })

  it('gives a namespace no route out of the test subnet', async () => {
    await assert.rejects(ip('-n', free.netns, 'route', 'get', '1.1.1.1'), /unreachable/i)
    assert.match(await ip('-n', free.netns, 'route', 'get', slowUp.address), new RegExp(`dev ${free.nodeVeth}`))
  })
})

describe('testbed cleanup', { skip: SKIP_WITHOUT_ROOT }, () => {
  it('removes every namespace, link, qdisc, cgroup and process on close', async () => {
    const lab = await Lab.create()
    const a = await lab.addNode({ label: 'a', uplinkMbps: 30, downlinkMbps: 60, cpuQuota: 0.2 })
    await lab.addNode({ label: 'b', uplinkMbps: 100 })
    const sleeper = lab.start(a, 'sleep', ['60'])
    const during = await findLeftovers({ runId: lab.runId, includeLive: true })
    assert.equal(during.namespaces.length, 3, 'the bridge\'s and two nodes\'')
    assert.deepEqual(during.links, [], 'nothing is made in the host namespace')
    assert.deepEqual((await listLinks(lab.names.bridgeNetns)).filter(l => l !== 'lo').sort(), [lab.names.bridge, lab.names.hostVeth(0), lab.names.hostVeth(1)].sort())
    assert.ok((await listQdiscs(lab.names.bridgeNetns)).some(q => q.includes('tbf') && q.includes(` ${a.hostVeth} `)), 'the downlink cap is on the bridge end')
    assert.ok((await listQdiscs(a.netns)).some(q => q.includes('tbf') && q.includes(` ${a.nodeVeth} `)), 'the uplink cap is on the node end')
    assert.equal(during.cgroups.length, 1)
    assert.deepEqual(await a.cgroup!.pids(), [sleeper.pid])
    assert.deepEqual(await lab.close(), [])
    assert.ok(isClean(await findLeftovers({ runId: lab.runId, includeLive: true })))
    assert.equal(sleeper.exited?.signal, 'SIGTERM')
    assert.deepEqual(await lab.close(), [], 'a second close does nothing')
  })

  it('cleans up what was made when a step fails halfway', async () => {
    const lab = await Lab.create()
    await lab.addNode({ label: 'ok', uplinkMbps: 50, cpuQuota: 0.3 })
    // the kernel refuses a cap of 0 bit/s only after the namespace and veth exist: fail after them
    await assert.rejects(lab.addNode({ label: 'bad', uplinkMbps: 1e-9 }), /tc|rate|qdisc/i)
    assert.ok(lab.pending().some(p => p.includes('-1-bad')), 'the failed node\'s namespace was recorded')
    assert.deepEqual(await lab.close(), [])
    assert.ok(isClean(await findLeftovers({ runId: lab.runId, includeLive: true })))
  })

  it('removes a crashed run\'s leftovers by name prefix, and leaves live runs alone', async () => {
    const live = await Lab.create()
    await live.addNode({ label: 'live', uplinkMbps: 10, cpuQuota: 0.1 })
    const child = spawn(process.execPath, ['--import', './test/setup.js', fixture('crash-lab.ts')], { stdio: ['ignore', 'pipe', 'inherit'] })
    const [runId, pid] = await new Promise<[string, number]>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        const m = /ready (\w+) (\d+)/.exec(d.toString())
        if (m != null) resolve([m[1], Number(m[2])])
      })
      child.once('exit', (code) => { reject(new Error(`crash-lab exited early (${String(code)})`)) })
    })
    child.kill('SIGKILL')
    await new Promise(resolve => child.once('exit', resolve))
    const left = await findLeftovers({ runId })
    assert.equal(left.namespaces.length, 3, 'the crashed run left its namespaces')
    assert.equal(left.cgroups.length, 1)
    assert.equal(left.dirs.length, 1, 'and its temporary directory')
    const { removed, failures } = await removeLeftovers()
    assert.deepEqual(failures, [])
    assert.ok(removed.namespaces.every(n => !n.startsWith(`ttb${live.runId}`)), 'a live run is not touched')
    assert.ok(isClean(await findLeftovers({ runId, includeLive: true })))
    assert.ok(!isRunning(pid), 'the crashed run\'s process was killed')
    assert.equal((await findLeftovers({ runId: live.runId, includeLive: true })).namespaces.length, 2)
    assert.deepEqual(await live.close(), [])
  })
})
