/**
 * Frames on the long-lived request stream: requests from many concurrent
 * operations written in one tick leave in few sends and are each answered
 * correctly; frames are split and reassembled at any byte boundary; a frame
 * over the size limit is refused on either side.
 */
import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { streamPair } from '@libp2p/utils'
import * as varint from 'uint8-varint'
import { InvalidMessageError } from '../../src/rpc/errors.ts'
import { FrameDecoder } from '../../src/rpc/frame-decoder.ts'
import { FrameStream } from '../../src/rpc/frame-stream.ts'
import { Frame } from '../../src/rpc/pb/rpc.ts'
import { RpcClient } from '../../src/rpc/rpc-client.ts'
import { RpcServer } from '../../src/rpc/rpc-server.ts'
import type { Connection, Stream } from '@libp2p/interface'
import type { ConnectionManager } from '@libp2p/interface-internal'

const log = Object.assign(() => {}, { error: () => {}, trace: () => {} })

/** wait for `check` to hold, polling, up to `ms` */
async function until (check: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise(resolve => setTimeout(resolve, 5))
  }
}

/** count the sends on `stream` */
function countSends (stream: Stream): { sends: number } {
  const counter = { sends: 0 }
  const send = stream.send.bind(stream)
  stream.send = (data) => { counter.sends++; return send(data) }
  return counter
}

describe('RPC frames', () => {
  it('answers 200 concurrent requests to one peer correctly, in far fewer sends than frames', async () => {
    const [outbound, inbound] = await streamPair()
    const peer = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    const server = new RpcServer({ maxFrameSize: 4096, maxInFlightPerStream: 256, log })
    // every answer waits for the last request, then the even ones go first: answered out of order, in one tick
    const gate = Promise.withResolvers<void>()
    let arrived = 0
    server.register(7, async (body) => {
      if (++arrived === 200) gate.resolve()
      await gate.promise
      if (body[0] % 2 === 1) await Promise.resolve()
      return Uint8Array.from(body, b => b ^ 0xff)
    })
    server.handleStream(inbound, { remotePeer: peer } as unknown as Connection)
    const requests = countSends(outbound)
    const answers = countSends(inbound)
    const connectionManager = {
      getConnections: () => [{ status: 'open', remotePeer: peer, newStream: async () => outbound }]
    } as unknown as ConnectionManager
    const client = new RpcClient({ protocol: '/test/1.0.0', connectionManager, maxFrameSize: 4096, maxPendingPerPeer: 256, requestTimeout: 10_000, dialTimeout: 1000, log })
    try {
      const bodies = Array.from({ length: 200 }, (_, i) => Uint8Array.from([i, i + 1, 200 - i]))
      const results = await Promise.all(bodies.map(async body => client.call(peer.toString(), [], 7, body)))
      results.forEach((got, i) => { assert.deepEqual([...got], [...bodies[i]].map(b => b ^ 0xff)) })
      assert.ok(requests.sends <= 4, `200 requests took ${requests.sends} sends`)
      assert.ok(answers.sends <= 4, `200 answers took ${answers.sends} sends`)
    } finally {
      client.stop()
      server.close()
    }
  })

  it('reassembles frames split at every byte boundary, in order', () => {
    const frames = [0, 1, 127, 128, 300, 5000].map(n => Frame.encode({ id: n + 1, response: true, method: 3, body: new Uint8Array(n).fill(n & 0xff) }))
    const wire = Uint8Array.from(frames.flatMap(f => [...varint.encode(f.byteLength), ...f]))
    for (const step of [1, 2, 3, 7, 64, wire.byteLength]) {
      const decoder = new FrameDecoder(6000)
      const got: Uint8Array[] = []
      for (let i = 0; i < wire.byteLength; i += step) decoder.push(wire.subarray(i, i + step), f => { got.push(f.slice()) })
      assert.deepEqual(got, frames, `chunks of ${step} bytes`)
    }
  })

  it('refuses a frame over the limit or a malformed length, as soon as its prefix is read', () => {
    const decoder = new FrameDecoder(1000)
    assert.throws(() => { decoder.push(varint.encode(1001), () => {}) }, InvalidMessageError)
    assert.throws(() => { new FrameDecoder(1000).push(Uint8Array.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x01]), () => {}) }, InvalidMessageError)
    // a limit-sized frame is fine, and nothing is delivered before it is whole
    const ok = new FrameDecoder(1000)
    const got: Uint8Array[] = []
    ok.push(varint.encode(1000), f => got.push(f))
    ok.push(new Uint8Array(999), f => got.push(f))
    assert.equal(got.length, 0)
    ok.push(new Uint8Array(1), f => got.push(f))
    assert.equal(got.length, 1)
  })

  it('will not write a frame over the limit, and drops a stream whose peer sends one', async () => {
    const [a, b] = await streamPair()
    let closed: Error | undefined
    const small = new FrameStream(b, { maxFrameSize: 100, onFrame: () => {}, onClose: err => { closed = err ?? new Error('closed') } })
    const big = new FrameStream(a, { maxFrameSize: 10_000, onFrame: () => {}, onClose: () => {} })
    await assert.rejects(small.write({ id: 1, response: false, method: 1, body: new Uint8Array(200) }), InvalidMessageError)
    await big.write({ id: 1, response: false, method: 1, body: new Uint8Array(200) })
    await until(() => closed !== undefined)
    assert.match(closed!.message, /exceeds the 100-byte limit/)
  })
})
