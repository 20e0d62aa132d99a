/**
 * The RPC client closes what nobody uses: a request stream idle for its
 * idleTimeout, then the connection once no other stream is on it. A
 * connection that still carries the remote's own stream stays open.
 */
import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { RpcClient } from '../../src/rpc/rpc-client.ts'
import type { ConnectionManager } from '@libp2p/interface-internal'
import type { PeerId } from '@libp2p/interface'

/** A stream that takes every write and never answers */
class SilentStream extends EventTarget {
  status = 'open'
  writeStatus = 'writable'
  send (): boolean { return true }
  async onDrain (): Promise<void> {}
  async close (): Promise<void> {}
  abort (err: Error): void {
    this.status = 'aborted'
    this.writeStatus = 'closed'
    this.dispatchEvent(Object.assign(new Event('close'), { error: err }))
  }
}

interface FakeConnection { status: string, remotePeer: PeerId, streams: object[], closed: boolean }

function fakeConnection (peer: PeerId, stream: SilentStream, others: object[]): FakeConnection & Record<string, unknown> {
  const connection = {
    status: 'open',
    remotePeer: peer,
    streams: [] as object[],
    closed: false,
    timeline: { open: Date.now() },
    newStream: async () => { connection.streams.push(stream, ...others); return stream },
    close: async () => { connection.closed = true; connection.status = 'closed' },
    abort: () => { connection.closed = true }
  }
  return connection
}

async function waitFor (what: string, check: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`)
    await new Promise(resolve => setTimeout(resolve, 20))
  }
}

describe('RPC client idle connections', () => {
  it('closes an idle request stream and its connection, and keeps a connection the remote still uses', async () => {
    const quiet = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    const busy = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    const quietStream = new SilentStream()
    const busyStream = new SilentStream()
    const connections = [fakeConnection(quiet, quietStream, []), fakeConnection(busy, busyStream, [{ remote: 'their own stream' }])]
    const connectionManager = {
      getConnections: (peer?: PeerId) => connections.filter(c => peer === undefined || c.remotePeer.equals(peer))
    } as unknown as ConnectionManager
    const client = new RpcClient({ protocol: '/test/1.0.0', connectionManager, maxFrameSize: 1024, maxPendingPerPeer: 16, requestTimeout: 50, dialTimeout: 1000, idleTimeout: 300, log: Object.assign(() => {}, { error: () => {}, trace: () => {} }) })
    client.start()
    try {
      for (const peer of [quiet, busy]) await assert.rejects(client.call(peer.toString(), [], 1, new Uint8Array(8)), /no answer/)
      await waitFor('the idle stream and its connection closed', () => quietStream.status === 'aborted' && connections[0].closed, 5000)
      await waitFor('the other idle stream closed', () => busyStream.status === 'aborted', 5000)
      assert.equal(connections[1].closed, false, 'the connection carrying the remote\'s stream stays open')
    } finally {
      client.stop()
    }
  })
})
