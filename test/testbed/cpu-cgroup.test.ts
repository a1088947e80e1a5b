import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { cfsSettings, cpuHierarchyFromMounts, DEFAULT_CFS_PERIOD_US, parseCpuStat } from '../../peer/testbed/cpu-cgroup.js'

describe('CFS settings', () => {
  it('sets quota = cpuQuota * period', () => {
    assert.deepEqual(cfsSettings(0.5, 100_000), { periodUs: 100_000, quotaUs: 50_000 })
    assert.deepEqual(cfsSettings(1.5, 10_000), { periodUs: 10_000, quotaUs: 15_000 })
    const d = cfsSettings(0.25)
    assert.equal(d.periodUs, DEFAULT_CFS_PERIOD_US)
    assert.equal(d.quotaUs / d.periodUs, 0.25)
  })

  it('lengthens the period when the quota would fall under the kernel\'s 1 ms minimum', () => {
    const s = cfsSettings(0.05, 4000)
    assert.deepEqual(s, { periodUs: 20_000, quotaUs: 1000 })
  })

  it('rejects bad quotas and periods', () => {
    assert.throws(() => cfsSettings(0), RangeError)
    assert.throws(() => cfsSettings(-1), RangeError)
    assert.throws(() => cfsSettings(0.5, 500), RangeError)
    assert.throws(() => cfsSettings(0.5, 2_000_000), RangeError)
  })
})

describe('cgroup v1 discovery', () => {
  const mounts = [
    'tmpfs /sys/fs/cgroup tmpfs rw,relatime,mode=755 0 0',
    'cgroup /sys/fs/cgroup/cpuacct cgroup rw,relatime,cpuacct 0 0',
    'cgroup /sys/fs/cgroup/cpu,cpuacct cgroup rw,relatime,cpu,cpuacct 0 0',
    'cgroup2 /sys/fs/cgroup/unified cgroup2 rw,relatime 0 0'
  ].join('\n')

  it('finds the hierarchy with the cpu controller (also when co-mounted with cpuacct), not cpuacct alone', () => {
    assert.equal(cpuHierarchyFromMounts(mounts), '/sys/fs/cgroup/cpu,cpuacct')
    assert.equal(cpuHierarchyFromMounts('cgroup /sys/fs/cgroup/cpu cgroup rw,relatime,cpu 0 0'), '/sys/fs/cgroup/cpu')
  })

  it('finds none on a cgroup v2 only machine', () => {
    assert.equal(cpuHierarchyFromMounts('cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid 0 0'), undefined)
  })

  it('parses cpu.stat', () => {
    assert.deepEqual(parseCpuStat('nr_periods 22\nnr_throttled 21\nthrottled_time 801141353\n'), { nr_periods: 22, nr_throttled: 21, throttled_time: 801141353 })
  })
})
