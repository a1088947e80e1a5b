import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { gossipFastMsgId } from '../../peer/node.js'

describe('the gossip message id checked before the signature', () => {
  const from = new Uint8Array([0, 36, 8, 1, 18, 32, 7, 7])
  const seqno = new Uint8Array([0, 0, 0, 0, 0, 0, 0, 5])

  it('is the same for every copy of a message, whatever its data', () => {
    assert.equal(gossipFastMsgId({ from, seqno, data: new Uint8Array([1]) } as any), gossipFastMsgId({ from: from.slice(), seqno: seqno.slice(), data: new Uint8Array([2]) } as any))
  })

  it('differs between messages of one publisher and between publishers', () => {
    const ids = new Set([
      gossipFastMsgId({ from, seqno }),
      gossipFastMsgId({ from, seqno: new Uint8Array([0, 0, 0, 0, 0, 0, 0, 6]) }),
      gossipFastMsgId({ from: new Uint8Array([0, 36, 8, 1, 18, 32, 7, 8]), seqno }),
      // the boundary between publisher and sequence number cannot shift
      gossipFastMsgId({ from: from.subarray(0, 7), seqno: new Uint8Array([7, ...seqno]) })
    ])
    assert.equal(ids.size, 4)
  })

  it('is empty, never cached, for a message without publisher or sequence number (strict signing rejects it)', () => {
    assert.equal(gossipFastMsgId({ seqno }), '')
    assert.equal(gossipFastMsgId({ from }), '')
  })
})
