// tessera bench mesh: end-to-end latency of a local mesh of N peers against one peer (loopback).
import { cpus } from 'node:os'
import { ProfileCache } from '../../peer/capabilities/profile-cache.js'
import { randomInput } from '../../peer/requester/input-file.js'
import { plannerSpec } from '../planners/index.js'
import { loadModel, parseIntFlag, parseShape } from './args.js'
import { parseCommand } from './command.js'
import { LOCAL_MESH_OPTIONS, LocalMesh } from './local-mesh.js'
import { median, percentile } from '../stats.js'
import { describePlan } from './mesh-lines.js'
import { InvalidInputError, MeshUnavailableError } from '../errors.js'
import { processCpuMs } from '../process-cpu.js'

const HELP = `usage: tessera bench mesh [--model M] [--input-shape 1,3,H,W] [--peers N] [--requests R] [--planner P]
                         [--idle S] [--json]

Starts N tessera peers (default 4) on 127.0.0.1 (child processes, mDNS off), waits for the leader's
plan, times R inferences end to end from a requester (default 20), then stops all peers but one and
times the same inferences on that one peer. With --idle S, before stopping them it also measures the
CPU each peer uses over S seconds with no requests, 10 s after the last (gossip, heartbeats, link
probes; Linux). Default model resnet50 at 1,3,224,224, the default planner (search; docs/distredge.md says why).`

/** The pause between the last request and the idle measurement, ms: one link-probe interval. */
const IDLE_SETTLE_MS = 10_000

/** The CPU each peer uses over `seconds` with no requests, in cores (CPU seconds a second), from /proc. */
async function idleCpu (mesh: LocalMesh, seconds: number): Promise<{ seconds: number, peers: Array<{ name: string, leader: boolean, cores: number }> }> {
  // the link probes the requests held back run first: measure after them
  await new Promise(resolve => setTimeout(resolve, IDLE_SETTLE_MS))
  const cpu = async (): Promise<Array<number | undefined>> => await Promise.all(mesh.peers.map(async p => p.child.pid == null ? undefined : await processCpuMs(p.child.pid)))
  const before = await cpu()
  const t0 = performance.now()
  await new Promise(resolve => setTimeout(resolve, seconds * 1000))
  const after = await cpu()
  const elapsedS = (performance.now() - t0) / 1000
  return {
    seconds,
    peers: mesh.peers.map((p, i) => {
      const a = after[i]
      const b = before[i]
      if (a == null || b == null) throw new MeshUnavailableError(`${p.name} exited during the idle measurement`)
      return { name: p.name, leader: p.events.filter(e => e.event === 'leader').at(-1)?.self === true, cores: (a - b) / 1000 / elapsedS }
    })
  }
}

export async function run (argv: string[]): Promise<number> {
  const command = parseCommand(argv, {
    usage: HELP,
    options: {
      ...LOCAL_MESH_OPTIONS,
      idle: { type: 'string' },
      json: { type: 'boolean', default: false }
    }
  })
  if (typeof command === 'number') return command
  const { values } = command
  const n = parseIntFlag(values.peers, '--peers', 4, 2, 16)
  const requests = parseIntFlag(values.requests, '--requests', 20, 1, 100_000)
  const idleS = parseIntFlag(values.idle, '--idle', 0, 0, 3600)
  if (idleS > 0 && process.platform !== 'linux') throw new InvalidInputError('--idle reads /proc/<pid>/stat: Linux only')
  if (values.planner != null) plannerSpec(values.planner)
  const inputShape = parseShape(values['input-shape'])
  const { graph, path } = await loadModel(values.model, inputShape)
  await new ProfileCache().get(graph, path)
  const mesh = new LocalMesh({ model: values.model, inputShape, planner: values.planner })
  try {
    await mesh.start(n)
    const plan = await mesh.planOver(n, 180_000, 180_000)
    const input = randomInput(graph.inputShape, 1)
    await mesh.run(graph, input, 2)
    const many = await mesh.run(graph, input, requests)
    const idle = idleS > 0 ? await idleCpu(mesh, idleS) : undefined
    await Promise.all(mesh.peers.slice(1).map(async p => await mesh.stopPeer(p)))
    const solo = await mesh.planOver(1, 60_000, 60_000)
    await mesh.run(graph, input, 2)
    const one = await mesh.run(graph, input, requests)
    const row = (ms: number[]): { medianMs: number, p95Ms: number, latencyMs: number[] } => ({ medianMs: median(ms), p95Ms: percentile(ms, 95), latencyMs: ms })
    const result = {
      model: graph.name,
      inputShape: graph.inputShape,
      peers: n,
      planner: values.planner,
      cores: cpus().length,
      plan: { key: plan.key, planner: plan.plan.planner, predictedMs: plan.plan.predictedMs, devices: many.last.devices, layout: describePlan(plan.plan) },
      onePeerPlan: { key: solo.key, planner: solo.plan.planner, predictedMs: solo.plan.predictedMs },
      mesh: row(many.ms),
      one: row(one.ms),
      speedup: median(one.ms) / median(many.ms),
      ...(idle != null ? { idle } : {})
    }
    if (values.json) {
      process.stdout.write(JSON.stringify(result) + '\n')
    } else {
      process.stdout.write(`${graph.name} [${graph.inputShape.join(', ')}], ${requests} requests each, ${cpus().length} core(s) shared by every peer\n`)
      process.stdout.write(`plan ${plan.key as string} (${plan.plan.planner as string}, predicted ${(plan.plan.predictedMs as number).toFixed(1)} ms): ${result.plan.layout}\n\n`)
      process.stdout.write('| setup | median (ms) | p95 (ms) | speed-up |\n|---|---|---|---|\n')
      process.stdout.write(`| one peer | ${result.one.medianMs.toFixed(1)} | ${result.one.p95Ms.toFixed(1)} | 1.00x |\n`)
      process.stdout.write(`| mesh of ${n} | ${result.mesh.medianMs.toFixed(1)} | ${result.mesh.p95Ms.toFixed(1)} | ${result.speedup.toFixed(2)}x |\n`)
      if (idle != null) {
        process.stdout.write(`\nidle, ${idle.seconds} s without requests: CPU used by each peer (cores)\n\n| peer | leader | cores |\n|---|---|---|\n`)
        for (const p of idle.peers) process.stdout.write(`| ${p.name} | ${p.leader ? 'yes' : ''} | ${p.cores.toFixed(4)} |\n`)
      }
    }
    return 0
  } finally {
    await mesh.stop()
  }
}
