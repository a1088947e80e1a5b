// tessera demo (npm start): a local mesh of 4 peers on loopback (mDNS off: they find each other by
// bootstrap addresses, so nothing is multicast), inferences through it, then the same through one peer.
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { resolveModel } from '../../models/zoo.js'
import { ProfileCache } from '../../peer/capabilities/profile-cache.js'
import { InferClient } from '../../peer/requester/infer-client.js'
import { newRequestId } from '../../peer/requester/coordinator.js'
import { randomInput } from '../../peer/requester/input-file.js'
import { MeshUnavailableError } from '../errors.js'
import { loadGraphFile } from '../graph/load.js'
import { plannerSpec } from '../planners/index.js'
import { parseIntFlag, parseShape } from './args.js'
import { describePlan } from './mesh-lines.js'
import { bar, progressLine } from './progress.js'
import type { ChildProcess } from 'node:child_process'

const HELP = `usage: tessera demo [--model M] [--input-shape 1,3,H,W] [--peers N] [--requests R] [--planner P]

Starts N tessera peers (default 4) on 127.0.0.1 as child processes, mDNS off (each finds the others
through the first one's address, so nothing leaves this machine), shows discovery, the election and
the leader's plan, runs R inferences through the mesh (default 10), then stops all peers but one and
runs the same inferences through that one peer. Default model: vgg16 at 1,3,224,224.`

const BIN = fileURLToPath(new URL('../../bin/tessera.js', import.meta.url))

interface PeerProcess {
  name: string
  child: ChildProcess
  events: Array<Record<string, any>>
  exited: Promise<number | null>
}

function median (xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]
}

export async function run (argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      model: { type: 'string', default: 'vgg16' },
      'input-shape': { type: 'string' },
      peers: { type: 'string' },
      requests: { type: 'string' },
      planner: { type: 'string', default: 'distredge' },
      help: { type: 'boolean', short: 'h', default: false }
    }
  })
  if (values.help) {
    process.stdout.write(HELP + '\n')
    return 0
  }
  const n = parseIntFlag(values.peers, '--peers', 4, 1, 16)
  const requests = parseIntFlag(values.requests, '--requests', 10, 1, 10_000)
  plannerSpec(values.planner)
  const inputShape = parseShape(values['input-shape'])
  const say = (line: string): void => { process.stdout.write(line + '\n') }
  const started = performance.now()
  const clock = (): string => `[${((performance.now() - started) / 1000).toFixed(1).padStart(5)} s]`

  say(`Tessera demo: ${n} peers on 127.0.0.1, model ${values.model}`)
  const model = await resolveModel(values.model, inputShape != null ? { inputShape } : {})
  const graph = loadGraphFile(model.path, { name: model.name, ...(inputShape != null ? { inputShape } : {}) })
  // measured once here; the peers share this machine's cached profile
  const progress = progressLine(process.stderr, 2000)
  const profiled = await new ProfileCache().get(graph, model.path, { onProgress: (p) => progress.update(`profiling ${graph.name} on this machine ${bar(p.done / p.total)} ${p.label}`) })
  progress.done()
  say(`${clock()} profile of ${graph.name}: ${profiled.fresh ? 'measured' : 'from the cache'}`)

  const peers: PeerProcess[] = []
  const watchers = new Set<() => void>()
  const wake = (): void => { for (const w of [...watchers]) w() }
  const until = async (what: string, test: () => boolean, timeoutMs: number): Promise<void> => {
    const deadline = performance.now() + timeoutMs
    while (!test()) {
      if (performance.now() > deadline) throw new MeshUnavailableError(`the demo mesh did not ${what} within ${Math.round(timeoutMs / 1000)} s`)
      await new Promise<void>((resolve) => {
        const w = (): void => { watchers.delete(w); clearTimeout(t); resolve() }
        const t = setTimeout(w, 250)
        watchers.add(w)
      })
    }
  }
  const spawnPeer = (name: string, bootstrap: string[]): PeerProcess => {
    const args = [BIN, 'peer', '--json', '--no-mdns', '--listen', '/ip4/127.0.0.1/tcp/0', '--name', name, '--model', values.model, '--planner', values.planner,
      ...(inputShape != null ? ['--input-shape', inputShape.join(',')] : []), ...bootstrap.flatMap(b => ['--bootstrap', b])]
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    const p: PeerProcess = { name, child, events: [], exited: new Promise(resolve => child.once('exit', code => resolve(code))) }
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let e: Record<string, any>
      try {
        e = JSON.parse(line)
      } catch {
        return
      }
      p.events.push(e)
      if (e.event === 'joined' && name === 'peer-1') say(`${clock()} discovered ${e.name as string}`)
      if (e.event === 'leader' && e.leader != null && e.self === true) say(`${clock()} ${name} is the leader (term ${e.term as number})`)
      if (e.event === 'plan' && e.own === true) say(`${clock()} plan ${e.key as string} by ${name}: ${e.plan.planner as string} over ${e.members.length as number} peer(s), predicted ${(e.plan.predictedMs as number).toFixed(1)} ms\n           ${describePlan(e.plan)}`)
      wake()
    })
    const errors: string[] = []
    createInterface({ input: child.stderr! }).on('line', (line) => { if (!line.startsWith('profiling')) errors.push(line) })
    child.once('exit', (code) => {
      if (code !== 0 && code !== null && errors.length > 0) say(`${name} exited with ${code}: ${errors.slice(-3).join(' | ')}`)
      wake()
    })
    return p
  }
  const stopPeer = async (p: PeerProcess): Promise<void> => {
    if (p.child.exitCode == null) p.child.kill('SIGTERM')
    const killer = setTimeout(() => p.child.kill('SIGKILL'), 10_000)
    await p.exited
    clearTimeout(killer)
  }

  let client: InferClient | undefined
  try {
    peers.push(spawnPeer('peer-1', []))
    await until('start its first peer', () => peers[0].events.some(e => e.event === 'listening'), 60_000)
    const boot = peers[0].events.find(e => e.event === 'listening')!.addrs as string[]
    say(`${clock()} peer-1 listening on ${boot[0]}`)
    for (let i = 2; i <= n; i++) peers.push(spawnPeer(`peer-${i}`, boot))
    const readyWithAll = (p: PeerProcess): boolean => {
      const full = new Set(p.events.filter(e => e.event === 'plan' && e.members.length === n).map(e => e.key))
      return p.events.some(e => e.event === 'ready' && full.has(e.key))
    }
    await until(`plan over all ${n} peers`, () => peers.some(readyWithAll), 180_000)
    // give the leader's configured planner a moment to improve on its quick plan
    const leader = peers.find(p => p.events.some(e => e.event === 'plan' && e.own === true && e.members.length === n))
    if (leader != null && values.planner !== 'offload' && values.planner !== 'aofl') {
      say(`${clock()} waiting up to 90 s for ${values.planner} to refine the plan`)
      const quick = leader.events.filter(e => e.event === 'plan' && e.own === true).length
      await until('refine', () => leader.events.filter(e => e.event === 'plan' && e.own === true).length > quick || leader.events.some(e => e.event === 'failed'), 90_000).catch(() => { say(`${clock()} (keeping the quick plan)`) })
      await until('get the refined plan ready', () => {
        const last = leader.events.filter(e => e.event === 'plan' && e.own === true).pop()
        return last != null && leader.events.some(e => e.event === 'ready' && e.key === last.key)
      }, 60_000)
    }
    client = await InferClient.create({ mdns: false, bootstrap: boot, listen: ['/ip4/127.0.0.1/tcp/0'] })
    const input = randomInput(graph.inputShape, 1)
    const runAll = async (label: string): Promise<{ ms: number[], plan: string, devices: string[] }> => {
      const ms: number[] = []
      let plan = ''
      let devices: string[] = []
      for (let i = 0; i < requests; i++) {
        const t0 = performance.now()
        const r = await client!.infer({ requestId: newRequestId(), modelSha256: graph.sha256, modelName: graph.name, input: { name: graph.input, shape: graph.inputShape, data: input } }, { timeoutMs: 120_000 })
        ms.push(performance.now() - t0)
        plan = `${r.term}.${r.planId} (${r.planner})`
        devices = r.devices
      }
      say(`${clock()} ${label}: ${requests} inference(s), median ${median(ms).toFixed(1)} ms (plan ${plan} on ${devices.join(', ')})`)
      return { ms, plan, devices }
    }
    const mesh = await runAll(`mesh of ${n}`)
    if (n > 1) {
      say(`${clock()} stopping ${n - 1} peer(s); the mesh re-plans onto peer-1 alone`)
      await Promise.all(peers.slice(1).map(stopPeer))
      await until('re-plan onto one peer', () => {
        const p = peers[0]
        const solo = new Set(p.events.filter(e => e.event === 'plan' && e.members.length === 1).map(e => e.key))
        return p.events.some(e => e.event === 'ready' && solo.has(e.key))
      }, 60_000)
      const one = await runAll('one peer')
      const speedup = median(one.ms) / median(mesh.ms)
      say('')
      say('| setup | median latency (ms) | speed-up |')
      say('|---|---|---|')
      say(`| one peer | ${median(one.ms).toFixed(1)} | 1.00x |`)
      say(`| mesh of ${n} peers | ${median(mesh.ms).toFixed(1)} | ${speedup.toFixed(2)}x |`)
      say(`(this machine has ${(await import('node:os')).cpus().length} core(s): ${n} peers share them)`)
    }
    return 0
  } finally {
    await client?.stop()
    await Promise.all(peers.map(stopPeer))
  }
}
