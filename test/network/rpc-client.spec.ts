/**
 * The RPC client's request stream failing under requests still waiting to
 * be written: each must fail with an error its caller sees, and none may
 * surface as an unhandled rejection (which ends the process).
 */
import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { onAbort } from '../../src/rpc/abort-listeners.ts'
import { RpcClient } from '../../src/rpc/rpc-client.ts'
import { startRing, stopAll, waitForIdealRing } from '../fixtures/ring.ts'
import type { ConnectionManager } from '@libp2p/interface-internal'

/** A stream the remote reads nothing from: the first send fills it, later writes wait for a drain that never comes */
class StalledStream extends EventTarget {
  status = 'open'
  writeStatus = 'writable'
  private readonly drained = Promise.withResolvers<void>()
  send (): boolean { return false }
  async onDrain (): Promise<void> { await this.drained.promise }
  async close (): Promise<void> {}
  /** the connection dies: like a libp2p stream, fail the drain wait and say it closed */
  abort (err: Error): void {
    this.status = 'aborted'
    this.writeStatus = 'closed'
    this.dispatchEvent(Object.assign(new Event('close'), { error: err }))
    this.drained.reject(err)
  }
}

describe('RPC client', () => {
  it('fails requests queued behind a stalled write when the stream closes, without an unhandled rejection', async () => {
    const peer = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    const stream = new StalledStream()
    const connectionManager = {
      getConnections: () => [{ status: 'open', remotePeer: peer, newStream: async () => stream }]
    } as unknown as ConnectionManager
    const client = new RpcClient({ protocol: '/test/1.0.0', connectionManager, maxFrameSize: 1024, maxPendingPerPeer: 16, requestTimeout: 60_000, dialTimeout: 1000, log: Object.assign(() => {}, { error: () => {}, trace: () => {} }) })
    const unhandled: unknown[] = []
    const onUnhandled = (reason: unknown): void => { unhandled.push(reason) }
    process.on('unhandledRejection', onUnhandled)
    try {
      // the first request is sent and stalls the stream; the next ones wait to be written
      const call = async (): Promise<Uint8Array> => client.call(peer.toString(), [], 1, new Uint8Array(8))
      const calls = [call()]
      await new Promise(resolve => setTimeout(resolve, 10))
      calls.push(call(), call())
      await new Promise(resolve => setTimeout(resolve, 10))
      stream.abort(new Error('connection reset'))
      const results = await Promise.allSettled(calls)
      assert.deepEqual(results.map(r => r.status), ['rejected', 'rejected', 'rejected'])
      await new Promise(resolve => setTimeout(resolve, 10))
      assert.deepEqual(unhandled, [])
    } finally {
      process.off('unhandledRejection', onUnhandled)
      client.stop()
    }
  })

  it('shares one abort listener per signal: cancelled waiters are not called, the rest are, and an aborted signal calls at once', () => {
    const controller = new AbortController()
    const called: number[] = []
    const cancels = Array.from({ length: 1000 }, (_, i) => onAbort(controller.signal, () => { called.push(i) }))
    cancels.forEach((cancel, i) => { if (i !== 500) cancel() })
    controller.abort(new Error('stop'))
    assert.deepEqual(called, [500])
    let late = false
    onAbort(controller.signal, () => { late = true })
    assert.equal(late, true)
  })

  it('one signal shared by many operations on real peers: all succeed while it stands, and its abort stops those in flight at once', async function () {
    this.timeout(120_000)
    // a request timeout far above the bound below: a read that waited for it cannot pass for an aborted one
    const requestTimeout = 60_000
    const peers = await startRing(3, { init: () => ({ replicas: 2, requestTimeout }) })
    try {
      await waitForIdealRing(peers, 200)
      const shared = new AbortController()
      const keys = Array.from({ length: 300 }, (_, i) => `signal-${i}`)
      await Promise.all(keys.map(async key => peers[0].services.chord.put(key, key, { signal: shared.signal })))
      const reason = new Error('the app is shutting down')
      const started = Date.now()
      const reads = keys.map(async key => peers[1].services.chord.get(key, { signal: shared.signal }))
      shared.abort(reason)
      const outcomes = await Promise.allSettled(reads)
      const elapsed = Date.now() - started
      assert.ok(elapsed < requestTimeout / 3, `aborted reads took ${elapsed} ms: they waited for their timeout`)
      assert.ok(outcomes.every(o => o.status === 'rejected' && o.reason === reason), 'a read survived the abort, or failed for another reason')
    } finally {
      await stopAll(peers)
    }
  })
})
