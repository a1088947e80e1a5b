import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { parseScenario, readScenarioFile } from '../../src/sim/scenario.js'
import { testbedSetup } from '../../peer/testbed/testbed-scenario.js'
import { TESTBED_SUITE_DIR } from '../../src/cli/testbed.js'

const base = {
  model: 'resnet18',
  inputShape: [1, 3, 32, 32],
  requester: { uplinkMbps: 200, downlinkMbps: 100 },
  devices: [
    { id: 'a', profile: 'measured', uplinkMbps: 20, downlinkMbps: 40 },
    { id: 'b', profile: 'measured', uplinkMbps: 300 }
  ],
  testbed: { a: { cpuQuota: 0.5 }, b: { cpuQuota: 0.25 } }
}

const setupOf = (json: unknown, cores = 2): ReturnType<typeof testbedSetup> => testbedSetup(parseScenario(json, 'x.json'), 'x.json', cores)

describe('testbed scenario', () => {
  it('reads each device\'s caps and quota, the requester\'s links, and the first device as leader', () => {
    const s = setupOf(base)
    assert.deepEqual(s.devices, [
      { id: 'a', uplinkMbps: 20, downlinkMbps: 40, cpuQuota: 0.5 },
      { id: 'b', uplinkMbps: 300, downlinkMbps: 300, cpuQuota: 0.25 }
    ])
    assert.deepEqual(s.requester, { uplinkMbps: 200, downlinkMbps: 100 })
    assert.equal(s.leader, 'a')
    assert.deepEqual(s.notes, [])
  })

  it('makes a requester device the leader (requests enter the mesh there)', () => {
    const s = setupOf({ ...base, requester: { device: 'b' } })
    assert.equal(s.leader, 'b')
    assert.equal(s.requester, undefined)
  })

  it('rejects a profile other than "measured", naming the device', () => {
    assert.throws(() => setupOf({ ...base, devices: [base.devices[0], { ...base.devices[1], profile: 'tx2' }] }),
      (err: Error) => err.name === 'InvalidScenarioError' && err.message.includes('devices[1].profile') && err.message.includes('"measured"'))
  })

  it('rejects a device without a CPU quota, naming the key', () => {
    assert.throws(() => setupOf({ ...base, testbed: { a: { cpuQuota: 0.5 } } }),
      (err: Error) => err.name === 'InvalidScenarioError' && err.message.includes('testbed.b.cpuQuota'))
  })

  it('rejects quotas beyond the machine\'s cores and per-pair link caps', () => {
    assert.throws(() => setupOf(base, 0.5), /add up to 0\.75 cores, more than this machine's 0\.5/)
    assert.throws(() => setupOf({ ...base, linkMbps: { a: { b: 50 } } }), /linkMbps: the testbed caps each device/)
  })

  it('says what it does not emulate: per-message latency, and a machine with little CPU to spare', () => {
    const s = setupOf({ ...base, latencyMs: 2, testbed: { a: { cpuQuota: 1 }, b: { cpuQuota: 0.9 } } })
    assert.equal(s.notes.length, 2)
    assert.match(s.notes.join('\n'), /latencyMs 2: per-message latency is not emulated/)
    assert.match(s.notes.join('\n'), /1\.90 of 2 cores/)
  })

  it('every scenario of the suite fits a 2-core machine: 3-4 peers, quotas under 1.8 cores, links from 20 to 300 Mbps', () => {
    const files = readdirSync(TESTBED_SUITE_DIR).filter(f => f.endsWith('.json'))
    assert.ok(files.length >= 3)
    for (const f of files) {
      const path = join(TESTBED_SUITE_DIR, f)
      const s = testbedSetup(readScenarioFile(path), path, 2)
      assert.ok(s.devices.length >= 3 && s.devices.length <= 4, `${f}: ${s.devices.length} devices`)
      assert.ok(s.devices.reduce((t, d) => t + d.cpuQuota, 0) < 1.8, `${f}: quotas`)
      for (const d of s.devices) {
        for (const mbps of [d.uplinkMbps, d.downlinkMbps]) assert.ok(mbps >= 20 && mbps <= 300, `${f}: ${d.id} ${mbps} Mbps`)
      }
      assert.deepEqual(s.notes, [], `${f}: nothing the testbed cannot emulate`)
    }
  })
})
