import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { CleanupRegistry } from '../../peer/testbed/cleanup-registry.js'

describe('cleanup registry', () => {
  it('undoes newest first', async () => {
    const r = new CleanupRegistry()
    const order: string[] = []
    for (const name of ['cgroup', 'namespace', 'veth', 'process']) r.add(name, async () => { order.push(name) })
    assert.deepEqual(r.pending(), ['cgroup', 'namespace', 'veth', 'process'])
    assert.deepEqual(await r.cleanup(), [])
    assert.deepEqual(order, ['process', 'veth', 'namespace', 'cgroup'])
    assert.deepEqual(r.pending(), [])
  })

  it('keeps going past a failing step and reports it', async () => {
    const r = new CleanupRegistry()
    const done: string[] = []
    r.add('a', async () => { done.push('a') })
    r.add('b', async () => { throw new Error('device busy') })
    r.add('c', async () => { done.push('c') })
    const failures = await r.cleanup()
    assert.deepEqual(done, ['c', 'a'])
    assert.equal(failures.length, 1)
    assert.equal(failures[0].label, 'b')
    assert.equal(failures[0].error.message, 'device busy')
  })

  it('runs once however many callers (success path, signal handler) ask at the same time', async () => {
    const r = new CleanupRegistry()
    let runs = 0
    r.add('slow', async () => { runs++; await new Promise(resolve => setTimeout(resolve, 20)) })
    const [x, y] = await Promise.all([r.cleanup(), r.cleanup()])
    assert.equal(runs, 1)
    assert.deepEqual(x, y)
    await r.cleanup()
    assert.equal(runs, 1)
  })

  it('refuses new records once cleanup has started', async () => {
    const r = new CleanupRegistry()
    await r.cleanup()
    assert.throws(() => { r.add('late', async () => {}) }, /cleanup has started/)
  })
})
