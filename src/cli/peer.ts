// tessera peer: a headless mesh peer. Prints its discoveries, elections and plans; stops on SIGINT/SIGTERM.
import { TesseraPeer } from '../../peer/index.js'
import { plannerSpec } from '../planners/index.js'
import { parseIntFlag, parseList, parseShape } from './args.js'
import { parseCommand } from './command.js'
import { showPeerEvents } from './mesh-lines.js'
import { bar, progressLine } from './progress.js'

const HELP = `usage: tessera peer [--model M]... [--planner P] [--listen ADDR]... [--name N] [--no-mdns]
                    [--bootstrap ADDR]... [--input-shape 1,3,H,W] [--threads T] [--no-speed-check]
                    [--service-speeds] [--save-scenarios DIR] [--json]

Joins (or starts) a mesh: finds peers by mDNS (unless --no-mdns) and the --bootstrap addresses,
profiles this machine for each model (cached), takes part in the leader election, runs its share
of the leader's plans and serves inference requests (tessera infer). Runs until SIGINT or SIGTERM.

  --model M          a built-in model name or an .onnx path to serve (repeatable); none: serve the
                     models the mesh serves, fetched from a peer and checked by sha256
  --planner P        the planner this peer uses when it leads (default: the best planner for the mesh's size,
                     search today, see docs/distredge.md; a quick plan from
                     offload/aofl is published first)
  --quick-planners L planners whose best plan is published while --planner runs (comma-separated;
                     default offload,aofl; "none": publish only --planner's plans)
  --listen ADDR      multiaddr to listen on (default /ip4/0.0.0.0/tcp/0; repeatable)
  --name N           this device's name in plans (default: host name and short peer id)
  --bootstrap ADDR   multiaddr (with /p2p/<id>) of a peer to dial (repeatable, or comma-separated)
  --threads T        onnxruntime threads per part (default 1)
  --no-speed-check   use a cached profile as it is; by default its largest segments are timed first
                     and the cached tables are scaled to this machine's speed now
  --service-speeds   when leading, time every member's parts in the requests this peer serves and,
                     when a member runs them more than 10% slower or faster than its tables (median of
                     its last 3-8 requests), plan again with that member's tables scaled (docs/mesh.md,
                     "Service speeds"); by default the leader plans on the profiles as published
  --save-scenarios DIR  when leading, write each scenario planned on (measured profiles and links) to DIR,
                     as files \`tessera plan --scenario\` replans
  --json             print events as JSON lines instead of text`

export async function run (argv: string[]): Promise<number> {
  const command = parseCommand(argv, {
    usage: HELP,
    options: {
      model: { type: 'string', multiple: true },
      planner: { type: 'string' },
      'quick-planners': { type: 'string' },
      listen: { type: 'string', multiple: true },
      name: { type: 'string' },
      'no-mdns': { type: 'boolean', default: false },
      bootstrap: { type: 'string', multiple: true },
      'input-shape': { type: 'string' },
      threads: { type: 'string' },
      'profile-repeats': { type: 'string' },
      'no-speed-check': { type: 'boolean', default: false },
      'service-speeds': { type: 'boolean', default: false },
      'save-scenarios': { type: 'string' },
      json: { type: 'boolean', default: false }
    }
  })
  if (typeof command === 'number') return command
  const { values } = command
  const planner = values.planner
  if (planner != null) plannerSpec(planner)
  const quickFlag = values['quick-planners']
  const quickPlanners = quickFlag == null ? undefined : quickFlag === 'none' ? [] : parseList(quickFlag)
  for (const p of quickPlanners ?? []) plannerSpec(p)
  const json = values.json
  const out = (line: string): void => { process.stdout.write(line + '\n') }
  const peer = await TesseraPeer.create({
    name: values.name,
    models: values.model ?? [],
    inputShape: parseShape(values['input-shape']),
    threads: parseIntFlag(values.threads, '--threads', 1, 1, 256),
    profileRepeats: parseIntFlag(values['profile-repeats'], '--profile-repeats', 3, 1, 100),
    profileSpeedCheck: !values['no-speed-check'],
    listen: values.listen,
    mdns: !values['no-mdns'],
    bootstrap: parseList(values.bootstrap),
    planning: { planner, ...(quickPlanners != null ? { quickPlanners } : {}), saveScenarios: values['save-scenarios'], ...(values['service-speeds'] ? { serviceSpeeds: true } : {}) }
  })
  const addrs = peer.node.getMultiaddrs().map(String)
  if (json) {
    out(JSON.stringify({ event: 'listening', peer: peer.name, peerId: peer.peerId, addrs, t: Date.now() }))
  } else {
    out(`tessera peer ${peer.name} (${peer.peerId}) listening on ${addrs.join(' ')}`)
    out(`discovery: ${values['no-mdns'] ? 'mDNS off' : 'mDNS'}${(values.bootstrap ?? []).length > 0 ? ', bootstrap peers' : ''}; planner ${planner}`)
  }
  const progress = progressLine(process.stderr, 2000)
  peer.events.on('profile', (e) => {
    if (e.progress != null && !json) progress.update(`profiling ${e.model} ${bar(e.progress.done / e.progress.total)} ${e.progress.label}`)
    if (e.done === true) progress.done()
  })
  showPeerEvents(peer, out, json)
  await new Promise<void>((resolve) => {
    const stop = (signal: string): void => {
      process.off('SIGINT', onInt)
      process.off('SIGTERM', onTerm)
      if (!json) out(`${signal}: leaving the mesh`)
      resolve()
    }
    const onInt = (): void => { stop('SIGINT') }
    const onTerm = (): void => { stop('SIGTERM') }
    process.once('SIGINT', onInt)
    process.once('SIGTERM', onTerm)
  })
  await peer.stop()
  if (json) out(JSON.stringify({ event: 'stopped', peer: peer.name, t: Date.now() }))
  else out('stopped')
  return 0
}
