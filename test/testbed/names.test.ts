import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { checkRunId, newRunId, RunNames, runIdOf, TESTBED_PREFIX } from '../../peer/testbed/names.js'

describe('testbed names', () => {
  it('makes 6-hex run ids and names that fit Linux\'s 15-byte interface names', () => {
    const ids = new Set(Array.from({ length: 50 }, () => newRunId()))
    assert.ok(ids.size > 45, 'run ids are random')
    for (const id of ids) assert.match(id, /^[0-9a-f]{6}$/)
    const n = new RunNames('a1b2c3')
    for (const name of [n.bridge, n.hostVeth(0), n.nodeVeth(253), n.hostVeth(253)]) assert.ok(name.length <= 15, `${name} fits`)
    assert.equal(n.bridge, `${TESTBED_PREFIX}a1b2c3br`)
    assert.notEqual(n.hostVeth(3), n.nodeVeth(3))
  })

  it('reads the run id back from every name a run makes, and from nothing else', () => {
    const n = new RunNames('00beef')
    for (const name of [n.bridge, n.hostVeth(12), n.nodeVeth(0), n.netns(4, 'tx2 #1'), n.cgroup]) assert.equal(runIdOf(name), '00beef')
    assert.equal(runIdOf('eth0'), undefined)
    assert.equal(runIdOf('ttbxyz'), undefined)
    assert.equal(runIdOf('veth-ttb00beef'), undefined)
  })

  it('keeps namespace names readable and safe', () => {
    const n = new RunNames('abcdef')
    assert.equal(n.netns(2, 'nano-1'), 'ttbabcdef-2-nano-1')
    assert.equal(n.netns(0, 'a b/c'), 'ttbabcdef-0-a_b_c')
  })

  it('numbers addresses in the private test subnet and refuses more nodes than it holds', () => {
    const n = new RunNames('abcdef')
    assert.equal(n.address(0), '198.18.0.1')
    assert.equal(n.address(253), '198.18.0.254')
    assert.throws(() => n.address(254), RangeError)
  })

  it('rejects a malformed run id, naming it', () => {
    assert.throws(() => checkRunId('ABC'), (err: Error) => err.name === 'InvalidInputError' && err.message.includes('"ABC"'))
    assert.throws(() => new RunNames('1234567'), /1234567/)
  })
})
