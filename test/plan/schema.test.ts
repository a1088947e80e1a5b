import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parsePlan, readPlanFile } from '../../src/plan/schema.js'

const valid = {
  planner: 'distredge',
  scenario: 'DB-50',
  predictedMs: 41.7,
  model: { name: 'vgg16', sha256: 'a'.repeat(64), inputShape: [1, 3, 224, 224] },
  volumes: [{ input: 'input', output: 'pool2', parts: [{ device: 'xavier-1', rows: [0, 40] }, { device: 'nano-1', rows: [40, 56], cols: [0, 56] }] }],
  tail: { device: 'xavier-1' }
}

function rejects (value: unknown, pattern: RegExp): void {
  assert.throws(() => parsePlan(value), (err: any) => {
    assert.equal(err.name, 'InvalidPlanError')
    assert.match(err.message, pattern)
    return true
  })
}

test('a plan file of the documented form parses', () => {
  assert.deepEqual(parsePlan(structuredClone(valid)), valid)
})

test('errors name the key that is wrong', () => {
  rejects({ ...valid, extra: 1 }, /\(top level\): unknown key "extra"/)
  rejects({ ...valid, tail: {} }, /tail.device/)
  rejects({ ...valid, volumes: [{ ...valid.volumes[0], parts: [{ device: 'a', rows: [5, 2] }] }] }, /volumes\[0\]\.parts\[0\]\.rows: start must not exceed end/)
  rejects({ ...valid, volumes: [{ ...valid.volumes[0], parts: [{ device: 'a', rows: [0.5, 2] }] }] }, /volumes\[0\]\.parts\[0\]\.rows\[0\]: must be an integer/)
  rejects({ ...valid, volumes: [{ ...valid.volumes[0], parts: [] }] }, /volumes\[0\]\.parts: a volume needs at least one part/)
  rejects({ ...valid, model: { ...valid.model, sha256: 'xyz' } }, /model\.sha256: must be 64 lowercase hex digits/)
  rejects({ ...valid, volumes: [{ ...valid.volumes[0], parts: [{ device: 'a', row: [0, 1] }] }] }, /volumes\[0\]\.parts\[0\]/)
})

test('a plan file that is missing or not JSON is a clear InvalidPlanError', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-plan-'))
  const bad = join(dir, 'bad.json')
  writeFileSync(bad, '{ "planner": ')
  assert.throws(() => readPlanFile(bad), { name: 'InvalidPlanError', message: /is not JSON/ })
  assert.throws(() => readPlanFile(join(dir, 'none.json')), { name: 'InvalidPlanError', message: /no such file/ })
  const good = join(dir, 'good.json')
  writeFileSync(good, JSON.stringify(valid))
  assert.equal(readPlanFile(good).tail.device, 'xavier-1')
})
