import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { measuredProfileToJson } from '../../src/sim/profile-measured.js'
import { BUILTIN_PROFILES } from '../../src/sim/profile-roofline.js'
import { loadScenario, parseScenario, resolveScenario } from '../../src/sim/scenario.js'
import { linearProfile, tinyGraph } from './fixtures.js'

const base = (): any => ({
  name: 'S',
  model: 'tiny.onnx',
  requester: { uplinkMbps: 300 },
  devices: [
    { id: 'x', profile: 'xavier', uplinkMbps: 50 },
    { id: 'n', profile: { kind: 'roofline', gflops: 120, memGBps: 12, overheadMs: 0.05, rowQuantum: 8 }, uplinkMbps: 50, downlinkMbps: 100 }
  ]
})

function rejects (mutate: (s: any) => void, message: RegExp): void {
  const s = base()
  mutate(s)
  assert.throws(() => parseScenario(s, 'S.json'), (err: any) => {
    assert.equal(err.name, 'InvalidScenarioError')
    assert.match(err.message, /^scenario S\.json: /)
    assert.match(err.message, message)
    return true
  })
}

describe('scenario files', () => {
  it('fills the documented defaults', () => {
    const f = parseScenario(base(), 'dir/S.json')
    assert.deepEqual(f.requester, { uplinkMbps: 300, downlinkMbps: 300 })
    assert.equal(f.devices[0].downlinkMbps, 50)
    assert.equal(f.devices[1].downlinkMbps, 100)
    assert.equal(f.latencyMs, 0)
    assert.deepEqual(f.linkMbps, {})
    const unnamed = base()
    delete unnamed.name
    assert.equal(parseScenario(unnamed, 'dir/DB-50.json').name, 'DB-50')
  })

  it('rejects unknown keys, naming them and what is allowed', () => {
    rejects((s) => { s.latency = 1 }, /\(top level\): unknown key "latency" \(allowed: name, model, inputShape, requester, devices, latencyMs, linkMbps, linkLatencyMs, testbed\)/)
    rejects((s) => { s.devices[0].cpu = 'arm' }, /devices\[0\]: unknown key "cpu" \(allowed: id, profile, uplinkMbps, downlinkMbps\)/)
    rejects((s) => { s.devices[1].profile.gflop = 3 }, /devices\[1\]\.profile: unknown key "gflop"/)
  })

  it('rejects bad values, naming the key and what is allowed', () => {
    rejects((s) => { s.devices[0].uplinkMbps = -5 }, /devices\[0\]\.uplinkMbps: expected a positive number of Mbps/)
    rejects((s) => { s.devices[0].uplinkMbps = '50' }, /devices\[0\]\.uplinkMbps: expected a positive number of Mbps/)
    rejects((s) => { s.devices[0].profile = 7 }, /devices\[0\]\.profile: expected a built-in profile \(pi3, nano, tx2, xavier\)/)
    rejects((s) => { s.devices[1].profile.rowQuantum = 0.5 }, /devices\[1\]\.profile\.rowQuantum: expected an integer >= 1/)
    rejects((s) => { s.requester = { uplinkMbps: 3, device: 'x' } }, /requester: expected \{ "uplinkMbps", "downlinkMbps" \} .* or \{ "device": "<id>" \}/)
    rejects((s) => { s.latencyMs = -1 }, /latencyMs: expected a number of ms >= 0/)
    rejects((s) => { s.devices = [] }, /devices: expected at least one device/)
    rejects((s) => { delete s.model }, /model: expected a built-in model name or a path/)
    rejects((s) => { s.inputShape = [1, 3, -2, 4] }, /inputShape\[2\]/)
  })

  it('checks names across the file', () => {
    rejects((s) => { s.devices[1].id = 'x' }, /devices\[1\]\.id: "x" is already the id of devices\[0\]/)
    rejects((s) => { s.devices[1].id = 'requester' }, /devices\[1\]\.id: "requester" is reserved/)
    rejects((s) => { s.requester = { device: 'q' } }, /requester\.device: "q" is not a device of this scenario \(devices: "x", "n"\)/)
    rejects((s) => { s.linkMbps = { x: { q: 10 } } }, /linkMbps\.x\.q: "q" is not a device/)
    rejects((s) => { s.linkMbps = { x: { x: 10 } } }, /linkMbps\.x\.x: a device does not send to itself/)
    rejects((s) => { s.linkMbps = { x: { n: 0 } } }, /linkMbps\.x\.n: expected a positive number of Mbps/)
    rejects((s) => { s.linkLatencyMs = { x: { q: 1 } } }, /linkLatencyMs\.x\.q: "q" is not a device/)
    rejects((s) => { s.linkLatencyMs = { x: { n: -1 } } }, /linkLatencyMs\.x\.n: expected a number of ms >= 0/)
    rejects((s) => { s.linkLatencyMs = { x: { x: 1 } } }, /linkLatencyMs\.x\.x: a device does not send to itself/)
    rejects((s) => { s.requester = { device: 'x' }; s.linkMbps = { requester: { n: 10 } } }, /linkMbps\.requester: the requester is device "x" here/)
    rejects((s) => { s.testbed = { q: { cpuQuota: 0.5 } } }, /testbed\.q: "q" is not a device/)
    // "requester" is a valid link name when the requester is external
    const s = base()
    s.linkMbps = { requester: { n: 10 }, n: { requester: 20 } }
    assert.deepEqual(parseScenario(s).linkMbps, { requester: { n: 10 }, n: { requester: 20 } })
  })

  it('resolves built-in and inline profiles, and measured profile files of the same model', async () => {
    const graph = tinyGraph()
    const dir = mkdtempSync(join(tmpdir(), 'tessera-scenario-'))
    writeFileSync(join(dir, 'unit.json'), JSON.stringify(measuredProfileToJson(linearProfile(graph, 'unit', 1, 2, 3))))
    const s = base()
    s.devices.push({ id: 'm', profile: 'unit.json', uplinkMbps: 10 })
    const r = await resolveScenario(parseScenario(s), { graph, baseDir: dir })
    assert.equal(r.devices[0].profile, BUILTIN_PROFILES.xavier)
    assert.deepEqual(r.devices[1].profile, { kind: 'roofline', name: 'custom', gflops: 120, memGBps: 12, overheadMs: 0.05, rowQuantum: 8 })
    assert.equal(r.devices[2].profile.kind, 'measured')
    assert.deepEqual(r.requester, { kind: 'external', uplinkMbps: 300, downlinkMbps: 300 })

    s.devices[2].profile = 'missing.json'
    await assert.rejects(resolveScenario(parseScenario(s, 'S.json'), { graph, baseDir: dir, source: 'S.json' }), { name: 'InvalidScenarioError', message: /devices\[2\]\.profile: "missing\.json" is neither a built-in profile/ })

    const other = { ...measuredProfileToJson(linearProfile(graph, 'unit', 1, 2, 3)), model: { name: 'vgg16', sha256: 'a'.repeat(64), inputShape: [1, 3, 8, 4] } }
    writeFileSync(join(dir, 'other.json'), JSON.stringify(other))
    s.devices[2].profile = 'other.json'
    await assert.rejects(resolveScenario(parseScenario(s, 'S.json'), { graph, baseDir: dir, source: 'S.json' }), { message: /devices\[2\]\.profile: the measured profile .*other\.json is for model vgg16/ })

    s.devices[2].profile = 'measured'
    await assert.rejects(resolveScenario(parseScenario(s, 'S.json'), { graph, baseDir: dir, source: 'S.json' }), { message: /devices\[2\]\.profile: "measured" needs the device's own measured table/ })
    const supplied = await resolveScenario(parseScenario(s), { graph, measured: { m: linearProfile(graph, 'self', 1, 1, 1) } })
    assert.equal(supplied.devices[2].profile.name, 'self')
  })

  it('loads a file with a model path relative to it, and a built-in model by name', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-scenario-'))
    writeFileSync(join(dir, 'bad.json'), '{ "name": ')
    await assert.rejects(loadScenario(join(dir, 'bad.json')), { name: 'InvalidScenarioError', message: /not JSON/ })
    const s = base()
    s.model = 'vgg16'
    s.inputShape = [1, 3, 32, 32]
    writeFileSync(join(dir, 'vgg.json'), JSON.stringify(s))
    const r = await loadScenario(join(dir, 'vgg.json'))
    assert.equal(r.graph.name, 'vgg16')
    assert.deepEqual(r.inputShape, [1, 3, 32, 32])
    s.model = 'nothere.onnx'
    writeFileSync(join(dir, 'missing.json'), JSON.stringify(s))
    await assert.rejects(loadScenario(join(dir, 'missing.json')), { name: 'InvalidInputError', message: /nothere\.onnx/ })
  })
})
