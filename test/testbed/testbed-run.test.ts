// A small testbed run end to end, as CI runs it: 3 capped peers in namespaces, one planner, a few
// verified requests; then nothing of the run is left on the machine.
import { spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { findLeftovers, isClean } from '../../peer/testbed/leftovers.js'
import { SKIP_WITHOUT_ROOT, fixture } from './harness.js'
import { DEFAULT_TESTBED_INTERVAL_MS, type TestbedRow } from '../../peer/testbed/testbed-run.js'

const BIN = fileURLToPath(new URL('../../bin/tessera.js', import.meta.url))

describe('tessera testbed: a small run', { skip: SKIP_WITHOUT_ROOT }, () => {
  it('measures two planners on 3 capped peers with verified results, on the profiles each device measured alone beforehand, and removes everything', async (t) => {
    const logs = mkdtempSync(join(tmpdir(), 'tessera-testbed-logs-'))
    t.after(() => { rmSync(logs, { recursive: true, force: true }) })
    const child = spawn(process.execPath, [BIN, 'testbed', '--scenario', fixture('small.json'), '--planners', 'modnn,offload', '--requests', '3', '--warmup', '1', '--profile-repeats', '1', '--verify', '--service-speeds', '--json', '--log-dir', logs], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString() })
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
    const code = await new Promise<number | null>(resolve => child.once('exit', resolve))
    assert.equal(code, 0, stderr)
    const { rows } = JSON.parse(stdout) as { rows: TestbedRow[] }
    assert.deepEqual(rows.map(r => r.planner), ['modnn', 'offload'])
    const [r, o] = rows
    t.diagnostic(`predicted ${r.predictedMs.toFixed(1)} ms, measured median ${r.measuredMedianMs.toFixed(1)} ms (p95 ${r.measuredP95Ms.toFixed(1)}), nominal ${r.nominalMs.toFixed(1)} ms, leader ${r.leader}, devices ${r.devices.join(' ')}`)
    assert.equal(r.scenario, 'testbed-small')
    assert.equal(r.planner, 'modnn')
    assert.equal(r.servedBy, 'modnn', 'the plan served came from the planner asked for')
    assert.equal(r.verified, true, 'every result equals a whole-model run')
    assert.equal(r.requests, 3)
    // modnn's plan splits, offload's does not: each pooled over its own requests alone
    assert.deepEqual([r.samePlan, r.planMedianMs], ['A', r.measuredMedianMs])
    for (const k of ['predictedMs', 'measuredMedianMs', 'measuredP95Ms', 'nominalMs', 'clientMedianMs'] as const) assert.ok(Number.isFinite(r[k]) && r[k] > 0, `${k} = ${r[k]}`)
    assert.ok(r.measuredP95Ms >= r.measuredMedianMs)
    assert.ok(Number.isFinite(r.computeRatio) && r.computeRatio > 0, `computeRatio = ${r.computeRatio}`)
    // the onnxruntime runs are a part of the compute the peers timed around them
    assert.ok(Number.isFinite(r.runRatio) && r.runRatio > 0 && r.runRatio <= r.computeRatio, `runRatio = ${r.runRatio}, computeRatio = ${r.computeRatio}`)
    // every peer's CPU over the requests, within its cap (CFS may overrun a period by a little)
    assert.deepEqual(Object.keys(r.cpu).sort(), ['a', 'b', 'c'])
    for (const [d, c] of Object.entries(r.cpu)) assert.ok(c.msPerRequest > 0 && c.quotaUse > 0 && c.quotaUse < 1.2, `${d}: ${JSON.stringify(c)}`)
    // the measured timeline beside the simulated one: every part of the plan, each measured in every request
    const file = readdirSync(logs).find(f => f.includes('-modnn-') && f.endsWith('-timeline.json'))
    assert.ok(file != null, `no timeline in ${readdirSync(logs).join(', ')}`)
    const timeline = JSON.parse(readFileSync(join(logs, file), 'utf8')) as { plan: string, computeRatio: number, parts: Array<{ device: string, simulated: Record<string, number>, measured: Record<string, number> }> }
    assert.equal(timeline.plan, r.plan)
    assert.equal(timeline.computeRatio, r.computeRatio)
    assert.ok(timeline.parts.length >= r.devices.length)
    for (const part of timeline.parts) {
      for (const span of [part.simulated, part.measured]) assert.ok(span.readyMs >= 0 && span.readyMs <= span.startMs && span.startMs < span.endMs, `${part.device}: ${JSON.stringify(span)}`)
    }
    assert.ok(r.clientMedianMs >= r.measuredMedianMs * 0.9, 'the requester sees at least the mesh\'s time')
    // each request is timed alone: the requester waits the default interval after every result
    const infer = JSON.parse(readFileSync(join(logs, 'testbed-small-modnn-requester.jsonl'), 'utf8').split('\n').find(l => l.startsWith('{"latencyMs"'))!) as { requests: Array<{ sentAt: number, receivedAt: number }> }
    assert.equal(infer.requests.length, 4)
    for (let i = 1; i < infer.requests.length; i++) {
      const gap = infer.requests[i].sentAt - infer.requests[i - 1].receivedAt
      assert.ok(gap >= DEFAULT_TESTBED_INTERVAL_MS, `request ${i} entered the mesh ${gap} ms after the previous result`)
    }
    assert.ok(r.devices.length >= 2 && r.devices.every(d => ['a', 'b', 'c'].includes(d)), `modnn splits across the devices: ${r.devices.join(' ')}`)
    assert.deepEqual([o.servedBy, o.verified, o.devices.length, o.samePlan], ['offload', true, 1, 'B'])
    // every device measured its profile with its peer alone before the first mesh; both rounds' peers read
    // it back as measured: no speed check
    assert.deepEqual([r.speed, o.speed], [{}, {}])
    type Event = { event: string, t: number, done?: boolean, cached?: boolean, speed?: unknown, self?: boolean }
    const events = (file: string): Event[] => readFileSync(join(logs, file), 'utf8').split('\n').filter(l => l.startsWith('{"event"')).map(l => JSON.parse(l))
    const profileEvents = (file: string): Event[] => events(file).filter(e => e.event === 'profile' || e.event === 'leader')
    // one device at a time, all before the first mesh's first peer
    const spans = ['a', 'b', 'c'].map(d => events(`testbed-small-profile-${d}.jsonl`)).map(es => [es[0].t, es[es.length - 1].t])
    const meshStart = Math.min(...['a', 'b', 'c'].map(d => events(`testbed-small-modnn-${d}.jsonl`)[0].t))
    for (let i = 0; i < spans.length; i++) assert.ok(spans[i][1] <= (i + 1 < spans.length ? spans[i + 1][0] : meshStart), `profiles alone overlap: ${JSON.stringify(spans)}, mesh from ${meshStart}`)
    for (const d of ['a', 'b', 'c']) {
      const alone = profileEvents(`testbed-small-profile-${d}.jsonl`)
      assert.ok(alone.some(e => e.event === 'profile' && e.done === true && e.cached !== true), `${d} measured its profile alone: ${JSON.stringify(alone)}`)
      assert.ok(alone.every(e => e.event !== 'leader' || e.self === true), `${d} profiled with no other peer to follow: ${JSON.stringify(alone)}`)
      for (const planner of ['modnn', 'offload']) {
        const done = profileEvents(`testbed-small-${planner}-${d}.jsonl`).find(e => e.event === 'profile' && e.done === true)
        assert.ok(done != null && done.cached === true && done.speed === undefined, `${planner} ${d}: ${JSON.stringify(done)}`)
      }
    }
    // before the timed requests, rounds of 9 untimed ones on each plan the leader made, until a round moved
    // none of its service factors (3 rounds at most); the row gives the factors the timed plan was made with
    for (const [row, planner] of [[r, 'modnn'], [o, 'offload']] as const) {
      const rounds = readdirSync(logs).filter(f => f.startsWith(`testbed-small-${planner}-service-`)).sort()
      assert.deepEqual(rounds, rounds.map((_, i) => `testbed-small-${planner}-service-${i + 1}.jsonl`))
      for (const f of rounds) {
        const out = JSON.parse(readFileSync(join(logs, f), 'utf8').split('\n').find(l => l.startsWith('{"latencyMs"'))!) as { requests: unknown[] }
        assert.equal(out.requests.length, 9, f)
      }
      const leaderEvents = events(`testbed-small-${planner}-${row.leader}.jsonl`) as Array<Event & { moves?: Array<{ device: string, factor: number }> }>
      const moved = leaderEvents.filter(e => e.event === 'speeds')
      assert.ok(rounds.length >= 1 && (moved.length === rounds.length - 1 || (rounds.length === 3 && moved.length === 3)), `${planner}: ${rounds.length} round(s), ${moved.length} move(s)`)
      assert.deepEqual(row.service, Object.fromEntries(moved.flatMap(e => e.moves!.map(m => [m.device, m.factor]))))
      assert.equal(leaderEvents.filter(e => e.event === 'served').length, 9 * rounds.length + 1 + 3)
      t.diagnostic(`${planner}: ${rounds.length} service round(s), factors ${JSON.stringify(row.service)}`)
    }
    const runId = /testbed run (\w+)/.exec(stderr)?.[1]
    assert.ok(runId != null)
    assert.ok(isClean(await findLeftovers({ runId, includeLive: true })))
  })
})
