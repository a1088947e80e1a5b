// The scenario the leader plans with, built from gossip alone: one device per member that holds the
// model and has published a measured profile for it, links from the members' probe results, the
// leader as the requester (a request enters the mesh at the peer serving it, the leader by default).
// Pure: the same gossip gives the same scenario.
import { measuredProfileToJson, parseMeasuredProfile, scaleProfileSpeed } from '../../src/sim/profile-measured.js'
import { REQUESTER } from '../../src/sim/types.js'
import { median } from '../../src/stats.js'
import type { LinkRecord } from '../../protocols/links/codec.js'
import type { Graph } from '../../src/graph/types.js'
import type { ScenarioInput } from '../../src/sim/scenario.js'
import type { Device, MeasuredProfile, Scenario } from '../../src/sim/types.js'
import type { PeerIdStr } from '../gossip.js'

/** Bandwidth assumed for a link not measured yet, Mbps. */
export const DEFAULT_LINK_MBPS = 1000

export interface MeshMember {
  peer: PeerIdStr
  /** The name the peer advertises. */
  name: string
  /** Its measured profile of the model (the profile file's JSON). */
  profile: unknown
  /** Its measured links to other peers. */
  links: LinkRecord[]
  /** How much slower than its profile it runs its parts in service (the leader's measure, service-speeds.ts; default 1). */
  speed?: number
}

export interface MeshDeviceSpec {
  id: string
  peer: PeerIdStr
  profile: unknown
  /** The profile's tables are scaled by this in planning (its service factor; absent: 1). */
  speed?: number
  uplinkMbps: number
  downlinkMbps: number
}

/** A serializable scenario (it crosses into the planner's worker thread). */
export interface MeshScenarioSpec {
  name: string
  model: string
  inputShape: number[]
  devices: MeshDeviceSpec[]
  requesterDevice: string
  linkMbps: Record<string, Record<string, number>>
  /** Each measured link's latency: half its round trip less what framing costs its two ends (linkLatency), ms. */
  linkLatencyMs: Record<string, Record<string, number>>
  /** The median of those: the latency of a link not measured yet, ms. */
  latencyMs: number
}

/** Device ids from advertised names: letters, digits, '.', '_', '-'; a clash gets a peer-id suffix. */
export function deviceIds (members: Array<{ peer: PeerIdStr, name: string }>): Map<PeerIdStr, string> {
  const clean = (n: string): string => {
    const c = n.replace(/[^\w.-]/g, '_').slice(0, 64)
    return c === '' || c === REQUESTER ? `peer_${c}` : c
  }
  const count = new Map<string, number>()
  for (const m of members) count.set(clean(m.name), (count.get(clean(m.name)) ?? 0) + 1)
  const ids = new Map<PeerIdStr, string>()
  for (const m of members) {
    const c = clean(m.name)
    ids.set(m.peer, (count.get(c) ?? 0) > 1 ? `${c}-${m.peer.slice(-6)}` : c)
  }
  return ids
}

/** What a frame costs this member at one end (its profile's `frameCost.fixedMs`; 0 where the profile has none). */
function frameFixedMs (profile: unknown): number {
  const ms = (profile as { frameCost?: { fixedMs?: unknown } } | null)?.frameCost?.fixedMs
  return typeof ms === 'number' && Number.isFinite(ms) && ms > 0 ? ms : 0
}

/**
 * A link's latency for the simulator from its probed round trip: half of it, less the fixed cost of a frame at
 * either end, never below 0. A probe's round trip is two frames, each framed by its sender and read by its
 * receiver on the peers' own CPUs, and the simulator charges every message those costs already (the profiles'
 * `frameCost`): half the round trip as latency would charge them twice. On the testbed, whose links have no delay
 * of their own, a 0.25-core device's half round trips of 1.7-3.5 ms were all framing (2.2 ms a frame there).
 */
export function linkLatency (rttMs: number, fromFrameMs: number, toFrameMs: number): number {
  return Math.max(0, rttMs / 2 - fromFrameMs - toFrameMs)
}

/** Builds the scenario spec for `model` over `members` (any order; devices are sorted by peer id). */
export function buildScenarioSpec (input: { name: string, model: string, inputShape: number[], members: MeshMember[], requester: PeerIdStr }): MeshScenarioSpec {
  const members = [...input.members].sort((a, b) => (a.peer < b.peer ? -1 : a.peer > b.peer ? 1 : 0))
  const ids = deviceIds(members)
  const inMesh = new Set(members.map(m => m.peer))
  const linkMbps: Record<string, Record<string, number>> = {}
  const linkLatencyMs: Record<string, Record<string, number>> = {}
  const outgoing = new Map<PeerIdStr, number[]>()
  const incoming = new Map<PeerIdStr, number[]>()
  const latencies: number[] = []
  const frameMs = new Map(members.map(m => [m.peer, frameFixedMs(m.profile)]))
  for (const m of members) {
    for (const l of m.links) {
      if (!inMesh.has(l.peer) || l.peer === m.peer || !(l.mbps > 0)) continue
      const from = ids.get(m.peer)!
      const to = ids.get(l.peer)!
      linkMbps[from] ??= {}
      linkMbps[from][to] = l.mbps
      linkLatencyMs[from] ??= {}
      const latency = linkLatency(l.rttMs, frameMs.get(m.peer)!, frameMs.get(l.peer)!)
      linkLatencyMs[from][to] = latency
      outgoing.set(m.peer, [...(outgoing.get(m.peer) ?? []), l.mbps])
      incoming.set(l.peer, [...(incoming.get(l.peer) ?? []), l.mbps])
      latencies.push(latency)
    }
  }
  const devices: MeshDeviceSpec[] = members.map((m) => {
    const up = outgoing.get(m.peer)
    const down = incoming.get(m.peer)
    const uplinkMbps = up != null ? Math.max(...up) : DEFAULT_LINK_MBPS
    return { id: ids.get(m.peer)!, peer: m.peer, profile: m.profile, ...(m.speed != null && m.speed !== 1 ? { speed: m.speed } : {}), uplinkMbps, downlinkMbps: down != null ? Math.max(...down) : uplinkMbps }
  })
  const requesterDevice = ids.get(input.requester) ?? devices[0]?.id
  if (requesterDevice == null) throw new RangeError('a mesh scenario needs at least one member')
  return { name: input.name, model: input.model, inputShape: [...input.inputShape], devices, requesterDevice, linkMbps, linkLatencyMs, latencyMs: latencies.length === 0 ? 0 : median(latencies) }
}

/** A device's profile as planned with: validated (here, at the edge), its tables scaled by its service factor. */
function plannedProfile (d: MeshDeviceSpec): MeasuredProfile {
  const profile = parseMeasuredProfile(d.profile, `profile of ${d.id}`)
  return d.speed == null || d.speed === 1 ? profile : scaleProfileSpeed(profile, d.speed)
}

/**
 * The planner's Scenario from a spec and the model's graph. `unscaled`: the profiles as the members
 * measured them, the service factors left out (what the leader measures those factors against).
 */
export function resolveMeshScenario (spec: MeshScenarioSpec, graph: Graph, options: { unscaled?: boolean } = {}): Scenario {
  const devices: Device[] = spec.devices.map((d, index) => ({
    id: d.id,
    index,
    profile: options.unscaled === true ? parseMeasuredProfile(d.profile, `profile of ${d.id}`) : plannedProfile(d),
    uplinkMbps: d.uplinkMbps,
    downlinkMbps: d.downlinkMbps
  }))
  return {
    name: spec.name,
    model: spec.model,
    inputShape: [...graph.inputShape],
    graph,
    devices,
    requester: { kind: 'device', device: spec.requesterDevice },
    linkMbps: spec.linkMbps,
    latencyMs: spec.latencyMs,
    linkLatencyMs: spec.linkLatencyMs,
    testbed: {}
  }
}

/** A mesh scenario as a scenario file (the suite's format) and the measured profiles it names, by file name. */
export interface ScenarioExport {
  scenario: ScenarioInput
  profiles: Map<string, unknown>
}

/**
 * The scenario the leader planned on, written so that `tessera plan --scenario` replans it: each profile a
 * file of its own beside the scenario (`<prefix>-<device>.profile.json`, named relative to the scenario).
 */
export function exportScenario (spec: MeshScenarioSpec, prefix: string): ScenarioExport {
  const profiles = new Map<string, unknown>()
  const devices = spec.devices.map((d) => {
    const file = `${prefix}-${d.id}.profile.json`
    // a device planned with a service factor is written as planned: its tables scaled
    profiles.set(file, d.speed == null || d.speed === 1 ? d.profile : measuredProfileToJson(plannedProfile(d)))
    return { id: d.id, profile: file, uplinkMbps: d.uplinkMbps, downlinkMbps: d.downlinkMbps }
  })
  return {
    scenario: { name: spec.name, model: spec.model, inputShape: [...spec.inputShape], requester: { device: spec.requesterDevice }, devices, linkMbps: spec.linkMbps, linkLatencyMs: spec.linkLatencyMs, latencyMs: spec.latencyMs },
    profiles
  }
}
