// The local mesh of `tessera demo` and `tessera bench mesh` measures a plan only once the leader has stopped
// planning: a re-plan right after the first plan (the newcomers' links measured again) must not land among
// the timed inferences. The peers here are event logs, no processes.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { LocalMesh } from '../../src/cli/local-mesh.js'
import type { LocalPeer } from '../../src/cli/local-mesh.js'

const members = [{ device: 'peer-1' }, { device: 'peer-2' }]

function fakePeer (name: string): LocalPeer {
  return { name, events: [], child: undefined as unknown as LocalPeer['child'], exited: new Promise(() => {}) }
}

const plan = (planId: number): Record<string, any> => ({ event: 'plan', own: true, key: `1.${planId}`, term: 1, planId, members, plan: { planner: 'offload' }, t: Date.now() })

describe('the local mesh waits for its leader to settle', () => {
  it('takes the plan made after a re-plan, not the first plan ready', async () => {
    const mesh = new LocalMesh({ model: 'resnet18', planner: 'offload' })
    const leader = fakePeer('peer-1')
    mesh.peers.push(leader, fakePeer('peer-2'))
    leader.events.push(plan(1), { event: 'ready', key: '1.1', t: Date.now() }, { event: 'planning', reason: 'links measured', t: Date.now() })
    const started = performance.now()
    setTimeout(() => { leader.events.push(plan(2)) }, 200)
    setTimeout(() => { leader.events.push({ event: 'ready', key: '1.2', t: Date.now() }) }, 400)
    const got = await mesh.planOver(2, 5000, 5000, 800)
    assert.equal(got.key, '1.2')
    assert.ok(performance.now() - started >= 750, 'not before the settle time since the planning started')
  })

  it('takes a ready plan once the leader has been quiet for the settle time', async () => {
    const mesh = new LocalMesh({ model: 'resnet18', planner: 'offload' })
    const leader = fakePeer('peer-1')
    mesh.peers.push(leader)
    leader.events.push({ event: 'planning', reason: 'peer-2 joined', t: Date.now() - 5000 }, plan(1), { event: 'ready', key: '1.1', t: Date.now() })
    const started = performance.now()
    const got = await mesh.planOver(2, 5000, 5000, 800)
    assert.equal(got.key, '1.1')
    assert.ok(performance.now() - started < 700, 'at once: the planning started long ago')
  })
})
