// tessera demo (npm start): a local mesh of 4 peers on loopback (mDNS off: they find each other by
// bootstrap addresses, so nothing is multicast), inferences through it, then the same through one peer.
import { cpus } from 'node:os'
import { ProfileCache } from '../../peer/capabilities/profile-cache.js'
import { randomInput } from '../../peer/requester/input-file.js'
import { plannerSpec } from '../planners/index.js'
import { loadModel, parseIntFlag, parseShape } from './args.js'
import { parseCommand } from './command.js'
import { LOCAL_MESH_OPTIONS, LocalMesh } from './local-mesh.js'
import { median } from '../stats.js'
import { describePlan } from './mesh-lines.js'
import { bar, progressLine } from './progress.js'

const HELP = `usage: tessera demo [--model M] [--input-shape 1,3,H,W] [--peers N] [--requests R] [--planner P]

Starts N tessera peers (default 4) on 127.0.0.1 as child processes, mDNS off (each finds the others
through the first one's address, so nothing leaves this machine), shows discovery, the election and
the leader's plans, runs R inferences through the mesh (default 10), then stops all peers but one and
runs the same inferences through that one peer. Default: resnet50 at 1,3,224,224, the default planner (search; docs/distredge.md says why).`

export async function run (argv: string[]): Promise<number> {
  const command = parseCommand(argv, { usage: HELP, options: LOCAL_MESH_OPTIONS })
  if (typeof command === 'number') return command
  const { values } = command
  const n = parseIntFlag(values.peers, '--peers', 4, 1, 16)
  const requests = parseIntFlag(values.requests, '--requests', 10, 1, 10_000)
  if (values.planner != null) plannerSpec(values.planner)
  const inputShape = parseShape(values['input-shape'])
  const say = (line: string): void => { process.stdout.write(line + '\n') }
  const started = performance.now()
  const clock = (): string => `[${((performance.now() - started) / 1000).toFixed(1).padStart(5)} s]`

  say(`Tessera demo: ${n} peers on 127.0.0.1 (no multicast: bootstrap addresses), model ${values.model}, planner ${values.planner ?? 'default'}`)
  const { graph, path } = await loadModel(values.model, inputShape)
  // measured once here; the peers read this machine's profile from the cache
  const progress = progressLine(process.stderr, 2000)
  const profiled = await new ProfileCache().get(graph, path, { onProgress: (p) => progress.update(`profiling ${graph.name} on this machine ${bar(p.done / p.total)} ${p.label}`) })
  progress.done()
  say(`${clock()} profile of ${graph.name} on this machine: ${profiled.fresh ? 'measured' : 'read from the cache'}`)

  const mesh = new LocalMesh({
    model: values.model,
    inputShape,
    planner: values.planner,
    onEvent: (peer, e) => {
      if (e.event === 'listening' && peer.name === 'peer-1') say(`${clock()} peer-1 listening on ${e.addrs[0] as string}`)
      if (e.event === 'joined' && peer.name === 'peer-1') say(`${clock()} peer-1 discovered ${e.name as string}`)
      if (e.event === 'leader' && e.leader != null && e.self === true) say(`${clock()} ${peer.name} is the leader (term ${e.term as number})`)
      if (e.event === 'leader' && e.leader == null && peer.name === 'peer-1') say(`${clock()} leader gone: electing (term ${e.term as number})`)
      if (e.event === 'left' && peer.name === 'peer-1') say(`${clock()} ${e.name as string ?? 'a peer'} left`)
      if (e.event === 'plan' && e.own === true) {
        say(`${clock()} plan ${e.key as string} by ${peer.name}: ${e.plan.planner as string} over ${e.members.length as number} peer(s), predicted ${(e.plan.predictedMs as number).toFixed(1)} ms`)
        say(`           ${describePlan(e.plan)}`)
      }
    }
  })
  try {
    await mesh.start(n)
    const plan = await mesh.planOver(n, 180_000, 120_000)
    say(`${clock()} plan ${plan.key as string} is ready on every peer`)
    const input = randomInput(graph.inputShape, 1)
    const all = await mesh.run(graph, input, requests)
    say(`${clock()} mesh of ${n}: ${requests} inference(s), median ${median(all.ms).toFixed(1)} ms (plan ${all.last.term}.${all.last.planId}, ${all.last.planner}, on ${all.last.devices.join(', ')})`)
    if (n > 1) {
      say(`${clock()} stopping ${n - 1} peer(s): the mesh re-plans onto peer-1 alone`)
      await Promise.all(mesh.peers.slice(1).map(async p => await mesh.stopPeer(p)))
      await mesh.planOver(1, 60_000, 30_000)
      const one = await mesh.run(graph, input, requests)
      say(`${clock()} one peer: ${requests} inference(s), median ${median(one.ms).toFixed(1)} ms`)
      say('')
      say('| setup | median latency (ms) | speed-up |')
      say('|---|---|---|')
      say(`| one peer | ${median(one.ms).toFixed(1)} | 1.00x |`)
      say(`| mesh of ${n} peers | ${median(all.ms).toFixed(1)} | ${(median(one.ms) / median(all.ms)).toFixed(2)}x |`)
      say(`(${n} peers share this machine's ${cpus().length} core(s))`)
    }
    return 0
  } finally {
    await mesh.stop()
  }
}
