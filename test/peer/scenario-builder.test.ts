import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { buildScenarioSpec, DEFAULT_LINK_MBPS, deviceIds, exportScenario, resolveMeshScenario, type MeshMember } from '../../peer/planning/scenario-builder.js'
import { randomPlan } from '../../src/plan/random-plan.js'
import { Rng } from '../../src/planners/distredge/rng.js'
import { measuredProfileToJson } from '../../src/sim/profile-measured.js'
import { parseScenario, resolveScenario } from '../../src/sim/scenario.js'
import { createSimulator } from '../../src/sim/simulate.js'
import { linearProfile, tinyGraph } from '../sim/fixtures.js'

const P1 = '12D3KooWAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1'
const P2 = '12D3KooWBbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb2'
const P3 = '12D3KooWCccccccccccccccccccccccccccccccccccccccccccccc3'

/** The spec of a VGG16 mesh of these members, served by `requester`. */
function vggSpec (requester: string, members: MeshMember[]): ReturnType<typeof buildScenarioSpec> {
  return buildScenarioSpec({ name: 'mesh term 4', model: 'vgg16', inputShape: [1, 3, 224, 224], requester, members })
}

describe('mesh scenario from gossip', () => {
  it('names devices by their advertised names, suffixing clashes and the reserved name', () => {
    const ids = deviceIds([{ peer: P1, name: 'pi' }, { peer: P2, name: 'pi' }, { peer: P3, name: 'requester' }])
    assert.equal(ids.get(P1), `pi-${P1.slice(-6)}`)
    assert.equal(ids.get(P2), `pi-${P2.slice(-6)}`)
    assert.notEqual(ids.get(P3), 'requester')
  })

  it('orders devices by peer id and takes links, bandwidths and latency from the measurements', () => {
    const spec = vggSpec(P2, [
      { peer: P3, name: 'c', profile: { p: 3 }, links: [] },
      { peer: P2, name: 'b', profile: { p: 2 }, links: [{ peer: P1, mbps: 100, rttMs: 2, samples: 1 }, { peer: P3, mbps: 300, rttMs: 4, samples: 2 }] },
      { peer: P1, name: 'a', profile: { p: 1 }, links: [{ peer: P2, mbps: 50, rttMs: 6, samples: 1 }, { peer: 'gone', mbps: 999, rttMs: 1, samples: 1 }] }
    ])
    assert.deepEqual(spec.devices.map(d => d.id), ['a', 'b', 'c'])
    assert.deepEqual(spec.devices.map(d => d.profile), [{ p: 1 }, { p: 2 }, { p: 3 }])
    assert.deepEqual(spec.linkMbps, { b: { a: 100, c: 300 }, a: { b: 50 } })
    assert.deepEqual(spec.linkLatencyMs, { b: { a: 1, c: 2 }, a: { b: 3 } })
    const [a, b, c] = spec.devices
    assert.deepEqual([a.uplinkMbps, a.downlinkMbps], [50, 100])
    assert.deepEqual([b.uplinkMbps, b.downlinkMbps], [300, 50])
    // c measured nothing and was measured by b only
    assert.deepEqual([c.uplinkMbps, c.downlinkMbps], [DEFAULT_LINK_MBPS, 300])
    assert.equal(spec.latencyMs, 2)
    assert.equal(spec.requesterDevice, 'b')
  })

  it('takes what framing costs both ends out of a link\'s half round trip: the simulator charges every message that already', () => {
    const frame = (fixedMs: number): unknown => ({ frameCost: { fixedMs, msPerMiB: 10 } })
    const spec = vggSpec(P1, [
      { peer: P1, name: 'a', profile: frame(0.5), links: [{ peer: P2, mbps: 100, rttMs: 9, samples: 1 }, { peer: P3, mbps: 100, rttMs: 4, samples: 1 }] },
      { peer: P2, name: 'b', profile: frame(2), links: [{ peer: P1, mbps: 100, rttMs: 3.4, samples: 1 }] },
      // a profile without frame costs (or a malformed one, which the planner rejects later) takes nothing out
      { peer: P3, name: 'c', profile: { frameCost: { fixedMs: 'x' } }, links: [{ peer: P1, mbps: 100, rttMs: 4, samples: 1 }] }
    ])
    // 9 / 2 - 0.5 - 2; 3.4 / 2 - 2 - 0.5 < 0; 4 / 2 - 0.5 - 0
    assert.deepEqual(spec.linkLatencyMs, { a: { b: 2, c: 1.5 }, b: { a: 0 }, c: { a: 1.5 } })
    assert.equal(spec.latencyMs, 1.5)
  })

  it('is the same scenario whatever order the gossip arrived in', () => {
    const members = [
      { peer: P1, name: 'a', profile: {}, links: [{ peer: P2, mbps: 10, rttMs: 1, samples: 1 }] },
      { peer: P2, name: 'b', profile: {}, links: [] }
    ]
    const x = buildScenarioSpec({ name: 'n', model: 'm', inputShape: [1], requester: P1, members })
    const y = buildScenarioSpec({ name: 'n', model: 'm', inputShape: [1], requester: P1, members: [...members].reverse() })
    assert.deepEqual(x, y)
  })

  /** A mesh of three members of the tiny model, served by b. */
  function tinyMesh (graph: ReturnType<typeof tinyGraph>): ReturnType<typeof buildScenarioSpec> {
    return buildScenarioSpec({
      name: 'mesh term 2',
      model: 'tiny',
      inputShape: [1, 1, 8, 4],
      requester: P2,
      members: [
        { peer: P1, name: 'a', profile: measuredProfileToJson(linearProfile(graph, 'a', 1, 2, 3)), links: [{ peer: P2, mbps: 40, rttMs: 2, samples: 3 }] },
        { peer: P2, name: 'b', profile: measuredProfileToJson(linearProfile(graph, 'b', 4, 1, 1)), links: [{ peer: P1, mbps: 25, rttMs: 4, samples: 3 }, { peer: P3, mbps: 90, rttMs: 2, samples: 1 }] },
        { peer: P3, name: 'c', profile: measuredProfileToJson(linearProfile(graph, 'c', 2, 2, 2)), links: [] }
      ]
    })
  }

  /** Whether the scenario files exported from `spec` replan to what the leader itself simulates. */
  async function replansAlike (spec: ReturnType<typeof buildScenarioSpec>, graph: ReturnType<typeof tinyGraph>): Promise<void> {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-export-'))
    const { scenario, profiles } = exportScenario(spec, 'tiny-term2-1')
    for (const [file, profile] of profiles) writeFileSync(join(dir, file), JSON.stringify(profile))
    const replanned = await resolveScenario(parseScenario(JSON.parse(JSON.stringify(scenario)), 'exported.json'), { graph, baseDir: dir, source: 'exported.json' })
    const a = createSimulator(replanned)
    const b = createSimulator(resolveMeshScenario(spec, graph))
    const rng = new Rng(7)
    for (let i = 0; i < 20; i++) {
      const plan = randomPlan(graph, () => rng.uniform(), { devices: ['a', 'b', 'c'] })
      assert.equal(a.latency(plan), b.latency(plan))
    }
  }

  it('exports a scenario file that tessera plan replans to the same predictions', async () => {
    const graph = tinyGraph()
    const spec = tinyMesh(graph)
    const dir = mkdtempSync(join(tmpdir(), 'tessera-export-'))
    const { scenario, profiles } = exportScenario(spec, 'tiny-term2-1')
    assert.deepEqual([...profiles.keys()], ['tiny-term2-1-a.profile.json', 'tiny-term2-1-b.profile.json', 'tiny-term2-1-c.profile.json'])
    for (const [file, profile] of profiles) writeFileSync(join(dir, file), JSON.stringify(profile))
    // through JSON, as the peer writes it
    const file = parseScenario(JSON.parse(JSON.stringify(scenario)), 'exported.json')
    const replanned = await resolveScenario(file, { graph, baseDir: dir, source: 'exported.json' })
    const live = resolveMeshScenario(spec, graph)
    assert.deepEqual(replanned.devices.map(d => [d.id, d.uplinkMbps, d.downlinkMbps]), live.devices.map(d => [d.id, d.uplinkMbps, d.downlinkMbps]))
    assert.deepEqual(replanned.linkMbps, { a: { b: 40 }, b: { a: 25, c: 90 } })
    assert.deepEqual(replanned.requester, { kind: 'device', device: 'b' })
    assert.equal(replanned.latencyMs, live.latencyMs)
    assert.deepEqual(replanned.linkLatencyMs, { a: { b: 1 }, b: { a: 2, c: 1 } })
    const rng = new Rng(7)
    const random = (): number => rng.uniform()
    const a = createSimulator(replanned)
    const b = createSimulator(live)
    for (let i = 0; i < 20; i++) {
      const plan = randomPlan(graph, random, { devices: ['a', 'b', 'c'] })
      assert.equal(a.latency(plan), b.latency(plan))
    }
    await replansAlike(spec, graph)
  })

  it('plans a member with a service factor on its tables scaled by it, exports them so, and measures against them unscaled', async () => {
    const graph = tinyGraph()
    const plain = tinyMesh(graph)
    const spec = tinyMesh(graph)
    const b = spec.devices.findIndex(d => d.id === 'b')
    spec.devices[b] = { ...spec.devices[b], speed: 2.5 }
    const scaled = createSimulator(resolveMeshScenario(spec, graph))
    const unscaled = createSimulator(resolveMeshScenario(spec, graph, { unscaled: true }))
    const before = createSimulator(resolveMeshScenario(plain, graph))
    assert.ok(before.tailMs('b', graph.input) > 0)
    assert.equal(scaled.tailMs('b', graph.input), 2.5 * before.tailMs('b', graph.input))
    assert.equal(scaled.tailMs('a', graph.input), before.tailMs('a', graph.input))
    assert.equal(unscaled.tailMs('b', graph.input), before.tailMs('b', graph.input))
    await replansAlike(spec, graph)
  })
})
