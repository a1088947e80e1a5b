import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { smallScenarioDir, tessera } from './cli-scenario.js'

describe('tessera plan and tessera simulate', () => {
  const dir = smallScenarioDir()
  const scenario = join(dir, 'small.json')

  it('plans, writes the plan, and simulate predicts the same latency', () => {
    const out = join(dir, 'plan.json')
    const r = tessera('plan', '--scenario', scenario, '--planner', 'aofl', '--json', '--out', out)
    assert.equal(r.code, 0, r.stderr)
    const j = JSON.parse(r.stdout)
    assert.deepEqual(Object.keys(j), ['planner', 'latencyMs', 'lowerBoundMs', 'planningMs', 'plan'])
    assert.equal(j.planner, 'aofl')
    assert.ok(j.latencyMs >= j.lowerBoundMs && j.lowerBoundMs > 0)
    const file = JSON.parse(readFileSync(out, 'utf8'))
    assert.deepEqual(file, j.plan)
    assert.equal(file.predictedMs, j.latencyMs)

    const gantt = join(dir, 'g.svg')
    const s = tessera('simulate', '--scenario', scenario, '--plan', out, '--json', '--gantt', gantt)
    assert.equal(s.code, 0, s.stderr)
    const sim = JSON.parse(s.stdout)
    assert.equal(sim.latencyMs, j.latencyMs)
    assert.deepEqual(sim.timeline.map((t: any) => t.device), ['x', 'n', 't', 'requester'])
    const svg = readFileSync(gantt, 'utf8')
    const intervals = sim.timeline.reduce((n: number, t: any) => n + t.intervals.length, 0)
    assert.equal((svg.match(/<rect /g) ?? []).length, intervals + 1, 'one bar per interval, plus the background')

    const text = tessera('simulate', '--scenario', scenario, '--plan', out)
    assert.match(text.stdout, new RegExp(`plan by aofl: ${(j.latencyMs as number).toFixed(2)} ms end to end`))
  })

  it('rejects a bad scenario, an unknown planner, a plan for other devices, with exit code 2', () => {
    const bad = join(dir, 'bad.json')
    writeFileSync(bad, JSON.stringify({ model: 'vgg16', requester: { uplinkMbps: 1 }, devices: [{ id: 'a', profile: 'gpu', uplinkMbps: 1 }] }))
    let r = tessera('plan', '--scenario', bad, '--planner', 'offload')
    assert.equal(r.code, 2)
    assert.match(r.stderr, /devices\[0\]\.profile: "gpu" is neither a built-in profile/)
    r = tessera('plan', '--scenario', scenario, '--planner', 'fastest')
    assert.equal(r.code, 2)
    assert.match(r.stderr, /unknown planner "fastest" \(planners: offload, modnn/)
    const out = join(dir, 'offload.json')
    assert.equal(tessera('plan', '--scenario', scenario, '--planner', 'offload', '--out', out).code, 0)
    const plan = JSON.parse(readFileSync(out, 'utf8'))
    plan.tail.device = 'phone'
    writeFileSync(out, JSON.stringify(plan))
    r = tessera('simulate', '--scenario', scenario, '--plan', out)
    assert.equal(r.code, 2)
    assert.match(r.stderr, /tail: unknown device "phone"/)
    plan.tail.device = 'x'
    plan.volumes = [{ input: 'input', output: 'features.4', parts: [{ device: 'x', rows: [0, 20], speed: 2 }, { device: 'n', rows: [20, 32] }] }]
    writeFileSync(out, JSON.stringify(plan))
    r = tessera('simulate', '--scenario', scenario, '--plan', out)
    assert.equal(r.code, 2)
    assert.match(r.stderr, /volumes\[0\]\.parts\[0\]: unknown key "speed"/)
    delete plan.volumes[0].parts[0].speed
    plan.volumes[0].parts[1].rows = [22, 32]
    writeFileSync(out, JSON.stringify(plan))
    r = tessera('simulate', '--scenario', scenario, '--plan', out)
    assert.equal(r.code, 2)
    assert.match(r.stderr, /rows \[20, 22\) are computed by no part/)
  })
})
