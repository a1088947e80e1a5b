// A peer alone plans for itself once its profile is measured: its own capabilities never come back to it
// over gossip, so nothing but the profile itself tells the leader that it can run the model now.
import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { TesseraPeer } from '../../peer/index.js'

describe('a peer alone', { timeout: 120_000 }, () => {
  let peer: TesseraPeer | undefined
  after(async () => { await peer?.stop() })

  it('plans over itself after measuring its profile', async () => {
    const events: string[] = []
    let ready: { key: string, devices: string[] } | undefined
    peer = await TesseraPeer.create({ listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false, models: ['resnet18'], inputShape: [1, 3, 64, 64], name: 'alone', planning: { planner: 'offload' } })
    peer.events.on('profile', (e) => { if (e.done === true) events.push('profile') })
    peer.events.on('leader', (e) => { if (e.self) events.push('leader') })
    peer.events.on('ready', (e) => {
      events.push('ready')
      // the whole model on one device is a plan of no volumes and a tail, or of volumes and a tail on that device
      ready = { key: e.key, devices: [...new Set([...e.plan.volumes.flatMap(v => v.parts.map(p => p.device)), e.plan.tail.device])] }
    })
    const deadline = performance.now() + 90_000
    while (ready == null && performance.now() < deadline) await new Promise(resolve => setTimeout(resolve, 100))
    assert.ok(ready != null, `no plan ready (events: ${events.join(', ')})`)
    assert.deepEqual(ready.devices, ['alone'])
    assert.ok(events.indexOf('profile') < events.indexOf('ready'), events.join(', '))
  })
})
