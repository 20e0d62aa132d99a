/**
 * The RPC client's request stream failing under requests still waiting to
 * be written: each must fail with an error its caller sees, and none may
 * surface as an unhandled rejection (which ends the process).
 */
import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { RpcClient } from '../src/rpc/rpc-client.ts'
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
})
